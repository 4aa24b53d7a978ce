"""`briefbot doctor`: is this set-up able to run? One line per check, each failure with a fix.

Checks the database (reachable, migrations current), the NLP pipeline, Slack tokens (`auth.test`
when Slack is reachable), the LLM endpoint (its models list, a free call) and the fetch guard.
Every network check has a short deadline, so a dead endpoint costs seconds, not minutes. The
checks return data (`Check`); `report` only formats them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url

from bot.errors import StorageError
from bot.redact import redact
from bot.settings import Settings

Status = Literal["ok", "warn", "fail"]
# Doctor's own deadline for each outside check (Slack, LLM, database connect).
DEADLINE_SECONDS = 5.0


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None


def shown_url(database_url: str) -> str:
    """The database URL with any password hidden."""
    return make_url(database_url).render_as_string(hide_password=True)


def where(settings: Settings) -> str:
    """Where this set-up keeps its data (also printed by `briefbot --version`)."""
    return f"data directory {settings.data_dir}; database {shown_url(settings.database_url)}"


def check_database(settings: Settings) -> Check:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, make_engine

    url = make_url(settings.database_url)
    fix_create = "run `briefbot db upgrade` (every command also creates it on first use)"
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(str(url.database)).expanduser()
        if not path.exists():
            return Check("database", "warn", f"no database yet at {path}", fix_create)
    connect_args = (
        {"connect_timeout": int(DEADLINE_SECONDS)}
        if url.get_backend_name() == "postgresql"
        else {"timeout": DEADLINE_SECONDS}
    )
    try:
        engine = make_engine(settings.database_url, connect_args=connect_args)
    except (StorageError, ImportError) as err:
        return Check("database", "fail", _first_line(err), "check DATABASE_URL")
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    except StorageError as err:
        return Check(
            "database",
            "fail",
            f"cannot open {shown_url(settings.database_url)}: {_first_line(err.reason)}",
            "start the database server or fix DATABASE_URL (does the database exist?)",
        )
    finally:
        engine.dispose()
    shown = shown_url(settings.database_url)
    if current is None:
        return Check("database", "warn", f"{shown} is empty (no tables yet)", fix_create)
    if current != head:
        return Check(
            "database",
            "fail",
            f"{shown} is at migration {current}, this briefbot needs {head}",
            "run `briefbot db upgrade`",
        )
    return Check("database", "ok", f"{shown}, migrations current ({head})")


def check_nlp(settings: Settings) -> Check:
    from bot.nlp import pipeline_status

    status = pipeline_status(settings.nlp_model)
    if status.available:
        return Check("nlp", "ok", f"spaCy pipeline {status.name} {status.version}")
    return Check(
        "nlp",
        "warn",
        f"running degraded: {status.reason}",
        "pip install -e '.[nlp]' (or set NLP_MODEL to an installed spaCy package)",
    )


def check_slack(settings: Settings) -> Check:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    if settings.oauth_enabled:
        return Check(
            "slack",
            "ok",
            "OAuth distribution (SLACK_CLIENT_ID): each workspace's token comes from its install",
        )
    token = settings.slack_bot_token
    if not token:
        return Check(
            "slack",
            "warn",
            "no SLACK_BOT_TOKEN: the CLI works, `serve` and `worker` will not start",
            "set SLACK_BOT_TOKEN (xoxb-…, OAuth & Permissions) in .env; see README 'Set up in "
            "Slack'",
        )
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=int(DEADLINE_SECONDS))
    try:
        reply = client.auth_test()
    except SlackApiError as err:
        code = err.response.get("error") if err.response is not None else None
        return Check(
            "slack",
            "fail",
            f"Slack refused SLACK_BOT_TOKEN ({code or 'error'})",
            "copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page",
        )
    except Exception as err:  # network: refused, timeout, DNS
        return Check(
            "slack",
            "warn",
            f"cannot reach Slack at {settings.slack_api_url}: {_first_line(err, settings)}",
            "check the network or SLACK_API_URL; the token was not verified",
        )
    mode = []
    if settings.slack_app_token:
        mode.append("Socket Mode token set")
    if settings.slack_signing_secret:
        mode.append("signing secret set")
    detail = f"bot @{reply.get('user')} in {reply.get('team')} ({reply.get('team_id')})"
    if reply.get("is_enterprise_install"):
        detail += f", org-wide install in {reply.get('enterprise_id')}"
    if not mode:
        return Check(
            "slack",
            "warn",
            detail + "; neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set",
            "set SLACK_APP_TOKEN for `serve --socket` or SLACK_SIGNING_SECRET for `serve --http`",
        )
    return Check("slack", "ok", f"{detail}; {', '.join(mode)}")


def check_llm(settings: Settings) -> Check:
    import httpx

    if not settings.llm_enabled:
        return Check("llm", "ok", "offline extractive summarizer (no LLM configured)")
    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {settings.openai_api_key}"}
    if not settings.openai_api_key:
        headers = {}
    fix = "fix OPENAI_BASE_URL / OPENAI_API_KEY, or set SUMMARIZER=extractive to stay offline"
    try:
        with httpx.Client(timeout=DEADLINE_SECONDS, trust_env=False) as http:
            response = http.get(f"{base}/models", headers=headers)
    except httpx.HTTPError as err:
        detail = f"cannot reach {base}: {_first_line(err, settings) or type(err).__name__}"
        return Check("llm", "fail", detail + " (briefs fall back to the offline summarizer)", fix)
    if response.status_code in (401, 403):
        return Check("llm", "fail", f"{base} refused the key (HTTP {response.status_code})", fix)
    if response.status_code != 200:
        # Some OpenAI-compatible servers have no models list: reachable is what we can tell.
        return Check(
            "llm",
            "ok",
            f"{base} answers (HTTP {response.status_code} on /models), "
            f"model {settings.openai_model}",
        )
    try:
        models = {str(m.get("id")) for m in response.json().get("data", [])[:1000]}
    except (ValueError, AttributeError):
        models = set()
    if models and settings.openai_model not in models:
        return Check(
            "llm",
            "warn",
            f"{base} answers but does not list model {settings.openai_model}",
            "set OPENAI_MODEL to one the server lists",
        )
    return Check("llm", "ok", f"{base}, model {settings.openai_model}")


def check_fetch_guard(settings: Settings) -> Check:
    from bot.ingest.fetch import FetchError, check_url_allowed

    if settings.fetch_allow_private:
        return Check(
            "fetch",
            "warn",
            "FETCH_ALLOW_PRIVATE=true: sources may reach private and loopback addresses",
            "keep it for local development and tests only; unset it in production",
        )
    try:
        check_url_allowed("http://127.0.0.1/", allow_private=False)
    except FetchError:
        return Check("fetch", "ok", "private and loopback addresses refused")
    return Check("fetch", "fail", "the guard let a loopback address through", "report a bug")


CHECKS: tuple[Callable[[Settings], Check], ...] = (
    check_database,
    check_nlp,
    check_slack,
    check_llm,
    check_fetch_guard,
)


def run_checks(settings: Settings) -> list[Check]:
    return [check(settings) for check in CHECKS]


def report(checks: Iterable[Check]) -> tuple[list[str], int]:
    """The lines to print and the exit status (1 when any check failed)."""
    lines, failed = [], False
    for check in checks:
        line = f"{check.status:<4}  {check.name:<8}  {check.detail}"
        if check.fix and check.status != "ok":
            line += f" → {check.fix}"
        lines.append(line)
        failed = failed or check.status == "fail"
    return lines, 1 if failed else 0


def _first_line(err: BaseException | object, settings: Settings | None = None) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    text = redact(text, settings.secrets() if settings else ())
    return text[:200]
