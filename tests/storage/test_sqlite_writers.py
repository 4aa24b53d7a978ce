"""Concurrent writers on SQLite queue for the write lock instead of failing "database is locked"."""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

from sqlalchemy import Engine

from storage import topics
from storage.db import make_engine, session_factory, transaction


def _migrated(tmp_path: Path, template: Path) -> Engine:
    """A migrated database of its own (a copy of the run's migrated file: see conftest)."""
    path = tmp_path / "briefbot.db"
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}", busy_timeout=30)


def test_two_threads_that_read_then_write_both_commit(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    # Each transaction reads, then writes, inside a savepoint (as storage's inserts that may
    # race do): SQLite opens a savepoint outside a transaction as a deferred transaction, so
    # both read first, one takes the write lock, and SQLite refuses the other's write at once
    # ("database is locked": no busy wait for a reader becoming a writer).
    engine = _migrated(tmp_path, migrated_sqlite)
    factory = session_factory(engine)
    both_read = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with transaction(factory) as session, session.begin_nested():
                topics.list_all(session)
                # Wait until the other writer has read too, when it can. With the write lock
                # taken at BEGIN it cannot (it queues for the lock): then go on alone.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=2)
                topics.get_or_create(session, name)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("ukraine", "energy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [str(e).splitlines()[0] for e in errors] == []
    with factory() as session:
        assert sorted(t.name for t in topics.list_all(session)) == ["energy", "ukraine"]
    engine.dispose()


def test_readers_do_not_wait_for_a_writer(tmp_path: Path, migrated_sqlite: Path) -> None:
    """A plain session (a Slack handler's read) reads while a writing transaction is open."""
    engine = _migrated(tmp_path, migrated_sqlite)
    factory = session_factory(engine)
    with transaction(factory) as writing:
        topics.get_or_create(writing, "ukraine")
        writing.flush()
        with factory() as reading:
            assert topics.list_all(reading) == []  # the committed state, at once
    with factory() as reading:
        assert [t.name for t in topics.list_all(reading)] == ["ukraine"]
    engine.dispose()
