"""Two workspaces on one database: neither sees, changes or answers into the other's data.

Both teams use the same channel id (ids are only unique within a workspace), so any query
that forgot its team_id would show up here.
"""

from __future__ import annotations

import json
import time

import httpx

from bot.jobs.digest import run_digest
from bot.slack.posting import SlackPoster
from storage import deliveries
from storage import subscriptions as subscription_store
from testkit.slackfake.signing import event_body, post_signed, slash_command_body
from tests.slack.conftest import SIGNING_SECRET, RunningApp

CHANNEL = "C0001"
ALPHA, BETA = "T0ALPHA", "T0BETA"


def _command(app: RunningApp, team: str, text: str, response: str) -> httpx.Response:
    body = slash_command_body(
        text=text,
        team_id=team,
        channel_id=CHANNEL,
        user_id="U0001",
        response_url=app.fake.response_url(response),
    )
    reply = post_signed(app.url, body, SIGNING_SECRET)
    assert reply.status_code == 200
    return reply


def _reply(app: RunningApp, response: str) -> str:
    deadline = time.monotonic() + 20
    while not app.fake.response_posts(response):
        assert time.monotonic() < deadline, f"no reply to {response}"
        time.sleep(0.05)
    return json.dumps(app.fake.response_posts(response))


def test_two_workspaces_on_one_database(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    _command(app, ALPHA, "subscribe river plan at 08:00", "a-sub")
    assert "Subscribed" in _reply(app, "a-sub")

    # Beta lists nothing, and cannot unsubscribe Alpha's channel of the same id.
    _command(app, BETA, "list", "b-list")
    assert "river plan" not in _reply(app, "b-list").lower()
    _command(app, BETA, "unsubscribe river plan", "b-unsub")
    assert "Unsubscribed" not in _reply(app, "b-unsub")
    with app.core.factory() as session:
        [alpha_sub] = subscription_store.for_team(session, ALPHA, CHANNEL)
        assert subscription_store.for_team(session, BETA, CHANNEL) == []

    # Alpha's digest is posted into Alpha's channel through Alpha's client only.
    asked: list[str] = []

    def clients(team_id: str):  # type: ignore[no-untyped-def]
        asked.append(team_id)
        return app.runtime.client

    assert run_digest(app.core, SlackPoster(clients), alpha_sub.id).status == "sent"
    assert set(asked) == {ALPHA}
    [digest] = [c for c in fake.calls_to("chat.postMessage") if c.ok]
    root_ts = digest.response["ts"]

    # A message in Beta's channel C0001 with the same thread ts is not a thread of Alpha's
    # digest: no answer from Alpha's articles. The same question in Alpha's thread is answered.
    def ask(team: str, event_id: str, ts: str) -> None:
        event = {
            "type": "message",
            "channel": CHANNEL,
            "user": "U0002",
            "text": "When will construction begin?",
            "ts": ts,
            "thread_ts": root_ts,
            "channel_type": "channel",
        }
        body = event_body(event, team_id=team, event_id=event_id)
        assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200

    ask(BETA, "EvBeta", "1800000000.000200")
    app.settle()
    assert len([c for c in fake.calls_to("chat.postMessage") if c.ok]) == 1
    ask(ALPHA, "EvAlpha", "1800000000.000300")
    fake.wait_for("chat.postMessage", count=2, timeout=20)
    replies = [c for c in fake.calls_to("chat.postMessage") if c.ok][1:]
    assert len(replies) == 1 and replies[0].params.get("thread_ts") == root_ts

    # Beta's own /brief of the same public topic is its own post, in its own delivery.
    _command(app, BETA, "river plan", "b-brief")
    fake.wait_for("chat.postMessage", count=3, timeout=20)

    def recorded(team: str) -> set[str | None]:
        with app.core.factory() as session:
            return {d.ts for d in deliveries.latest_for_team(session, team)}

    # The delivery is recorded just after the post returns: wait for it.
    deadline = time.monotonic() + 20
    while not recorded(BETA) and time.monotonic() < deadline:
        time.sleep(0.05)
    alpha_ts, beta_ts = recorded(ALPHA), recorded(BETA)
    assert root_ts in alpha_ts and root_ts not in beta_ts and beta_ts
