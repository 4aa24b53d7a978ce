"""`briefbot manifest`: one definition, checked against what the app requests and listens to."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import pytest
import yaml
from slack_bolt import App, Assistant, BoltResponse
from slack_bolt.request import BoltRequest

from bot.cli import main
from bot.manifest import BOT_SCOPES, build_manifest, manifest_yaml
from bot.slack.listeners import functions, register_all, shortcuts

ROOT = Path(__file__).resolve().parents[1]
# Event types Slack could send an app like ours; the manifest must list exactly those we handle.
CANDIDATE_EVENTS = (
    "app_home_opened",
    "app_mention",
    "message",
    "app_uninstalled",
    "tokens_revoked",
    "member_joined_channel",
    "reaction_added",
    "channel_created",
    "team_join",
    "link_shared",
    "file_shared",
    "assistant_thread_started",
    "assistant_thread_context_changed",
    "function_executed",
    "reaction_removed",
)
# Web API methods (as WebClient methods) and Bolt helpers the code calls → the scope each needs
# (None: none needed). A call missing here fails the scope test: add it with its scope.
METHOD_SCOPES: dict[str, str | None] = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "conversations_history": "channels:history",  # and groups:/im:history, which events need
    "conversations_replies": "channels:history",
    "users_info": "users:read",
    "conversations_members": "channels:read",  # and groups:read, for private channels
    "views_open": None,
    "views_publish": None,
    "set_status": "assistant:write",  # assistant.threads.setStatus
    "set_suggested_prompts": "assistant:write",  # assistant.threads.setSuggestedPrompts
    "set_title": "assistant:write",
    "say": "chat:write",
    "respond": None,  # response_url
    "complete": None,  # functions.completeSuccess, with the step's own token
    "fail": None,
}
# The scope each declared event needs.
EVENT_SCOPES: dict[str, str | None] = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "app_uninstalled": None,
    "tokens_revoked": None,
    "assistant_thread_started": "assistant:write",
    "assistant_thread_context_changed": "assistant:write",
    "function_executed": None,
}
_CALL = re.compile(
    r"\.(auth_test|chat_\w+|conversations_\w+|users_\w+|views_\w+|assistant_threads_\w+|"
    r"reactions_\w+|files_\w+|team_\w+|functions_\w+)\(|"
    r"\b(set_status|set_suggested_prompts|set_title|say|respond|complete|fail)\("
)


def _app() -> App:
    app = App(
        name="manifest-test",  # named, Bolt would read the stack to name it
        token="xoxb-manifest-test",
        signing_secret="manifest-test-secret",
        token_verification_enabled=False,
        request_verification_enabled=False,
    )
    register_all(app, Mock())  # listeners only use the use cases when a request comes
    return app


def _listeners(app: App) -> list[Any]:
    """The app's listeners and those inside its Assistant middleware."""
    found = list(app._listeners)
    for middleware in app._middleware_list:
        if isinstance(middleware, Assistant):
            for group in (
                middleware._thread_started_listeners,
                middleware._thread_context_changed_listeners,
                middleware._user_message_listeners,
                middleware._bot_message_listeners,
            ):
                found += group or []
    return found


def _handled(app: App, body: dict[str, Any]) -> bool:
    request = BoltRequest(body=body, mode="socket_mode")
    response = BoltResponse(status=404)
    return any(listener.matches(req=request, resp=response) for listener in _listeners(app))


def _event(kind: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "user": "U1",
        "channel": "C1",
        "ts": "1.0",
        "tab": "home",
    }
    if kind.startswith("assistant_thread"):  # shaped as in Slack's SDK tests
        event["assistant_thread"] = {
            "user_id": "U1",
            "context": {"channel_id": "C1", "team_id": "T0AAA"},
            "channel_id": "D1",
            "thread_ts": "1.0",
        }
    if kind == "function_executed":
        event["function"] = {"callback_id": functions.CALLBACK_ID, "id": "Fn1"}
        event["function_execution_id"] = "Fx1"
        event["inputs"] = {}
    return {"type": "event_callback", "team_id": "T0AAA", "event": event}


def _shortcut(callback_id: str) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "team": {"id": "T0AAA"},
        "channel": {"id": "C1"},
        "user": {"id": "U1"},
        "message": {"type": "message", "text": "https://example.com/a", "ts": "1.0"},
        "response_url": "https://hooks.slack.com/app/T0AAA/1/x",
        "trigger_id": "1.2.x",
    }


def test_repository_manifest_is_the_generated_one() -> None:
    assert (ROOT / "manifest.yml").read_text() == manifest_yaml()


