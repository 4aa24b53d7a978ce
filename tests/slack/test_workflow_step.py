"""End to end over HTTP: Workflow Builder runs the "Get a brief" step (a `function_executed`
event shaped as in Slack's SDK tests) → the step completes with the brief and its sources, or
fails with a reason the workflow's builder can act on."""

from __future__ import annotations

from typing import Any

from testkit.slackfake.signing import event_body, post_signed
from tests.slack.conftest import SIGNING_SECRET, RunningApp

TEAM = "T0001"
STEP_TOKEN = "xwfp-step-token"


def _step(app: RunningApp, execution: str, inputs: dict[str, Any]) -> None:
    event = {
        "type": "function_executed",
        "function": {
            "id": "Fn0001",
            "callback_id": "get_brief",
            "title": "Get a brief",
            "description": "A brief of a news topic briefbot follows, with its sources",
            "type": "app",
            "input_parameters": [
                {"type": "string", "name": "topic", "title": "Topic", "is_required": True},
                {"type": "integer", "name": "window", "title": "Window (hours)"},
            ],
            "output_parameters": [
                {"type": "string", "name": "brief", "title": "Brief", "is_required": True},
                {"type": "array", "name": "sources", "title": "Sources", "is_required": True},
            ],
            "app_id": "A0FAKEAPP",
            "date_updated": 1659054991,
        },
        "inputs": inputs,
        "function_execution_id": execution,
        "event_ts": "1659055013.509853",
        "bot_access_token": STEP_TOKEN,
    }
    body = event_body(event, team_id=TEAM, event_id=f"Ev{execution}")
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def test_the_step_completes_with_the_brief_and_its_sources(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    _step(app, "Fx1", {"topic": "River Plan", "window": 48})
    (done,) = fake.wait_for("functions.completeSuccess", timeout=30)
    assert done.ok and done.token == STEP_TOKEN  # completed with the step's own token
    assert done.params["function_execution_id"] == "Fx1"
    outputs = done.params["outputs"]
    assert "Key provisions" in outputs["brief"] and "4 million" in outputs["brief"]
    assert any("https://valley.example.com/river-plan" in s for s in outputs["sources"])
    assert fake.calls_to("functions.completeError") == []
    assert fake.violations == [] and fake.unexpected == []


def test_the_step_fails_with_a_reason(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    _step(app, "Fx2", {"topic": "harbour"})
    _step(app, "Fx3", {"topic": "river plan", "window": "soon"})
    _step(app, "Fx4", {"topic": ""})
    failed = fake.wait_for("functions.completeError", count=3, timeout=30)
    errors = {c.params["function_execution_id"]: c.params["error"] for c in failed}
    assert "No topic named “harbour”" in errors["Fx2"]
    assert "window must be a number of hours" in errors["Fx3"]
    assert "needs a topic" in errors["Fx4"]
    assert all("\n" not in e and "Traceback" not in e for e in errors.values())
    assert fake.calls_to("functions.completeSuccess") == []
    assert fake.violations == [] and fake.unexpected == []
