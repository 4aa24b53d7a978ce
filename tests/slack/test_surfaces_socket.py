"""The new surfaces over Socket Mode (the manifest's default): an assistant thread started,
the "Get a brief" step and "Brief this link", each acked within Slack's 3 s and answered."""

from __future__ import annotations

import json

from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_callback
from testkit.slackfake.socket_mode import FakeSocketModeServer
from tests.slack.test_link_shortcut import article_server
from tests.slack.test_socket_scenario import TEAM, socket_app  # noqa: F401  (the fixture)

Fixture = tuple[FakeSlack, FakeSocketModeServer, object]


def test_surfaces_over_socket_mode(socket_app: Fixture) -> None:  # noqa: F811
    fake, server, _ = socket_app
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": "U0001",
            "context": {"channel_id": "C0001", "team_id": TEAM},
            "channel_id": "D0001",
            "thread_ts": "1726133698.626339",
        },
        "event_ts": "1726133698.665188",
    }
    envelope = server.push_event(event_callback(started, team_id=TEAM, event_id="EvS1"))
    assert server.wait_for_ack(envelope, timeout=5)[1] < 3.0
    (prompts,) = fake.wait_for("assistant.threads.setSuggestedPrompts", timeout=30)
    assert "Brief me on river plan" in [p["title"] for p in prompts.params["prompts"]]

    step = {
        "type": "function_executed",
        "function": {"id": "Fn1", "callback_id": "get_brief", "title": "Get a brief"},
        "inputs": {"topic": "river plan"},
        "function_execution_id": "FxS1",
        "event_ts": "1659055013.509853",
        "bot_access_token": "xwfp-socket",
    }
    envelope = server.push_event(event_callback(step, team_id=TEAM, event_id="EvS2"))
    assert server.wait_for_ack(envelope, timeout=5)[1] < 3.0
    (done,) = fake.wait_for("functions.completeSuccess", timeout=30)
    assert "Key provisions" in done.params["outputs"]["brief"]

    with article_server() as (site, requested):
        shortcut = {
            "type": "message_action",
            "team": {"id": TEAM, "domain": "t"},
            "user": {"id": "U0001"},
            "channel": {"id": "C0001"},
            "callback_id": "brief_this_link",
            "trigger_id": "1.2.x",
            "message_ts": "1800000000.000900",
            "message": {
                "type": "message",
                "text": f"<{site}/river-plan>",
                "ts": "1800000000.000900",
            },
            "response_url": fake.response_url("sock"),
        }
        envelope = server.push_interactive(shortcut)
        assert server.wait_for_ack(envelope, timeout=5)[1] < 3.0
        posted = [
            c
            for c in fake.wait_for("chat.postMessage", count=2, timeout=30)
            if c.params.get("channel") == "C0001"
        ]
    assert requested == ["/river-plan"]
    assert posted[0].params["thread_ts"] == "1800000000.000900"
    assert "Key provisions" in json.dumps(posted[0].params["blocks"])
    assert fake.violations == [] and fake.unexpected == []
