"""End to end over HTTP: signed /brief → ack < 3 s → brief posted in the channel; a question in
its thread → a threaded, cited answer, once even when Slack retries; forged requests → 401."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from testkit.slackfake.signing import (
    event_body,
    post_signed,
    slash_command_body,
    stale_timestamp,
)
from tests.slack.conftest import SIGNING_SECRET, RunningApp

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"


def _brief(app: RunningApp, text: str, response: str = "r1") -> httpx.Response:
    body = slash_command_body(
        text=text,
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url(response),
    )
    return post_signed(app.url, body, SIGNING_SECRET)


def test_brief_then_thread_question(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    started = time.perf_counter()
    response = _brief(app, "river plan")
    latency = time.perf_counter() - started
    assert response.status_code == 200
    assert latency < 3.0
    assert "Working on a brief" in response.text

    fake.wait_for("chat.postMessage", timeout=20)
    posted = fake.calls_to("chat.postMessage")[0]
    assert posted.params["channel"] == CHANNEL
    blocks_text = json.dumps(posted.params["blocks"])
    for title in ("Key provisions", "Next steps"):
        assert title in blocks_text
    assert "valley.example.com" in blocks_text  # cited with a link
    root_ts = posted.response["ts"]

    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": "When will construction begin?",
        "ts": "1800000000.000100",
        "thread_ts": root_ts,
        "channel_type": "channel",
    }
    body = event_body(event, team_id=TEAM, event_id="Ev1")
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
    # Slack retries the same event; and a mention sends app_mention for the same message too
    assert (
        post_signed(
            app.url, body, SIGNING_SECRET, retry_num=1, retry_reason="http_timeout"
        ).status_code
        == 200
    )
    mention = {**event, "type": "app_mention"}
    assert (
        post_signed(
            app.url, event_body(mention, team_id=TEAM, event_id="Ev2"), SIGNING_SECRET
        ).status_code
        == 200
    )
    fake.wait_for("chat.postMessage", count=2, timeout=20)
    app.settle()  # the retry and the app_mention were handled too
    replies = [c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1
    assert replies[0].params["thread_ts"] == root_ts
    assert "September" in json.dumps(replies[0].params)
    assert fake.violations == [] and fake.unexpected == []


def test_messages_outside_brief_threads_are_ignored(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": "hello",
        "ts": "1800000000.000200",
        "thread_ts": "1700000000.999999",
    }
    assert (
        post_signed(
            app.url, event_body(event, team_id=TEAM, event_id="Ev9"), SIGNING_SECRET
        ).status_code
        == 200
    )
    app.settle()
    assert fake.calls_to("chat.postMessage") == []


def test_usage_errors_answer_in_the_ack(running_app: RunningApp) -> None:
    for text, hint in (
        ("", "/brief ukraine"),
        ("<!channel>", "/brief ukraine"),
        ("subscribe x at 99:99", "HH:MM"),
    ):
        response = _brief(running_app, text)
        assert response.status_code == 200
        assert hint in response.text
        assert "<!channel>" not in response.text.replace("`<!channel>`", "")


def test_forged_requests_are_rejected(running_app: RunningApp) -> None:
    body = slash_command_body(
        text="river plan",
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=running_app.fake.response_url("r"),
    )
    assert post_signed(running_app.url, body, SIGNING_SECRET, tamper=True).status_code == 401
    assert (
        post_signed(running_app.url, body, SIGNING_SECRET, timestamp=stale_timestamp()).status_code
        == 401
    )
    assert post_signed(running_app.url, body, "wrong-secret").status_code == 401


@pytest.mark.slow
def test_ack_latency_of_fifty_briefs(running_app: RunningApp) -> None:
    """Every /brief is acked well within Slack's 3 s while the work runs lazily."""
    latencies = []
    for n in range(50):
        started = time.perf_counter()
        assert _brief(running_app, "river plan", response=f"r{n}").status_code == 200
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    print(
        f"ack latency over 50: median {latencies[25] * 1000:.1f} ms, worst "
        f"{latencies[-1] * 1000:.1f} ms"
    )
    assert latencies[-1] < 3.0


def test_healthz(running_app: RunningApp) -> None:
    response = httpx.get(running_app.base + "/healthz", trust_env=False)
    assert response.status_code == 200 and response.json()["ok"] is True


def test_subscribe_then_digest_posts_once_across_a_restart(running_app: RunningApp) -> None:
    from bot.jobs.digest import run_digest
    from bot.slack.client import SingleWorkspaceClients
    from bot.slack.posting import SlackPoster
    from storage import subscriptions

    app, fake = running_app, running_app.fake
    fake.set_user_tz(USER, "Europe/Berlin")
    response = _brief(app, "subscribe river plan at 08:00", response="sub")
    assert response.status_code == 200
    fake.wait_for("response_url", timeout=20)
    assert "Subscribed" in json.dumps(fake.response_posts("sub"))
    assert "Europe/Berlin" in json.dumps(fake.response_posts("sub"))
    with app.core.factory() as session:
        (subscription,) = subscriptions.for_team(session, TEAM, CHANNEL)
        assert (subscription.hour, subscription.minute) == (8, 0)
    clients = SlackPoster(SingleWorkspaceClients(app.core.settings, app.runtime.client))
    first = run_digest(app.core, clients, subscription.id)
    assert first.status == "sent"
    # a restarted process (or a second scheduler) runs the same due digest again: no post
    again = run_digest(app.core, clients, subscription.id)
    assert again.status == "skipped"
    digests = [c for c in fake.calls_to("chat.postMessage") if c.ok]
    assert len(digests) == 1 and "Key provisions" in json.dumps(digests[0].params["blocks"])

    assert _brief(app, "list", response="list").status_code == 200
    fake.wait_for("response_url", count=2, timeout=20)
    assert "river plan" in json.dumps(fake.response_posts("list"))
    assert _brief(app, "unsubscribe river plan", response="unsub").status_code == 200
    fake.wait_for("response_url", count=3, timeout=20)
    assert "Unsubscribed" in json.dumps(fake.response_posts("unsub"))
