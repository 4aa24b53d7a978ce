"""Engine and session set-up, and running the Alembic migrations."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import ExceptionContext, make_url

from storage.errors import StorageBusy, StorageError, StorageUnavailable
from storage.schema import MIGRATIONS_DIR, VERSION_QUERY, head_revision

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

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
    lock; PostgreSQL's lock_timeout), then fail with StorageBusy.

    Every driver error for a database that is away, busy or refusing us leaves this engine as
    a `StorageError` (see `storage_error_for`); a URL it cannot use is one too."""
    try:
        engine = _create(url, create_dir=create_dir, busy_timeout=busy_timeout, **kwargs)
    except (exc.ArgumentError, exc.NoSuchModuleError) as err:
        raise StorageError("DATABASE_URL is not a database URL briefbot can use", what="") from err
    event.listen(engine, "handle_error", _convert_driver_error)
    return engine


def _create(url: str, *, create_dir: bool, busy_timeout: float, **kwargs: Any) -> Engine:
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
        event.listen(engine, "begin", _sqlite_begin)
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


def storage_error_for(err: BaseException) -> StorageError | None:
    """The StorageError that stands for a driver or pool failure, or None for anything else
    (a constraint violation storage handles itself, a bug in a query: those keep their type).

    The one place that decides what "the database is away or busy" looks like: a lock wait
    that ran out, a connection refused or dropped, no pooled connection free in time."""
    if isinstance(err, StorageError):
        return None
    if isinstance(err, exc.TimeoutError):  # the pool: every connection in use for pool_timeout
        return StorageBusy(_reason(err))
    if not isinstance(err, exc.DBAPIError):
        return None
    reason = _reason(err.orig if err.orig is not None else err)
    if err.connection_invalidated:
        return StorageUnavailable(reason)
    sqlite_name = getattr(err.orig, "sqlite_errorname", None)
    if sqlite_name is not None:
        return _sqlite_error(str(sqlite_name), reason)
    if not isinstance(err, exc.OperationalError):
        return None  # a constraint, a bad query: storage handles it or it is a bug
    # PostgreSQL: SQLSTATE 55P03 (lock_not_available) when lock_timeout runs out; its other
    # operational errors are a server that refused us, went away, is shutting down or
    # cancelled the statement.
    if getattr(err.orig, "sqlstate", None) == "55P03":
        return StorageBusy(reason)
    return StorageUnavailable(reason)


# SQLite names its errors. Busy and locked: another writer held the lock past the busy timeout.
# These need the user to act (a missing directory, a full disk, a file that is not a database).
# Anything else (its generic SQLITE_ERROR: no such table, a syntax error; a constraint) is the
# query's own fault and keeps its type.
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLITE_UNUSABLE = (
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "SQLITE_PERM",
)


def _sqlite_error(name: str, reason: str) -> StorageError | None:
    if name.startswith(_SQLITE_BUSY):
        return StorageBusy(reason)
    if name.startswith(_SQLITE_UNUSABLE):
        return StorageError(reason)
    return None


def _reason(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _convert_driver_error(context: ExceptionContext) -> None:
    """Engine hook: a driver error raised while connecting or running a statement leaves as a
    StorageError (SQLAlchemy still invalidates a dropped connection first)."""
    if context.is_pre_ping:
        return  # the pool's liveness probe: SQLAlchemy reconnects, the caller never sees it
    error = context.sqlalchemy_exception
    converted = storage_error_for(error) if error is not None else None
    if converted is not None:
        raise converted


@functools.cache
def _boundary_session() -> type[Session]:
    """The Session class sessions are made of, built on first use: the ORM costs a tenth of
    a second of CPU to import, which a command reading through `storage.overview` (plain SQL
    statements, no ORM) never pays."""
    from sqlalchemy.orm import Session

    class _BoundarySession(Session):
        """A Session whose `with` block lets no driver or pool error out unconverted: the
        engine hook covers statements and connects; this covers the pool's checkout timeout."""

        def __exit__(self, type_: Any, value: Any, traceback: Any) -> None:
            super().__exit__(type_, value, traceback)
            converted = storage_error_for(value) if value is not None else None
            if converted is not None:
                raise converted from value

    return _BoundarySession


# Execution option set by `transaction()`: this connection's transaction will write.
_WRITES = "briefbot_writes"


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE for a writing transaction (SQLAlchemy's pysqlite recipe, for writers
    only): it takes SQLite's write lock at the start, waiting up to the busy timeout while
    another writer holds it. Otherwise a transaction that has read (inside a savepoint, which
    SQLite opens as a deferred transaction) fails at its first write with "database is
    locked" when another writer holds the lock: SQLite does not call the busy handler for a
    reader becoming a writer. Other sessions keep pysqlite's own behaviour (reads in
    autocommit, BEGIN before the first write), so readers never wait for writers."""
    if connection.get_execution_options().get(_WRITES):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def on_begin(engine: Engine, hook: Callable[[], None]) -> None:
    """Call `hook` as each transaction of `engine` begins, before it takes any lock (the
    serving process makes its slow work let Slack acks go first there; a hook that waits
    must not hold up other writers)."""

    def call(_connection: Any) -> None:
        hook()

    event.listen(engine, "begin", call, insert=True)  # before BEGIN IMMEDIATE (above)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, class_=_boundary_session(), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error.
    Driver and pool failures leave it as StorageError (see `storage_error_for`).
    On SQLite it holds the write lock from its first statement (`_sqlite_begin`), so
    concurrent writing transactions queue instead of failing "database is locked"."""
    with factory() as session, session.begin():
        session.connection(execution_options={_WRITES: True})
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


def is_at_head(engine: Engine) -> bool:
    """True when the database's recorded schema version is the newest migration."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            versions = [row[0] for row in connection.execute(text(VERSION_QUERY))]
    except Exception:  # no version table yet (a new database): migrate
        return False
    return versions == [head]


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
