"""Storage's error boundary: a database that is away, busy or unusable reaches the layers above
as a StorageError (from the product's one root), never as a SQLAlchemy or driver exception;
a query's own fault keeps its type."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import exc, text

from bot.errors import BriefbotError, StorageBusy, StorageError, StorageUnavailable
from storage import topics
from storage.db import make_engine, session_factory, transaction, upgrade
from tests.conftest import Database


def test_a_write_that_outwaits_the_lock_is_storage_busy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    holder = make_engine(url)
    upgrade(holder)
    waiter = make_engine(url, busy_timeout=0.05)
    with holder.connect() as held:
        held.exec_driver_sql("BEGIN IMMEDIATE")  # take SQLite's write lock and keep it
        with (
            pytest.raises(StorageBusy) as caught,
            transaction(session_factory(waiter)) as session,
        ):
            topics.get_or_create(session, "river plan")
        held.exec_driver_sql("ROLLBACK")
    assert isinstance(caught.value, BriefbotError)
    assert "locked" in caught.value.reason
    holder.dispose()
    waiter.dispose()


def test_no_pooled_connection_free_in_time_is_storage_busy(db: Database) -> None:
    engine = make_engine(db.url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    with (
        engine.connect(),  # the pool's only connection, held
        pytest.raises(StorageBusy),
        session_factory(engine)() as session,
    ):
        session.execute(text("SELECT 1"))
    engine.dispose()


def test_an_unreachable_server_is_storage_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on: the connect is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = make_engine(f"postgresql+psycopg://briefbot@127.0.0.1:{port}/briefbot")
    with pytest.raises(StorageUnavailable) as caught, session_factory(engine)() as session:
        session.execute(text("SELECT 1"))
    assert str(caught.value).startswith("cannot use the database (DATABASE_URL): ")
    assert not isinstance(caught.value, exc.SQLAlchemyError)
    with pytest.raises(StorageUnavailable):  # a plain connection too, not only sessions
        engine.connect().close()
    engine.dispose()


def test_a_query_s_own_fault_keeps_its_type(db: Database) -> None:
    with pytest.raises(exc.DBAPIError) as caught, db.factory() as session:
        session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(caught.value, StorageError)


def test_a_url_briefbot_cannot_use_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="DATABASE_URL is not a database URL"):
        make_engine("not a url at all")
