"""A CLI command that needs neither the network, the LLM nor migrations starts without them.

No timing here (bench/README.md has the figure): what is checked is what makes it slow when
it breaks, i.e. which heavy libraries a `briefbot topic list` on an up-to-date database loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

# On a SQLite file not even SQLAlchemy: the standard library's sqlite3 reads it (its import
# alone was most of the 300 ms `topic list` may take).
HEAVY = (
    "alembic",
    "openai",
    "httpx",
    "trafilatura",
    "feedparser",
    "spacy",
    "slack_bolt",
    "sqlalchemy",
)
# `briefbot --help` needs no database either, nor the scientific stack.
HEAVY_FOR_HELP = (*HEAVY, "numpy", "scipy", "sklearn", "prometheus_client", "lxml")

_HELP_PROBE = """
import contextlib, io, json, sys
from bot.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["--help"])
        status = 0
    except SystemExit as done:
        status = done.code
print(json.dumps({"status": status, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""

_PROBE = """
import io, json, sys
from bot.cli import main
out = io.StringIO()
status = main(["--env-file", "/dev/null", "topic", "list"], stdout=out)
print(json.dumps({"status": status, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _run_probe(tmp_path: Path, probe: str = _PROBE) -> dict[str, object]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'briefbot.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_topic_list_on_an_up_to_date_database_loads_no_heavy_library(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'briefbot.db'}")
    # The first command on a new database migrates it (Alembic is needed then).
    assert main(["--env-file", "/dev/null", "topic", "add", "ukraine"]) == 0
    probe = _run_probe(tmp_path)
    assert probe["status"] == 0
    assert str(probe["out"]).startswith("ukraine")
    loaded = {name.split(".")[0] for name in probe["modules"]}  # type: ignore[union-attr]
    assert not loaded & set(HEAVY), f"loaded at start-up: {sorted(loaded & set(HEAVY))}"


@pytest.mark.slow
def test_a_database_behind_is_still_migrated(tmp_path: Path, monkeypatch) -> None:
    from storage.db import downgrade, is_at_head, make_engine

    url = f"sqlite:///{tmp_path / 'briefbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["--env-file", "/dev/null", "topic", "add", "ukraine"]) == 0
    engine = make_engine(url)
    downgrade(engine, "0003")
    assert not is_at_head(engine)
    probe = _run_probe(tmp_path)
    assert probe["status"] == 0 and str(probe["out"]).startswith("ukraine")
    assert is_at_head(engine)
    engine.dispose()


def test_help_loads_no_heavy_library(tmp_path: Path) -> None:
    """`briefbot --help` prints the commands without importing what only commands use (one
    fresh interpreter, about 0.1 s: not marked slow)."""
    probe = _run_probe(tmp_path, _HELP_PROBE)
    assert probe["status"] == 0
    assert "topic" in str(probe["out"]) and "ingest" in str(probe["out"])
    loaded = {name.split(".")[0] for name in probe["modules"]}  # type: ignore[union-attr]
    assert not loaded & set(HEAVY_FOR_HELP), (
        f"loaded by --help: {sorted(loaded & set(HEAVY_FOR_HELP))}"
    )
