"""The same scenario over Socket Mode: envelopes pushed by a local websocket server, acked by
the app, brief posted, thread question answered once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.runtime import Runtime, build_runtime
from bot.slack.client import make_web_client
from bot.slack.server import socket_mode_handler
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_callback, slash_command_fields
from testkit.slackfake.socket_mode import FakeSocketModeServer
from tests.conftest import Database
from tests.slack.conftest import BOT_TOKEN, settings_for, track_work, write_articles

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"


@pytest.fixture
def socket_app(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[FakeSlack, FakeSocketModeServer, Runtime]]:
    with FakeSocketModeServer() as server:
        fake_slack.attach_socket_mode(server)
        settings = settings_for(db.url, fake_slack, SLACK_APP_TOKEN="xapp-test-1")
        core = Briefbot(settings, engine=db.engine)
        core.ingest(
            [str(write_articles(tmp_path / "articles", core.clock().isoformat()))],
            topic="river plan",
        )
        client = make_web_client(settings, BOT_TOKEN, max_retries=2)
        runtime = build_runtime(
            settings, socket_mode=True, with_scheduler=False, core=core, client=client
        )
        handler = socket_mode_handler(runtime.app, "xapp-test-1")
        handler.connect()
        server.wait_for_connection()
        try:
            yield fake_slack, server, runtime
        finally:
            handler.close()


def test_brief_and_thread_question_over_socket_mode(
    socket_app: tuple[FakeSlack, FakeSocketModeServer, Runtime],
) -> None:
    fake, server, runtime = socket_app
    inflight = track_work(runtime)
    envelope = server.push_slash_command(
        slash_command_fields(
            text="river plan",
            team_id=TEAM,
            channel_id=CHANNEL,
            user_id=USER,
            response_url=fake.response_url("r1"),
        )
    )
    ack, latency = server.wait_for_ack(envelope, timeout=5)
    assert latency < 3.0
    assert "Working on a brief" in json.dumps(ack)
    fake.wait_for("chat.postMessage", timeout=20)
    posted = fake.calls_to("chat.postMessage")[0]
    assert posted.params["channel"] == CHANNEL
    assert "Key provisions" in json.dumps(posted.params["blocks"])

    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": "When will construction begin?",
        "ts": "1800000000.000100",
        "thread_ts": posted.response["ts"],
    }
    first = server.push_event(event_callback(event, team_id=TEAM, event_id="Ev1"))
    server.wait_for_ack(first, timeout=5)
    retry = server.push(
        "events_api",
        event_callback(event, team_id=TEAM, event_id="Ev1"),
        retry_attempt=1,
        retry_reason="timeout",
    )
    server.wait_for_ack(retry, timeout=5)
    fake.wait_for("chat.postMessage", count=2, timeout=20)
    inflight.settle(30)  # the retried event was handled too
    replies = [c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1
    assert "September" in json.dumps(replies[0].params)
    assert fake.violations == []


def test_subscribe_then_digest_once_over_socket_mode(
    socket_app: tuple[FakeSlack, FakeSocketModeServer, Runtime],
) -> None:
    from bot.jobs.digest import run_digest
    from bot.slack.posting import SlackPoster
    from storage import subscriptions

    fake, server, runtime = socket_app
    envelope = server.push_slash_command(
        slash_command_fields(
            text="subscribe river plan at 07:15 UTC",
            team_id=TEAM,
            channel_id=CHANNEL,
            user_id=USER,
            response_url=fake.response_url("sub"),
        )
    )
    server.wait_for_ack(envelope, timeout=5)
    fake.wait_for("response_url", timeout=20)
    assert "Subscribed" in json.dumps(fake.response_posts("sub"))
    with runtime.core.factory() as session:
        (subscription,) = subscriptions.for_team(session, TEAM, CHANNEL)
    assert run_digest(runtime.core, SlackPoster(runtime.clients), subscription.id).status == "sent"
    assert (
        run_digest(runtime.core, SlackPoster(runtime.clients), subscription.id).status == "skipped"
    )
    assert len([c for c in fake.calls_to("chat.postMessage") if c.ok]) == 1
