"""`briefbot manifest`: one definition, checked against what the app requests and listens to."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from bot.cli import main
from bot.manifest import BOT_SCOPES, build_manifest, manifest_yaml
from bot.slack.listeners import register_all

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
)


def _app() -> App:
    app = App(
        token="xoxb-manifest-test",
        signing_secret="manifest-test-secret",
        token_verification_enabled=False,
        request_verification_enabled=False,
    )
    register_all(app, actions=None)  # type: ignore[arg-type]  # listeners only look it up later
    return app


def _handled(app: App, body: dict[str, Any]) -> bool:
    request = BoltRequest(body=body, mode="socket_mode")
    response = BoltResponse(status=404)
    return any(listener.matches(req=request, resp=response) for listener in app._listeners)


def _event(kind: str) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T0AAA",
        "event": {"type": kind, "user": "U1", "channel": "C1", "ts": "1.0", "tab": "home"},
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
