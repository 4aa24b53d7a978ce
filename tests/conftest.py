"""Fixtures shared by the whole suite: a fresh, migrated database on SQLite and PostgreSQL.

PostgreSQL runs when TEST_DATABASE_URL is set (CI sets it); otherwise those cases skip with the
reason. Each test gets an empty schema, in a database the run creates for itself beside the named
one (the named database itself is never touched).
"""

from __future__ import annotations

import importlib
import os
import shutil
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, MetaData, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory, upgrade

# $BRIEFBOT_CORPUS (as in tests/reliability), else ../shared/corpus beside the repository (a
# worktree elsewhere names it through the variable).
SHARED_CORPUS = Path(
    os.environ.get("BRIEFBOT_CORPUS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
)


# At most this many test processes: each loads its own NLP model and database.
MAX_WORKERS = 4


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run the suite on one worker more than the CPUs (up to MAX_WORKERS; one process on one
    CPU) when pytest-xdist is installed (the `dev` extra) and pytest was given directories to
    run, not files or single tests: most of the suite's time is waiting on local servers and
    threads, which overlaps well. `-n 0`
    runs in one process (as does `--pdb`); `-n N` chooses. Every worker has its own
    databases (see `run_postgres_url`), and a test file stays on one worker (`loadfile`)."""
    if not config.pluginmanager.hasplugin("xdist") or "PYTEST_XDIST_WORKER" in os.environ:
        return
    if config.option.numprocesses is not None or config.option.dist != "no":
        return  # the command line chose
    if config.getoption("usepdb") or config.option.collectonly:
        return
    here = config.invocation_params.dir
    if not all((here / arg.split("::")[0]).is_dir() for arg in config.args):
        return  # a file or a test: starting workers would cost more than it saves
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # One worker more than the CPUs: a worker waiting on a local server or a deadline leaves
    # its CPU to the spare one (2 Dec, idle 2-core machine, `-m "not slow"`: 2 workers 61.7 s,
    # 3 workers 49.4 s, the same 1,470 tests).
    workers = min((cpus or 1) + 1, MAX_WORKERS) if (cpus or 1) > 1 else 1
    if workers > 1:
        config.option.numprocesses = workers
        config.option.dist = "loadfile"


@pytest.fixture(autouse=True, scope="session")
def _worker_pools() -> Iterator[None]:
    """Stop the page-extraction and brief worker processes the tests started when the session
    ends: a pytest-xdist worker exits without running exit handlers, and would leave them."""
    yield
    from bot.worker_processes import close_shared

    close_shared()


@pytest.fixture(autouse=True)
def _no_ack_quiet_period(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow work after an ack starts once no Slack request has been answered for
    `ACK_QUIET_SECONDS` (0.1 s: a burst of acks counts as one; `bench/ack_latency.py`). A test
    sends one request at a time and waits for what follows, so each would wait it out: about
    0.1 s per command, seconds per scenario file. Tests marked `ack_quiet_period` (the ones
    checking it) keep the product's value."""
    if request.node.get_closest_marker("ack_quiet_period") is None:
        from bot.slack import pools

        monkeypatch.setattr(pools, "ACK_QUIET_SECONDS", 0.0)


@pytest.fixture(autouse=True, scope="session")
def _loaded_models_outside_the_collector() -> Iterator[None]:
    """What collection imported (every module of the project and its libraries: openai's
    types, SQLAlchemy, Bolt…) and, later, a loaded spaCy pipeline are moved out of the garbage
    collector's generations (`gc.freeze`): otherwise every collection of the older generations
    walks them again (full ones 160-215 ms, 17-19 per test process; gc.callbacks). `pytest -m
    "not slow"` on 2 cores at load 1.5-3: 76-85 s without, 60.7 and 61.0 s with. Garbage the
    tests make is collected as before."""
    import gc

    from bot import nlp

    load = nlp._load

    def load_then_freeze(setting: str) -> Any:
        entry = load(setting)
        gc.freeze()
        return entry

    gc.freeze()  # what collection imported: every module of the project and its libraries
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nlp, "_load", load_then_freeze)
        yield


