"""Fixtures shared by the whole suite: a fresh, migrated database on SQLite and PostgreSQL.

PostgreSQL runs when TEST_DATABASE_URL is set (CI sets it); otherwise those cases skip with the
reason. Each test gets an empty schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory, upgrade

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@dataclass
class Database:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_urls() -> list[object]:
    pg = os.environ.get("TEST_DATABASE_URL")
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param(
            pg or "postgres",
            id="postgres",
            marks=pytest.mark.skipif(not pg, reason="TEST_DATABASE_URL not set (PostgreSQL)"),
        ),
    ]


@pytest.fixture(params=database_urls())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's URL (not migrated): SQLite in tmp_path, or a reset PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'briefbot.db'}"
    reset_postgres(request.param)
    return str(request.param)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database on each engine."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield Database(db_url, engine, session_factory(engine))
    engine.dispose()
