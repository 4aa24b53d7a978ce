"""One scheduler among many processes: leader election with a PostgreSQL advisory lock.

Every `briefbot worker` and every `briefbot serve` without `--no-scheduler` is a candidate.
A candidate holds a dedicated database connection and asks `pg_try_advisory_lock(KEY)` every
`poll_seconds`; the one that gets it is the leader and runs the scheduler (digests, scheduled
ingest, sweeps). PostgreSQL releases the lock when the leader's session ends: the process
exits or is killed (kill -9 included: the server notices the closed socket) or its
connection drops. The next candidate to ask gets it, so a dead leader is replaced within
about `poll_seconds` plus the server's notice of the dead connection.

The leader checks its lock connection on every poll; when the check fails it stops its
scheduler at once (`on_lost`), since another process may be leader by then. A digest
claimed by a leader that died is retaken by the next leader's first sweep (see
`bot.jobs.scheduler.sweep_job`), and a post that went out before the death is found by its
message metadata instead of being posted again (`bot.jobs.digest`).

SQLite has no advisory locks and no second process writing the same file: there the one
process is the leader from the start.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from bot import metrics

__all__ = ["LEADER_LOCK", "LeaderElection"]

log = logging.getLogger(__name__)

LEADER_LOCK = 0x62726602  # "brf" 2 (storage/migrations/env.py has 1)


class LeaderElection:
    """Run `on_elected` when this process becomes leader and `on_lost` when it stops being one.

    Callbacks run on the election thread. `stop()` steps down (calling `on_lost` if leader)
    and releases the lock.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        on_elected: Callable[[], None],
        on_lost: Callable[[], None],
        poll_seconds: float = 5.0,
        key: int = LEADER_LOCK,
    ) -> None:
        self.engine = engine
        self.on_elected = on_elected
        self.on_lost = on_lost
        self.poll_seconds = poll_seconds
        self.key = key
        self.is_leader = False
        self._connection: Connection | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def needs_lock(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="leader-election", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_seconds + 10)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self.is_leader:
                    if not self._still_holding():
                        self._step_down("lost its database session")
                elif self._acquire():
                    self.is_leader = True
                    metrics.set_leader(True)
                    log.info("leader: this process now runs the scheduler")
                    try:
                        self.on_elected()
                    except Exception:
                        log.exception("leader: starting the scheduler failed; stepping down")
                        self._step_down("could not start")
                self._stop.wait(self.poll_seconds)
        finally:
            if self.is_leader:
                self._step_down("shutting down")
            self._close()

    def _acquire(self) -> bool:
        if not self.needs_lock:
            return True
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
                # Out of the pool: closing it must end the session (and so free the lock),
                # never hand a lock-holding connection to other code.
                self._connection.detach()
            got = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
            self._connection.commit()  # no transaction left open on the lock connection
            return bool(got)
        except Exception as err:
            log.warning("leader: could not ask for the lock (%s); retrying", type(err).__name__)
            self._close()
            return False

    def _still_holding(self) -> bool:
        if not self.needs_lock:
            return True
        try:
            assert self._connection is not None
            self._connection.execute(text("SELECT 1")).scalar()
            self._connection.commit()
            return True
        except Exception:
            return False

    def _step_down(self, why: str) -> None:
        self.is_leader = False
        metrics.set_leader(False)
        log.warning("leader: stepping down (%s)", why)
        try:
            self.on_lost()
        except Exception:
            log.exception("leader: stopping the scheduler failed")
        if self._connection is not None and self.needs_lock:
            with contextlib.suppress(Exception):
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self._connection.commit()
        self._close()

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
