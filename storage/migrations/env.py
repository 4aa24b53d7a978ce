"""Alembic environment: runs migrations on the engine handed in by `storage.db.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from storage.models import Base

# PostgreSQL advisory lock keys of briefbot (bot.jobs.leader uses the next one).
MIGRATION_LOCK = 0x62726601  # "brf" 1
MIGRATION_LOCK_TIMEOUT = "15min"

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("storage.db.upgrade() passes the engine; run `briefbot db upgrade`")
        from storage.db import make_engine

        engine = make_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas start together and each migrates at start-up: one at a time, so the
            # second finds the schema at head instead of racing to create the same tables.
            # A transaction-level lock: released when this migration run commits. The engine's
            # lock_timeout (seconds, for everyday writes) would fail a replica waiting out
            # another's long migration: here the wait is bounded at MIGRATION_LOCK_TIMEOUT.
            connection.execute(text(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'"))
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