@pytest.fixture(autouse=True)
def _ingest_in_the_test_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings made inside a test extract and analyse pages in the ingest threads:
    INGEST_PROCESSES defaults to 0 here, not to the CPU count. Each test process otherwise
    starts a fork server and analysis and extraction workers that load their own spaCy model,
    and every ingest ships its articles there and back: on the ingest-heavy files that was a
    fifth more CPU (process trees measured side by side: 14.0 s vs 11.5 s), and the first
    ingest of each test process waited for the workers to start. The pools keep their own
    tests (tests/ingest/test_extract_pool.py, test_background_analysis.py, which set
    INGEST_PROCESSES), and so does every briefbot run as a subprocess (the product's default);
    a test that sets INGEST_PROCESSES, or is marked `worker_processes`, keeps its value."""
    if request.node.get_closest_marker("worker_processes") is None:
        from bot import settings

        monkeypatch.setattr(settings, "_default_ingest_processes", lambda: 0)


@pytest.fixture
def slack_retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The Slack SDK's retry handlers (429 after its Retry-After plus up to 1 s of jitter, 5xx
    after a 0.5 s backoff plus jitter) record how long they would wait instead of sleeping:
    seconds per test that checks a retry, with nothing to show for them. The list holds the
    waits asked for, in order, for the test to check."""
    from slack_sdk.http_retry import builtin_handlers, handler

    waits: list[float] = []
    clock = SimpleNamespace(sleep=waits.append)
    for module in (builtin_handlers, handler):  # each calls `time.sleep` through its module
        monkeypatch.setattr(module, "time", clock)
    return waits


@pytest.fixture(autouse=True, scope="session")
def _one_default_ssl_context() -> Iterator[None]:
    """Every httpx client (and transport) builds an SSL context and parses certifi's whole CA
    bundle into it: about 30 ms of CPU each (150 ms on a busy machine), though the suite only
    ever talks plain HTTP to local servers. The tests make hundreds (a client per signed
    request, per Briefbot, per LLM transport): a seventh of the Slack tests' time, profiled.
    The default context (verify=True, no client certificate, the same SSL_CERT_* variables) is
    the same every time, and a context is made to be shared, so the run builds it once."""
    with pytest.MonkeyPatch.context() as patch:
        for package in ("httpx", "httpx2"):  # httpx2: the openai SDK's fork
            try:
                config = importlib.import_module(f"{package}._config")
                transports = importlib.import_module(f"{package}._transports.default")
            except ImportError:
                continue
            shared = _shared_default_context(config.create_ssl_context)
            for module in (config, transports, importlib.import_module(package)):
                patch.setattr(module, "create_ssl_context", shared)
        yield


def _shared_default_context(create: Callable[..., ssl.SSLContext]) -> Callable[..., ssl.SSLContext]:
    made: dict[tuple[object, ...], ssl.SSLContext] = {}

    def create_ssl_context(
        verify: object = True, cert: object = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        # The CA certificates come from SSL_CERT_FILE or SSL_CERT_DIR when set, else certifi.
        key = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in made:
            made[key] = create(verify=True, cert=None, trust_env=trust_env)
        return made[key]

    return create_ssl_context


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
    """The two engines as parameters: "sqlite" and "postgres" (skipped without
    TEST_DATABASE_URL). `database_url(param)` makes one a URL; the PostgreSQL database is only
    created when a test first needs it (not in a process that only distributes tests)."""
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param(
            "postgres",
            id="postgres",
            marks=pytest.mark.skipif(
                not os.environ.get("TEST_DATABASE_URL"),
                reason="TEST_DATABASE_URL not set (PostgreSQL)",
            ),
        ),
    ]


def database_url(param: str) -> str:
    """A `database_urls` parameter as a URL: "sqlite" as is, "postgres" the run's database."""
    if param == "sqlite":
        return param
    url = run_postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL)")
    return url


