"""Named locks across processes: a PostgreSQL session advisory lock held while a block runs.

What a brief's single-flight uses so that, with many worker processes, one topic-window is
summarized (one LLM call) once: the first process holds the lock while it summarizes, the
others wait for it and then find the brief in the cache. SQLite has one process writing a
file, so there the block simply runs (the in-process single-flight covers it).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

# The class half of the two-key advisory lock (bot.service.leader uses the one-key space).
_LOCK_CLASS = 0x62726603  # "brf" 3
_POLL_SECONDS = 0.1


def _object_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


@contextlib.contextmanager
def across_processes(
    factory: sessionmaker[Session], name: str, *, wait_seconds: float
) -> Iterator[bool]:
    """Hold the lock `name` while the block runs; yields False (and holds nothing) when another
    process kept it for `wait_seconds`. Bounded: polled, never an unbounded blocking wait."""
    with factory() as probe:
        engine = probe.get_bind()
    if engine.dialect.name != "postgresql":
        yield True
        return
    params = {"cls": _LOCK_CLASS, "obj": _object_key(name)}
    deadline = time.monotonic() + max(0.0, wait_seconds)
    connection = engine.connect()
    try:
        while True:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:cls, :obj)"), params
            ).scalar()
            connection.commit()  # no transaction left open while the lock is held
            if got or time.monotonic() >= deadline:
                break
            time.sleep(_POLL_SECONDS)
        try:
            yield bool(got)
        finally:
            if got:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:cls, :obj)"), params)
                    connection.commit()
                except Exception:
                    # The session may still hold the lock: never hand it back to the pool.
                    connection.invalidate()
    finally:
        connection.close()
