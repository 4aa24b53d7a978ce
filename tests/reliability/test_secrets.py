"""Secrets never leave the process: a full Slack + LLM scenario at DEBUG, then every log line,
error message, stored error and LLM call row is searched for them.

The scenario: articles ingested (one feed URL carrying a user token fails), `/brief` over HTTP
twice (the LLM first refuses with an error that echoes the key and tokens, then answers), two
questions in the brief's thread (one answered by the LLM, one after an LLM error), and a
`/brief sources` listing. Logging is configured exactly as `briefbot serve` does it.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from bot.core import Briefbot
from bot.errors import SettingsError
from bot.logformat import configure_logging
from bot.service.briefs import STAND_IN_SECONDS
from bot.settings import Settings
from storage.models import Article, LLMCall, Source
from storage.models import Brief as BriefRow
from testkit.fake_llm import FakeLLMServer, error, ok_json
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_body, post_signed, slash_command_body
from tests.conftest import Database
from tests.ingest.conftest import LocalServer, LoopbackOnlyTransport
from tests.slack.conftest import serve_app, write_articles

BOT_TOKEN = "xoxb-7391-2846-Zq8rT5secretBOT"
APP_TOKEN = "xapp-1-A0SECRET-8462-secretAPPtoken"
USER_TOKEN = "xoxp-5521-9937-secretUSERtoken"
API_KEY = "sk-proj-Secret4PIkey7c1e9b2d"
SIGNING_SECRET = "5e1f0c9a7b3d42e8a6c4f2b0d8e6a4c2"  # hex, like Slack's: no token shape
SECRETS = {
    "bot token": BOT_TOKEN,
    "app token": APP_TOKEN,
    "user token": USER_TOKEN,
    "API key": API_KEY,
    "signing secret": SIGNING_SECRET,
}
TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"
OWN_LOGGERS = ("bot", "briefbot", "storage", "prompts")


def leaks(text: str) -> list[str]:
    """Which secrets `text` contains (also upper/lower-cased, as some messages change case)."""
    found = []
    for name, secret in SECRETS.items():
        for form in {secret, secret.lower(), secret.upper()}:
            if form in text:
                found.append(name)
                break
    return found


class RawRecords(logging.Handler):
    """Sees every record before the production handler's redaction rewrites it; `stderr` is
    what the production handler wrote."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []
        self.stderr = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append((record.name, text))


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[RawRecords]:
    """Root logging as `briefbot serve` sets it up (stderr, redacting, DEBUG), with caplog after
    it and a raw recorder before it. The production handler keeps its formatter and redacting
    filter; only its stream is swapped for a buffer (pytest's own stderr capture swaps
    sys.stderr between phases, which a handler holding the old one cannot follow)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    caplog.set_level(logging.DEBUG)
    configure_logging("DEBUG", [BOT_TOKEN, APP_TOKEN, API_KEY, SIGNING_SECRET])
    raw = RawRecords()
    (production,) = root.handlers
    assert isinstance(production, logging.StreamHandler)
    production.setStream(raw.stderr)
    root.handlers.insert(0, raw)
    root.addHandler(caplog.handler)
    try:
        yield raw
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.getLogger("httpx").setLevel(logging.NOTSET)


def _summary(ids: list[str]) -> dict[str, list[dict[str, object]]]:
    return {
        "key_provisions": [
            {"text": "The council approved the river restoration plan.", "source_ids": ids[:1]}
        ],
        "open_questions": [
            {"text": "Who will fund the second phase is unclear.", "source_ids": ids[:1]}
        ],
        "next_steps": [{"text": "Construction begins in September.", "source_ids": ids}],
    }


def _echoing_error(status: int) -> object:
    """What a careless upstream says: the key, the auth header and tokens, echoed back."""
    return error(
        status,
        f"Incorrect API key provided: {API_KEY}. Authorization: Bearer {API_KEY}; "
        f"context token={BOT_TOKEN} app={APP_TOKEN} user={USER_TOKEN}",
    )


def test_full_scenario_leaks_no_secret(
    db: Database,
    fake_slack: FakeSlack,
    server: LocalServer,
    tmp_path: Path,
    production_logging: RawRecords,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    llm = FakeLLMServer().start()
    settings = Settings.from_env(
        environ={
            "DATABASE_URL": db.url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.base_url,
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_MODEL": "test-model",
            "OPENAI_TIMEOUT": "30",
            "SUMMARIZER": "llm",
            "LOG_LEVEL": "DEBUG",
            "FETCH_ALLOW_PRIVATE": "true",
            "NEWS_SEARCH_FEED_URL": server.url("/search?q={query}"),
        },
        dotenv_path=None,
    )
    assert set(settings.secrets()) == {BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, API_KEY}
    core = Briefbot(
        settings,
        engine=db.engine,
        http_transport=LoopbackOnlyTransport(),
        llm_http_client=httpx.Client(trust_env=False),
    )
    try:
        folder = write_articles(tmp_path / "articles", core.clock().isoformat())
        # a feed URL carrying a user token (pasted from somewhere): it fails, loudly
        leaky_feed = server.add(f"/feed.xml?access_token={USER_TOKEN}&key={API_KEY}", status=403)
        report = core.ingest([str(folder), leaky_feed], topic="river plan")
        assert report.failed_count == 1 and report.ok_count == 1
        with core.factory() as session:
            ids = [str(a.id) for a in session.scalars(select(Article).order_by(Article.id))]
        llm.reply(
            _echoing_error(401),  # first /brief: refused, falls back to the extractive brief
            ok_json(_summary(ids)),  # second /brief: an LLM brief
            ok_json({"found": True, "answer": "In September.", "source_ids": ids[:1]}),
            _echoing_error(401),  # second question: answered offline
        )
        with serve_app(settings, core, fake_slack) as app:
            for n in (1, 2):
                body = slash_command_body(
                    text="river plan",
                    team_id=TEAM,
                    channel_id=CHANNEL,
                    user_id=USER,
                    response_url=fake_slack.response_url(f"b{n}"),
                )
                assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
                fake_slack.wait_for("chat.postMessage", count=n, timeout=30)
                # The offline brief that stood in for the refused LLM is served for
                # STAND_IN_SECONDS: let it expire, so the second /brief asks the LLM again.
                _expire_stand_ins(core)
            briefs = fake_slack.calls_to("chat.postMessage")
            assert "LLM: test-model" in json.dumps(briefs[1].params)  # the LLM path ran
            root_ts = briefs[1].response["ts"]
            for n, question in enumerate(
                ("When does construction begin?", "Who will fund the second phase?"), 1
            ):
                event = {
                    "type": "message",
                    "channel": CHANNEL,
                    "user": USER,
                    "text": question,
                    "ts": f"1800000000.00010{n}",
                    "thread_ts": root_ts,
                }
                body = event_body(event, team_id=TEAM, event_id=f"EvS{n}")
                assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
                fake_slack.wait_for("chat.postMessage", count=2 + n, timeout=30)
            listing = slash_command_body(
                text="sources river plan",
                team_id=TEAM,
                channel_id=CHANNEL,
                user_id=USER,
                response_url=fake_slack.response_url("src"),
            )
            assert post_signed(app.url, listing, SIGNING_SECRET).status_code == 200
            fake_slack.wait_for("response_url", timeout=20)
            time.sleep(0.3)
    finally:
        llm.stop()

    # the secrets were really in use (otherwise finding none proves nothing)
    assert all(r.headers["authorization"] == f"Bearer {API_KEY}" for r in llm.requests)
    assert len(llm.requests) == 4 and llm.pending == 0
    assert {c.token for c in fake_slack.calls_to("chat.postMessage")} == {BOT_TOKEN}

    # logs: the stderr stream, the records caplog saw, and our own loggers even before redaction
    stderr = production_logging.stderr.getvalue()
    assert "DEBUG" in stderr and "falling back" in stderr and "LLM answer failed" in stderr
    assert leaks(stderr) == [], [line for line in stderr.splitlines() if leaks(line)]
    assert leaks(capfd.readouterr().err) == []  # anything else written to stderr directly
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    assert leaks(caplog.text) == []
    own = [text for name, text in production_logging.lines if name.startswith(OWN_LOGGERS)]
    assert own and [t for t in own if leaks(t)] == []

    # error messages: stored on sources, in LLM call rows, and everything posted to Slack
    with core.factory() as session:
        errors = [s.last_error or "" for s in session.scalars(select(Source))]
        calls = list(session.scalars(select(LLMCall).order_by(LLMCall.id)))
    assert any("403" in e for e in errors) and [e for e in errors if leaks(e)] == []
    outcomes = [c.outcome for c in calls]
    assert outcomes.count("ok") == 2 and "error" in outcomes and "fallback" in outcomes
    rows = [" ".join(str(getattr(c, col.key)) for col in LLMCall.__table__.columns) for c in calls]
    assert [r for r in rows if leaks(r)] == [], rows
    assert any("[redacted]" in (c.error or "") for c in calls)  # the echo was there, masked
    posted = [json.dumps(c.params) for c in fake_slack.calls]
    assert [p for p in posted if leaks(p)] == []
    assert leaks(str(report.failures())) == []


# -- settings errors --------------------------------------------------------------------------

# (case, environment): each is malformed, several with a secret pasted into the wrong variable.
MALFORMED_SETTINGS: tuple[tuple[str, dict[str, str]], ...] = (
    ("bot token with app prefix", {"SLACK_BOT_TOKEN": APP_TOKEN}),
    ("user token as bot token", {"SLACK_BOT_TOKEN": USER_TOKEN}),
    ("bot token as app token", {"SLACK_APP_TOKEN": BOT_TOKEN}),
    ("key in the base URL", {"OPENAI_BASE_URL": API_KEY}),
    ("key in a base URL", {"OPENAI_BASE_URL": f"ftp://user:{API_KEY}@llm.example/v1"}),
    ("token as Slack URL", {"SLACK_API_URL": BOT_TOKEN}),
    ("key in search URL", {"NEWS_SEARCH_FEED_URL": f"https://n.example/?key={API_KEY}"}),
    ("key as a flag", {"OPENAI_API_KEY": API_KEY, "FETCH_ALLOW_PRIVATE": API_KEY}),
    ("token as a flag", {"DIGEST_SKIP_EMPTY": USER_TOKEN}),
    ("key as log level", {"LOG_LEVEL": API_KEY}),
    ("token as log level", {"SLACK_BOT_TOKEN": BOT_TOKEN, "LOG_LEVEL": BOT_TOKEN}),
    ("key as summarizer", {"SUMMARIZER": API_KEY}),
    (
        "secret as timeout",
        {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "OPENAI_TIMEOUT": SIGNING_SECRET},
    ),
    ("secret as port", {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": SIGNING_SECRET}),
    ("token as size", {"FETCH_MAX_BYTES": APP_TOKEN}),
    ("token as interval", {"INGEST_INTERVAL_MINUTES": USER_TOKEN}),
    ("key as database", {"DATABASE_URL": API_KEY}),
    ("bad flag beside secrets", {"OPENAI_API_KEY": API_KEY, "FETCH_TIMEOUT": "soon"}),
)


@pytest.mark.parametrize(
    ("case", "environ"), MALFORMED_SETTINGS, ids=[c for c, _ in MALFORMED_SETTINGS]
)
def test_settings_errors_never_show_a_secret(case: str, environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(environ=environ, dotenv_path=None)
    message = str(info.value)
    assert leaks(message) == [], message
    assert "\n" not in message and len(message) < 300
    # still names the variable at fault
    assert any(name in message for name in environ), message


def test_cli_prints_settings_errors_without_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("LOG_LEVEL", API_KEY)
    assert main(["topic", "list"]) == 2
    captured = capsys.readouterr()
    assert "LOG_LEVEL" in captured.err
    assert leaks(captured.err + captured.out) == []


def _expire_stand_ins(core: Briefbot) -> None:
    with core.factory() as session:
        session.execute(
            update(BriefRow).values(
                created_at=datetime.now(UTC) - timedelta(seconds=STAND_IN_SECONDS + 60)
            )
        )
        session.commit()
