"""Three scheduler candidates on one PostgreSQL: one leader; kill -9 it mid-round; another
takes over within seconds; every due digest is posted exactly once.

Real processes (`python -m bot worker`), a real advisory lock, the fake Slack answering each
post after 0.4 s so the round is still running when the leader dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Delivery
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.reliability.test_crash_restart import CHANNELS, ROOT, _wait, setup_due_round

LEADER_LINE = "leader: this process now runs the scheduler"
TAKEOVER_LIMIT = 30.0  # seconds


def test_leader_killed_mid_round_another_takes_over_and_nothing_is_lost_or_doubled(
    db: Database, tmp_path: Path
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("leader election uses PostgreSQL advisory locks (SQLite runs one process)")
    with FakeSlack() as fake:
        env = {**setup_due_round(db, tmp_path, fake), "LEADER_POLL_SECONDS": "1"}
        logs = [tmp_path / f"worker-{i}.log" for i in range(3)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "worker"],
                cwd=tmp_path,
                env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            for log in logs
        ]

        def leaders() -> list[int]:
            return [i for i, log in enumerate(logs) if LEADER_LINE in log.read_text("utf-8")]

        try:
            _wait(lambda: len(leaders()) >= 1, 60, "a leader")
            _wait(lambda: len(fake.posted_messages()) >= 3, 60, "the first posts")
            [first] = leaders()
            procs[first].send_signal(signal.SIGKILL)
            procs[first].wait(10)
            killed_at = time.monotonic()
            posted_at_kill = len(fake.posted_messages())

            _wait(lambda: len(leaders()) >= 2, TAKEOVER_LIMIT + 5, "a new leader")
            takeover = time.monotonic() - killed_at

            def all_sent() -> bool:
                with db.factory() as session:
                    rows = list(session.scalars(select(Delivery.status)))
                return len(rows) == len(CHANNELS) and set(rows) == {"sent"}

            _wait(all_sent, 90, "every digest recorded as sent")
            time.sleep(1.5)  # a late duplicate would show now
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()

        texts = [log.read_text("utf-8") for log in logs]
        in_slack = {c: len(fake.messages(c)) for c in CHANNELS}
        print(
            f"\nleader {first} killed after {posted_at_kill} posts; new leader after "
            f"{takeover:.1f} s; {sum(in_slack.values())} messages in {len(CHANNELS)} channels"
        )
        assert takeover <= TAKEOVER_LIMIT
        assert in_slack == dict.fromkeys(CHANNELS, 1), in_slack
        assert Counter(m["channel"] for m in fake.posted_messages()).keys() == set(CHANNELS)
        # Exactly two processes ever led: the killed one, then one successor.
        assert sum(LEADER_LINE in t for t in texts) == 2
        assert not any("Traceback" in t for t in texts), [t[-1500:] for t in texts]
