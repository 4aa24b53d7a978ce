"""How the suite chooses to run on several processes (tests/conftest.py): a whole-directory run
spreads over the CPUs, one file per worker; a file, a single test, `--pdb`, or an explicit
`-n` runs as asked."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests import conftest


class _Plugins:
    def __init__(self, *names: str) -> None:
        self.names = set(names)

    def hasplugin(self, name: str) -> bool:
        return name in self.names


def _config(args: list[str], *, xdist: bool = True, **options: Any) -> Any:
    option = SimpleNamespace(numprocesses=None, dist="no", collectonly=False, usepdb=False)
    for name, value in options.items():
        setattr(option, name, value)
    return SimpleNamespace(
        args=args,
        option=option,
        invocation_params=SimpleNamespace(dir=Path(__file__).resolve().parents[1]),
        pluginmanager=_Plugins("xdist") if xdist else _Plugins(),
        getoption=lambda name: getattr(option, name),
    )


@pytest.fixture
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


@pytest.mark.parametrize("args", [["tests"], ["tests/slack", "tests/jobs"]])
def test_a_directory_run_spreads_over_the_cpus_plus_one_one_file_per_worker(
    two_cpus: None, args: list[str]
) -> None:
    config = _config(args)
    conftest.pytest_cmdline_main(config)
    assert (config.option.numprocesses, config.option.dist) == (3, "loadfile")


def test_at_most_max_workers(monkeypatch: pytest.MonkeyPatch, two_cpus: None) -> None:
    monkeypatch.setattr(conftest.os, "sched_getaffinity", lambda pid: set(range(64)))
    config = _config(["tests"])
    conftest.pytest_cmdline_main(config)
    assert config.option.numprocesses == conftest.MAX_WORKERS


@pytest.mark.parametrize(
    ("args", "options", "xdist"),
    [
        (["tests/test_suite_config.py"], {}, True),  # a file
        (["tests/test_suite_config.py::test_at_most_max_workers"], {}, True),  # a test
        (["tests", "tests/test_suite_config.py"], {}, True),  # any file among them
        (["tests"], {"numprocesses": 0}, True),  # -n 0
        (["tests"], {"usepdb": True}, True),  # --pdb
        (["tests"], {"collectonly": True}, True),  # --collect-only
        (["tests"], {}, False),  # pytest-xdist not installed, or -p no:xdist
    ],
)
def test_otherwise_one_process_or_what_was_asked(
    two_cpus: None, args: list[str], options: dict[str, Any], xdist: bool
) -> None:
    config = _config(args, xdist=xdist, **options)
    before = (config.option.numprocesses, config.option.dist)
    conftest.pytest_cmdline_main(config)
    assert (config.option.numprocesses, config.option.dist) == before


def test_one_cpu_runs_in_one_process(monkeypatch: pytest.MonkeyPatch, two_cpus: None) -> None:
    monkeypatch.setattr(conftest.os, "sched_getaffinity", lambda pid: {0})
    config = _config(["tests"])
    conftest.pytest_cmdline_main(config)
    assert config.option.numprocesses is None
