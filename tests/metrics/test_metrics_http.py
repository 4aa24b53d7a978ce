"""`GET /metrics` on the HTTP app (as `briefbot serve --http` runs it), scraped over real HTTP
before and after an ingest round, a /brief subscribe and a digest round (fake Slack, real
database): the counters an operator watches move by what happened."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.core import Briefbot
from bot.jobs.digest import run_digest
from bot.jobs.scheduler import ingest_round
from bot.metrics import DIGEST_LATE_SECONDS
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.slack.client import SingleWorkspaceClients, make_web_client
from bot.slack.posting import SlackPoster
from bot.slack.server import http_server
from storage import subscriptions
from storage.db import ping
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body
from tests.conftest import Database
from tests.metrics.helpers import moved, scrape, value
from tests.slack.conftest import SIGNING_SECRET, settings_for, write_articles

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"
TOKEN = "metrics-token-0123456789"


@contextmanager
def serve(settings: Settings, core: Briefbot, fake: FakeSlack) -> Iterator[tuple[str, Runtime]]:
    """The HTTP app as `briefbot serve --http` wires it (no scheduler) on a free port."""
    client = make_web_client(settings, settings.slack_bot_token, max_retries=2)
    runtime = build_runtime(
        settings, socket_mode=False, with_scheduler=False, core=core, client=client
    )
    web = http_server(
        runtime.app,
        lambda: ping(core.engine),
        host="127.0.0.1",
        port=0,
        metrics_token=settings.metrics_token,
    )
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{web.effective_port}", runtime
    finally:
        web.close()
        thread.join(timeout=5)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _command(base: str, fake: FakeSlack, text: str, response: str) -> httpx.Response:
    body = slash_command_body(
        text=text,
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=fake.response_url(response),
    )
    return post_signed(base + "/slack/events", body, SIGNING_SECRET)


def test_scrapes_before_and_after_a_digest_round(
    db: Database, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = settings_for(db.url, fake, SUMMARIZER="extractive")
    core = Briefbot(settings, engine=db.engine)
    articles = write_articles(tmp_path / "articles", core.clock().isoformat())
    with serve(settings, core, fake) as (base, runtime):
        before = scrape(base + "/metrics")

        # Ingest: two new articles, then a scheduled round over the known sources.
        core.ingest([str(articles)], topic="river plan")
        ingest_round(core)
        # A /brief over signed HTTP: the ack is timed.
        response = _command(base, fake, "subscribe river plan at 08:00", "sub")
        assert response.status_code == 200
        fake.wait_for("response_url", timeout=60)  # a cold start on a busy machine
        assert "Subscribed" in json.dumps(fake.response_posts("sub"))
        with core.factory() as session:
            (subscription,) = subscriptions.for_team(session, TEAM, CHANNEL)
        # The digest round: one brief computed, one digest posted.
        clients = SingleWorkspaceClients(settings, runtime.client)
        outcome = run_digest(core, SlackPoster(clients), subscription.id)
        assert outcome.status == "sent" and outcome.scheduled_for is not None
        # The same articles briefed again come from the cache.
        assert core.brief("river plan").cached

        after = scrape(base + "/metrics")

    assert moved(before, after, "briefbot_articles_stored_total") == 2
    assert moved(before, after, "briefbot_sources_fetched_total", result="ok") >= 1
    assert moved(before, after, "briefbot_ingest_round_seconds_count") == 1
    assert value(after, "briefbot_ingest_last_round_timestamp_seconds") > 0
    assert moved(before, after, "briefbot_digests_total", status="sent") == 1
    assert moved(before, after, "briefbot_digest_delay_seconds_count") == 1
    late = (datetime.now(UTC) - outcome.scheduled_for).total_seconds() > DIGEST_LATE_SECONDS
    assert moved(before, after, "briefbot_digests_late_total") == (1 if late else 0)
    computed = moved(
        before, after, "briefbot_briefs_total", result="computed", summarizer="extractive"
    )
    assert computed == 1
    assert moved(before, after, "briefbot_briefs_total", result="cached", summarizer="extractive")
    assert moved(before, after, "briefbot_slack_ack_seconds_count", kind="command") == 1
    assert value(after, "briefbot_leader") in (0, 1)


def test_metrics_token(db: Database, fake: FakeSlack) -> None:
    settings = settings_for(db.url, fake, METRICS_TOKEN=TOKEN)
    core = Briefbot(settings, engine=db.engine)
    with serve(settings, core, fake) as (base, _):
        url = base + "/metrics"
        assert httpx.get(url, trust_env=False).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert httpx.get(url, headers=wrong, trust_env=False).status_code == 401
        assert httpx.post(url, trust_env=False).status_code == 405
        samples = scrape(url, token=TOKEN)
        assert ("briefbot_leader", frozenset()) in samples
        # The token protects /metrics only: Slack's requests and /healthz are unchanged.
        assert httpx.get(base + "/healthz", trust_env=False).status_code == 200
        assert _command(base, fake, "help", "help").status_code == 200


def test_forged_requests_are_counted_not_timed(db: Database, fake: FakeSlack) -> None:
    settings = settings_for(db.url, fake)
    core = Briefbot(settings, engine=db.engine)
    with serve(settings, core, fake) as (base, _):
        before = scrape(base + "/metrics")
        body = slash_command_body(text="help", team_id=TEAM, channel_id=CHANNEL, user_id=USER)
        assert post_signed(base + "/slack/events", body, "wrong-secret").status_code == 401
        after = scrape(base + "/metrics")
    assert moved(before, after, "briefbot_slack_requests_refused_total", reason="invalid_signature")
    assert moved(before, after, "briefbot_slack_ack_seconds_count", kind="command") == 0
