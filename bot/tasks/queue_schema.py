"""procrastinate's schema in our database: created when absent, brought up to date when older.

procrastinate ships its whole schema (`schema.sql`, for an empty database) and, for upgrades,
one SQL file per change (`sql/migrations/MM.mm.pp_NN_name.sql`, applied in name order), but
records nothing in the database about which ones a schema holds: it leaves that to the
project's migration tool. Ours (alembic, `storage/migrations`) owns our tables, so the queue's
state is kept beside procrastinate's own tables: a comment on `procrastinate_jobs` naming the
last migration the schema holds, written in the transaction that applies it.

The first process of a new version to start (a worker, or the scheduler) applies what is
missing, each file in its own transaction (some add enum values, which PostgreSQL will not
use in the transaction that added them), under an advisory lock so processes starting at once
do it once. procrastinate splits a change in "pre" files (safe while workers of the previous
version still run) and "post" files (not): both are applied, so workers of the previous
version should be stopped before the new version starts (`docker compose up` replaces them;
an old worker left running fails its polls and retries until it is replaced; its tasks keep
their rows). A schema newer than the installed procrastinate (a rollback) is left alone, with
a warning.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import procrastinate.schema

log = logging.getLogger(__name__)

__all__ = ["Migration", "available_migrations", "ensure_queue_schema", "recorded_migration"]

# Serialises the schema's creation and upgrades between processes starting at once ("brf" 4).
SCHEMA_LOCK = 0x62726604
# Waiting for that lock, or for a table lock a migration needs, ends with an error after this
# (the next start tries again) rather than hanging a start for ever.
LOCK_TIMEOUT = "60s"
_MARK = "briefbot: procrastinate schema at "
_NAME = re.compile(r"^(\d+)\.(\d+)\.(\d+)_(\d+)_[\w.-]+$")
# What a schema without a mark holds: briefbot created the queue's schema without recording it
# until it learned to upgrade it, always from procrastinate 3.10 (pyproject: >=3.10 since the
# queue was added), whose schema.sql is its migrations up to this one.
UNRECORDED = "03.04.00_50_post_add_retry_failed_job_procedure"


@dataclass(frozen=True, order=True)
class Migration:
    key: tuple[int, int, int, int]
    name: str
    path: Path | None = None

    @classmethod
    def named(cls, name: str, path: Path | None = None) -> Migration | None:
        found = _NAME.match(name)
        if found is None:
            return None
        major, minor, patch, index = (int(g) for g in found.groups())
        return cls((major, minor, patch, index), name, path)


def available_migrations() -> list[Migration]:
    """The installed procrastinate's migrations, oldest first."""
    folder = Path(procrastinate.schema.SchemaManager.get_migrations_path())
    found = (Migration.named(p.stem, p) for p in folder.glob("*.sql"))
    return sorted(m for m in found if m is not None)


def recorded_migration(connection: Any) -> str | None:
    """The last migration the database's queue schema holds, as recorded (None: no mark)."""
    row = connection.execute(
        "SELECT obj_description('procrastinate_jobs'::regclass, 'pg_class')"
    ).fetchone()
    text = (row[0] if row else None) or ""
    return text[len(_MARK) :].strip() if text.startswith(_MARK) else None


def _record(connection: Any, name: str) -> None:
    # COMMENT takes no parameters: the name is one of procrastinate's file names (checked by
    # `_NAME`, no quotes possible), quoted as a literal all the same.
    literal = (_MARK + name).replace("'", "''")
    connection.execute(f"COMMENT ON TABLE procrastinate_jobs IS '{literal}'")


def ensure_queue_schema(connection: Any) -> list[str]:
    """Create the queue's schema, or apply the migrations it lacks; the names applied
    ("schema.sql" when it was created). `connection`: psycopg, not in autocommit."""
    connection.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
    connection.commit()
    try:
        return _ensure(connection)
    finally:
        connection.rollback()  # whatever failed half-way is undone before unlocking
        connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
        connection.commit()


def _ensure(connection: Any) -> list[str]:
    migrations = available_migrations()
    latest = migrations[-1]
    present = connection.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
    if not (present and present[0]):
        connection.execute(procrastinate.schema.SchemaManager.get_schema())
        _record(connection, latest.name)
        connection.commit()
        log.info("task queue: created procrastinate's tables (%s)", latest.name)
        return ["schema.sql"]
    name = recorded_migration(connection) or UNRECORDED
    holds = Migration.named(name)
    if holds is None:
        raise RuntimeError(f"the queue's schema mark names no migration: {name!r}")
    if holds.key > latest.key:
        log.warning(
            "task queue: the database's procrastinate schema (%s) is newer than this "
            "procrastinate's (%s): left as it is; run the newer briefbot",
            holds.name,
            latest.name,
        )
        return []
    applied = []
    for migration in migrations:
        if migration.key <= holds.key or migration.path is None:
            continue
        connection.execute(migration.path.read_text(encoding="utf-8"))
        _record(connection, migration.name)
        connection.commit()
        log.info("task queue: applied procrastinate migration %s", migration.name)
        applied.append(migration.name)
    if recorded_migration(connection) is None:  # created before marks: say what it holds
        _record(connection, holds.name)
        connection.commit()
    return applied
