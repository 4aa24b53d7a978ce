"""Fixtures shared by the whole suite: a fresh, migrated database on SQLite and PostgreSQL.

PostgreSQL runs when TEST_DATABASE_URL is set (CI sets it); otherwise those cases skip with the
reason. Each test gets an empty schema, in a database the run creates for itself beside the named
one (the named database itself is never touched).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory, upgrade

# $BRIEFBOT_CORPUS (as in tests/reliability), else ../shared/corpus beside the repository (a
# worktree elsewhere names it through the variable).
SHARED_CORPUS = Path(
    os.environ.get("BRIEFBOT_CORPUS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
)


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The default database lives in the user's data directory: never let a test (or a CLI it
    runs in a subprocess) touch the real one."""
    saved = os.environ.get("BRIEFBOT_DATA_DIR")
    os.environ["BRIEFBOT_DATA_DIR"] = str(tmp_path_factory.mktemp("briefbot-data"))
    yield
    if saved is None:
        os.environ.pop("BRIEFBOT_DATA_DIR", None)
    else:
        os.environ["BRIEFBOT_DATA_DIR"] = saved


@dataclass
class Database:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def reset_postgres(url: str) -> None:
    """Empty the run's own database (never TEST_DATABASE_URL's own: see run_postgres_url)."""
    if not _is_run_database(url):
        raise RuntimeError(f"refusing to reset a database this test run did not create: {url}")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


_RUN_SUFFIX = f"_briefbot_run_{os.getpid()}"
_run_url: str | None = None


def _is_run_database(url: str) -> bool:
    return make_url(url).database is not None and str(make_url(url).database).endswith(_RUN_SUFFIX)


def run_postgres_url() -> str | None:
    """A database created for this test run beside the one TEST_DATABASE_URL names.

    The fixtures empty their database before each test; doing that to the named database would
    destroy whatever someone keeps there, and two runs sharing one would wipe each other's
    tables. So each run creates `<name>_briefbot_run_<pid>` (dropped when the run ends) and
    only ever resets that one.
    """
    global _run_url
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    if _run_url is None:
        url = make_url(base)
        run_name = f"{url.database}{_RUN_SUFFIX}"
        admin = make_engine(base)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{run_name}"'))
        admin.dispose()
        _run_url = url.set(database=run_name).render_as_string(hide_password=False)
    return _run_url


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _run_url is None:
        return
    base = os.environ["TEST_DATABASE_URL"]
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        name = make_url(_run_url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_urls() -> list[object]:
    pg = run_postgres_url()
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
