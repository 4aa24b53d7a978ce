"""The suite's `db` fixture: every test gets an empty database at the newest migration, though
the migrations run once per run (SQLite: a copy of a migrated file; PostgreSQL: rows deleted)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage import topics as topic_store
from storage.db import downgrade, is_at_head, make_engine, session_factory, transaction
from storage.models import Base, Topic
from tests.conftest import Database, empty_postgres


def _rows(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.name: n
            for table in Base.metadata.sorted_tables
            if (n := connection.execute(select(func.count()).select_from(table)).scalar_one())
        }


def _new_topic_id(database: Database, name: str) -> int:
    with transaction(database.factory) as session:
        return topic_store.get_or_create(session, name).id


def test_db_is_migrated_and_empty_and_a_tests_rows_stay_its_own(
    db: Database, migrated_sqlite: Path
) -> None:
    assert is_at_head(db.engine)
    assert _rows(db) == {}
    assert _new_topic_id(db, "river plan") == 1  # ids start afresh, as after migrating
    assert _rows(db) == {"topics": 1}
    if db.dialect == "sqlite":
        # The test wrote to its own copy, never to the migrated file the next test copies.
        template = make_engine(f"sqlite:///{migrated_sqlite}")
        with session_factory(template)() as session:
            assert session.scalar(select(func.count()).select_from(Topic)) == 0
        template.dispose()
        return
    # PostgreSQL: what the next test's `db` does to this database.
    empty_postgres(db.url)
    assert _rows(db) == {}
    assert _new_topic_id(db, "harbour fees") == 1
    # A test that migrated down leaves a schema deleting rows cannot repair: migrated afresh.
    db.engine.dispose()
    downgrade(db.engine, "0011")
    assert not is_at_head(db.engine)
    empty_postgres(db.url)
    assert is_at_head(db.engine)
    assert _rows(db) == {}
