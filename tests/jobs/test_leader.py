"""Leader election: one leader among candidates on PostgreSQL; the only process on SQLite."""

from __future__ import annotations

import threading
import time

import pytest

from bot.service.leader import LeaderElection
from storage.db import make_engine
from tests.conftest import Database


class Candidate:
    def __init__(self, db: Database) -> None:
        self.engine = make_engine(db.url)
        self.elected = threading.Event()
        self.lost = threading.Event()
        self.election = LeaderElection(
            self.engine, on_elected=self.elected.set, on_lost=self.lost.set, poll_seconds=0.1
        )

    def close(self) -> None:
        self.election.stop()
        self.engine.dispose()


def test_exactly_one_leader_and_a_successor_when_it_stops(db: Database) -> None:
    candidates = [Candidate(db) for _ in range(3)]
    try:
        for c in candidates:
            c.election.start()
        assert any(c.elected.wait(5) for c in candidates)
        time.sleep(0.5)  # several polls: nobody else may win meanwhile
        leaders = [c for c in candidates if c.election.is_leader]
        if db.dialect == "sqlite":  # no lock: every process is its own leader
            assert len(leaders) == 3
            return
        assert len(leaders) == 1
        [first] = leaders
        first.close()
        assert first.lost.is_set() and not first.election.is_leader
        rest = [c for c in candidates if c is not first]
        deadline = time.monotonic() + 5
        while not any(c.election.is_leader for c in rest) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(c.election.is_leader for c in rest) == 1
    finally:
        for c in candidates:
            c.close()


def test_a_leader_whose_connection_dies_steps_down(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no lock connection to lose")
    candidate = Candidate(db)
    try:
        candidate.election.start()
        assert candidate.elected.wait(5)
        # The server ends the leader's session (what a network cut or a server restart does).
        from sqlalchemy import text

        with db.engine.connect() as admin:
            admin.execute(
                text(
                    # pg_locks lists every database's locks: only this test's own (another
                    # test process holds the same key in its own database).
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = :key "
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"key": candidate.election.key & 0xFFFFFFFF},
            )
            admin.commit()
        assert candidate.lost.wait(5)
        # It asks again and, being alone, leads again.
        candidate.elected.clear()
        assert candidate.elected.wait(5)
    finally:
        candidate.close()
