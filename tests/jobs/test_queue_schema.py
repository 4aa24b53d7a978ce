"""procrastinate's schema, deployed by an earlier version, is brought up to the installed
procrastinate's when a worker starts (issue 18): on a real PostgreSQL database, each case in
a schema of its own (search_path), so the run's database keeps only what the suite migrated."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.tasks.queue_schema import (
    UNRECORDED,
    available_migrations,
    ensure_queue_schema,
    recorded_migration,
)
from tests.conftest import Database

# procrastinate 3.2's schema: its migrations up to this one (3.3 and 3.4 changed job fetching
# and added retrying failed jobs).
OLDER = "03.02.00_50_post_batch_defer_jobs"


class _Schemas:
    """psycopg connections whose search_path is a fresh, empty schema of their own."""

    def __init__(self, psycopg: Any, conninfo: str) -> None:
        self._psycopg = psycopg
        self._conninfo = conninfo
        self.made: list[str] = []

    def connect(self, schema: str | None = None) -> Any:
        if schema is None:
            schema = f"q_{uuid.uuid4().hex[:10]}"
            with self._psycopg.connect(self._conninfo, autocommit=True) as admin:
                admin.execute(f"CREATE SCHEMA {schema}")
            self.made.append(schema)
        return self._psycopg.connect(self._conninfo, options=f"-c search_path={schema}")

    def drop(self) -> None:
        with self._psycopg.connect(self._conninfo, autocommit=True) as admin:
            for schema in self.made:
                admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def schemas(db: Database) -> Iterator[_Schemas]:
    if db.dialect != "postgresql":
        pytest.skip("the task queue runs on PostgreSQL")
    import psycopg

    from bot.tasks.postgres import libpq_url

    made = _Schemas(psycopg, libpq_url(db.url))
    try:
        yield made
    finally:
        made.drop()


def _apply_up_to(connection: Any, last: str) -> None:
    """A schema as an older procrastinate left it: its migrations, in order, up to `last`."""
    for migration in available_migrations():
        assert migration.path is not None
        connection.execute(migration.path.read_text(encoding="utf-8"))
        connection.commit()
        if migration.name == last:
            return
    raise AssertionError(f"no migration {last}")


def _shape(connection: Any) -> dict[str, list[tuple[str, ...]]]:
    """The schema's tables' columns, its functions (with their bodies), enum values, indexes."""
    queries = {
        "columns": "SELECT table_name, column_name, data_type, is_nullable, "
        "coalesce(column_default, '') FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY 1, 2",
        "functions": "SELECT p.proname, pg_get_function_identity_arguments(p.oid), "
        "md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() ORDER BY 1, 2",
        "enums": "SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t "
        "ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() ORDER BY 1, 2",
        "indexes": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
        "ORDER BY 1",
    }
    return {
        name: [tuple(str(v) for v in row) for row in connection.execute(query)]
        for name, query in queries.items()
    }


def test_an_older_queue_schema_is_upgraded_to_the_installed_procrastinates(
    schemas: _Schemas,
) -> None:
    """A schema deployed by procrastinate 3.2 (recorded as such) gets the later migrations,
    once, and ends up as the installed procrastinate creates it afresh."""
    latest = available_migrations()[-1].name
    with schemas.connect() as fresh:
        assert ensure_queue_schema(fresh) == ["schema.sql"]
        assert recorded_migration(fresh) == latest
        expected = _shape(fresh)
    with schemas.connect() as old:
        _apply_up_to(old, OLDER)
        old.execute(
            f"COMMENT ON TABLE procrastinate_jobs IS 'briefbot: procrastinate schema at {OLDER}'"
        )
        old.commit()
        assert _shape(old) != expected  # what the upgrade has to do
        applied = ensure_queue_schema(old)
        assert applied[0].startswith("03.03.00") and applied[-1] == latest
        assert recorded_migration(old) == latest
        assert _shape(old) == expected
        assert ensure_queue_schema(old) == []  # the next start: nothing to do


def test_a_schema_created_before_it_was_recorded_is_taken_as_procrastinate_3_10s(
    schemas: _Schemas,
) -> None:
    """Earlier briefbot created the queue's schema (procrastinate 3.10's) without a mark: it
    is recorded as that, and only later migrations would be applied."""
    with schemas.connect() as connection:
        _apply_up_to(connection, UNRECORDED)
        assert recorded_migration(connection) is None
        later = [m.name for m in available_migrations() if m.name > UNRECORDED]
        assert ensure_queue_schema(connection) == later
        assert recorded_migration(connection) == available_migrations()[-1].name


def test_a_newer_schema_than_procrastinates_is_left_alone(schemas: _Schemas) -> None:
    with schemas.connect() as connection:
        ensure_queue_schema(connection)
        connection.execute(
            "COMMENT ON TABLE procrastinate_jobs IS 'briefbot: procrastinate schema at 99.0.0_01_x'"
        )
        connection.commit()
        assert ensure_queue_schema(connection) == []
        assert recorded_migration(connection) == "99.0.0_01_x"