@pytest.fixture(params=database_urls())
def db_backend(request: pytest.FixtureRequest) -> str:
    """The database a `db_url` or `db` test runs on: "sqlite", or the run's PostgreSQL URL."""
    return database_url(str(request.param))


@pytest.fixture
def db_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database's URL (not migrated): SQLite in tmp_path, or a reset PostgreSQL."""
    if "db" in request.fixturenames:
        # On PostgreSQL both are the run's one database: emptying it would drop `db`'s tables.
        raise RuntimeError("a test takes either `db` (migrated) or `db_url` (empty), not both")
    if db_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'briefbot.db'}"
    reset_postgres(db_backend)
    return db_backend


@pytest.fixture
def db(db_backend: str, tmp_path: Path, migrated_sqlite: Path) -> Iterator[Database]:
    """A migrated, empty database on each engine.

    Migrating costs about half a second on SQLite and one to three on PostgreSQL, and most
    tests need only empty tables: SQLite gets a copy of a file migrated once per run, and
    PostgreSQL keeps its migrated schema between tests with every row deleted (see
    `empty_postgres`).
    """
    if db_backend == "sqlite":
        path = tmp_path / "briefbot.db"
        shutil.copyfile(migrated_sqlite, path)
        url = f"sqlite:///{path}"
    else:
        url = db_backend
        empty_postgres(url)
    engine = make_engine(url)
    yield Database(url, engine, session_factory(engine))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest migration, closed (its WAL folded in), for `db` to copy."""
    path = tmp_path_factory.mktemp("migrated") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection's close checkpoints the WAL into the file
    for suffix in ("-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            raise RuntimeError(f"{path}{suffix} left after closing: a copy would miss rows")
    return path


@dataclass
class _MigratedSchema:
    """What the run's PostgreSQL database looks like just after `upgrade`."""

    fingerprint: list[tuple[str, ...]]
    tables: list[str]  # children before parents: the order rows can be deleted in
    sequences: list[str]


_pg_schema: _MigratedSchema | None = None

_COLUMNS = text(
    "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
    "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
)


def _fingerprint(connection: Connection) -> list[tuple[str, ...]]:
    """Tables, columns and the recorded migration: a test that migrated down, added a column
    or dropped a table leaves a different fingerprint, and the next test migrates afresh."""
    columns = [tuple(str(v) for v in row) for row in connection.execute(_COLUMNS)]
    try:
        versions = [(str(v),) for (v,) in connection.execute(text(_VERSION_QUERY))]
    except Exception:
        return []  # no alembic_version: not migrated
    return columns + versions


_VERSION_QUERY = "SELECT version_num FROM alembic_version ORDER BY 1"


def empty_postgres(url: str) -> None:
    """Leave the run's database migrated and without rows, as `upgrade` on an empty schema
    does, but in tens of milliseconds instead of seconds: delete every row (children first)
    and restart the sequences, when the schema is still the one migrated; otherwise reset
    and migrate again."""
    global _pg_schema
    if not _is_run_database(url):
        raise RuntimeError(f"refusing to empty a database this test run did not create: {url}")
    engine = make_engine(url)
    try:
        if _pg_schema is not None:
            with engine.begin() as connection:
                if _fingerprint(connection) == _pg_schema.fingerprint:
                    for table in _pg_schema.tables:
                        connection.execute(text(f'DELETE FROM "{table}"'))
                    for sequence in _pg_schema.sequences:
                        connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
                    return
        reset_postgres(url)
        upgrade(engine)
        with engine.connect() as connection:
            _pg_schema = _describe(connection)
    finally:
        engine.dispose()


def _describe(connection: Connection) -> _MigratedSchema:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]
    for table in tables:
        # Deleting rows is only the same as migrating afresh when migrating leaves none.
        if connection.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar():
            raise RuntimeError(f"the migrations leave rows in {table}: teach empty_postgres")
    sequences = [
        str(name)
        for (name,) in connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        )
    ]
    return _MigratedSchema(_fingerprint(connection), tables, sequences)