def test_manifest_events_scopes_and_command_are_what_the_app_handles() -> None:
    manifest = build_manifest()
    app = _app()
    declared = {e.split(".")[0] for e in manifest["settings"]["event_subscriptions"]["bot_events"]}
    handled = {kind for kind in CANDIDATE_EVENTS if _handled(app, _event(kind))}
    assert declared == handled
    # message.* names the channel types whose messages we get: public and private channels,
    # and direct messages to the bot
    channel_types = {
        e.split(".")[1]
        for e in manifest["settings"]["event_subscriptions"]["bot_events"]
        if "." in e
    }
    assert channel_types == {"channels", "groups", "im"}
    assert {"channels:history", "groups:history", "im:history"} <= set(BOT_SCOPES)
    for command in manifest["features"]["slash_commands"]:
        body = {"command": command["command"], "text": "", "team_id": "T0AAA"}
        assert _handled(app, body), command["command"]
    assert not _handled(app, {"command": "/other", "text": "", "team_id": "T0AAA"})
    assert manifest["settings"]["org_deploy_enabled"] is True
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


def test_manifest_shortcuts_and_functions_are_what_the_app_handles() -> None:
    manifest = build_manifest()
    app = _app()
    declared = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert declared == {shortcuts.CALLBACK_ID}
    assert all(s["type"] == "message" for s in manifest["features"]["shortcuts"])
    for callback_id in declared:
        assert _handled(app, _shortcut(callback_id)), callback_id
    assert not _handled(app, _shortcut("some_other_shortcut"))
    global_shortcut = {**_shortcut(shortcuts.CALLBACK_ID), "type": "shortcut"}
    assert not _handled(app, global_shortcut)  # declared as a message shortcut only

    assert set(manifest["functions"]) == {functions.CALLBACK_ID}
    assert manifest["settings"]["function_runtime"] == "remote"
    other = _event("function_executed")
    other["event"]["function"]["callback_id"] = "other_step"
    assert not _handled(app, other)
    # the assistant panel is declared, and answered
    assert "assistant_view" in manifest["features"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


class _Inputs(dict[str, Any]):
    """Step inputs that remember which ones the code read."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def test_the_step_reads_and_writes_exactly_the_declared_parameters() -> None:
    from bot.service.workflow import StepBrief

    declared = build_manifest()["functions"][functions.CALLBACK_ID]
    core = Mock()
    core.workflow.brief_for_step.return_value = StepBrief("x", ["y"])
    inputs, complete, fail = _Inputs(), Mock(), Mock()
    functions.run_step(core, inputs, complete, fail)
    fail.assert_not_called()
    assert inputs.read == set(declared["input_parameters"]["properties"])
    assert set(declared["input_parameters"]["required"]) == {"topic"}
    outputs = complete.call_args.kwargs["outputs"]
    assert set(outputs) == set(declared["output_parameters"]["properties"])
    assert isinstance(outputs["sources"], list)
    assert declared["output_parameters"]["properties"]["sources"]["type"] == "array"


def test_scopes_are_exactly_what_the_code_calls_and_listens_to() -> None:
    used: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for match in _CALL.finditer(path.read_text()):
            name = match.group(1) or match.group(2)
            assert name in METHOD_SCOPES, f"{path.name} calls {name}: add it with its scope"
            used.add(name)
    manifest = build_manifest()
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    needed = {METHOD_SCOPES[m] for m in used} | {EVENT_SCOPES[e] for e in events}
    # slash commands and shortcuts need `commands`; history scopes come with message events
    needed |= {"commands"} if manifest["features"]["slash_commands"] else set()
    # conversations.members in a private channel needs groups:read beside channels:read
    needed |= {"groups:read"} if "conversations_members" in used else set()
    needed.discard(None)
    assert set(BOT_SCOPES) == needed


def test_socket_mode_by_default_http_mode_with_the_urls_filled_in() -> None:
    out = io.StringIO()
    assert main(["manifest"], stdout=out) == 0
    socket = yaml.safe_load(out.getvalue())
    assert socket["settings"]["socket_mode_enabled"] is True

    out = io.StringIO()
    assert main(["manifest", "--http", "https://bot.acme.example/"], stdout=out) == 0
    text = out.getvalue()
    assert "briefbot.example.com" not in text
    http = yaml.safe_load(text)
    assert http["settings"]["socket_mode_enabled"] is False
    urls = [
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in http["features"]["slash_commands"]),
    ]
    assert urls == ["https://bot.acme.example/slack/events"] * 3
    assert http["oauth_config"]["redirect_urls"] == [
        "https://bot.acme.example/slack/oauth_redirect"
    ]


@pytest.mark.parametrize("url", ["http://bot.acme.example", "bot.acme.example", "https://"])
def test_http_needs_a_public_https_url(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--http", url], stdout=io.StringIO()) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("briefbot: --http needs") and "\n" not in err
