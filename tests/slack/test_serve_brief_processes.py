"""`briefbot serve` makes offline briefs in worker processes unless BRIEF_PROCESSES says
otherwise, and those workers yield the CPU to the process answering Slack: a digest round's
briefs (seconds of CPU each) held the serving process's GIL while Slack waited for acks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.brief_pool import BRIEF_WORKER_NICE, BriefPool
from bot.core import Briefbot
from bot.runtime import build_runtime
from bot.settings import Settings
from testkit.slackfake.server import FakeSlack
from tests.slack.conftest import settings_for


def _settings(tmp_path: Path, fake: FakeSlack, **extra: str) -> Settings:
    return settings_for(f"sqlite:///{tmp_path / 'serve.db'}", fake, **extra)


def test_serve_briefs_in_worker_processes_by_default(tmp_path: Path, fake_slack: FakeSlack) -> None:
    runtime = build_runtime(_settings(tmp_path, fake_slack), with_scheduler=False)
    try:
        assert (runtime.core.settings.brief_processes or 0) >= 1
    finally:
        runtime.shutdown()


def test_brief_processes_set_to_0_keeps_serve_briefing_in_its_threads(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    settings = _settings(tmp_path, fake_slack, BRIEF_PROCESSES="0")
    runtime = build_runtime(settings, with_scheduler=False)
    try:
        assert runtime.core.settings.brief_processes == 0
    finally:
        runtime.shutdown()


def test_a_command_line_brief_starts_no_worker_processes(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    core = Briefbot(_settings(tmp_path, fake_slack))
    try:
        assert not core.settings.brief_processes
    finally:
        core.close()


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities on this platform")
def test_brief_workers_run_at_a_lower_cpu_priority_than_the_server() -> None:
    class Unloaded(BriefPool):
        preload = ()  # the summarizer's imports are not what this is about (20 s under load)

    pool = Unloaded(1)
    try:
        theirs = pool._executor().submit(os.nice, 0).result(timeout=60)
    finally:
        pool.close()
    assert theirs == min(os.nice(0) + BRIEF_WORKER_NICE, 19)


@pytest.mark.slow
def test_serve_starts_its_brief_workers_before_it_answers_slack(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """Started on the first digest round instead, the fork server's imports and the forks
    ran while that round's acks waited (the slowest bursts of `bench/ack_latency.py`)."""
    from bot.brief_pool import shared_pool

    settings = _settings(tmp_path, fake_slack, NLP_MODEL="none", BRIEF_PROCESSES="1")
    runtime = build_runtime(settings, with_scheduler=False)
    try:
        runtime.warm_up()
        started = shared_pool(1)._pool
        assert started is not None and len(started._processes) == 1  # type: ignore[attr-defined]
    finally:
        runtime.shutdown()


@pytest.mark.slow
def test_serve_loads_what_an_ingest_round_needs_before_it_answers_slack(tmp_path: Path) -> None:
    """The first ingest round (the in-process scheduler's) imported the ingest modules and
    loaded the language identifier, a second of CPU while that round's acks waited. A fresh
    interpreter: in this one, other tests may have loaded both already."""
    import subprocess
    import sys

    script = f"""
import sys
from bot import runtime
from bot.nlp import language
from bot.settings import Settings
settings = Settings.from_env(environ={{
    "DATABASE_URL": "sqlite:///{tmp_path / "warm.db"}", "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "s" * 32, "NLP_MODEL": "none", "BRIEF_PROCESSES": "0",
}}, dotenv_path=None)
rt = runtime.build_runtime(settings, with_scheduler=False)
before = ("bot.ingest.pipeline" in sys.modules, language._identifier is not None)
rt.warm_up()
after = ("bot.ingest.pipeline" in sys.modules, language._identifier is not None)
rt.shutdown()
print(before, after)
"""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "(False, False) (True, True)"
