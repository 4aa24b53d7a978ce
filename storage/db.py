"""Engine and session set-up, and running the Alembic migrations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# How long a SQLite writer waits for another's write lock before "database is locked".
DEFAULT_BUSY_TIMEOUT = 30.0


def make_engine(
    url: str,
    *,
    create_dir: bool = False,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    **kwargs: Any,
) -> Engine:
    """Create an engine. For a SQLite file: its directory must exist, unless `create_dir`
    (the default data directory is created on first use; a mistyped path is refused, not
    created); WAL mode. Writers wait up to `busy_timeout` seconds for a lock (SQLite's write
    lock; PostgreSQL's lock_timeout), then fail with an OperationalError the caller handles."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().parent
            if create_dir:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise FileNotFoundError(
                    2, "no such directory for the SQLite database (create it first)", str(folder)
                )
        # Threads (Bolt lazy listeners, the scheduler) share the engine's pool. `timeout` is
        # sqlite3's busy timeout: a writer waits this long for the lock, not forever.
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": busy_timeout})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        # Fail fast when the server is unreachable, so a Slack reply can say "temporarily
        # unavailable" within seconds instead of waiting out the OS's TCP connect timeout.
        # A lock wait is bounded like SQLite's busy timeout: a writer queued behind a long
        # transaction gives up (LockNotAvailable) instead of waiting forever.
        kwargs.setdefault(
            "connect_args",
            {"connect_timeout": 5, "options": f"-c lock_timeout={int(busy_timeout * 1000)}"},
        )
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the scheduler write while Slack handlers read.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py uses this connection instead of building its own from a URL (which could leak
    # a password into Alembic's logs and would not work for in-memory SQLite).
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`. Safe to call on every start-up.

    A database already at the newest migration is told by one query, without importing Alembic
    (a quarter of a second of CPU): every CLI command and process start calls this.
    """
    if revision == "head" and is_at_head(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


_REVISION = re.compile(r"^revision\b[^=\n]*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=\s*(?:[\"']([^\"']+)[\"']|None\b)", re.M)


def head_revision() -> str | None:
    """The newest migration's id, read from the version files' text, or None when that text
    does not say it plainly (a merge, an unusual file): callers then ask Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def is_at_head(engine: Engine) -> bool:
    """True when the database's recorded schema version is the newest migration."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            versions = [row[0] for row in connection.execute(text(_VERSION_QUERY))]
    except Exception:  # no version table yet (a new database): migrate
        return False
    return versions == [head]


_VERSION_QUERY = "SELECT version_num FROM alembic_version"


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
