"""The Bolt app factory: settings and injected clients in, a ready `App` out."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.errors import SettingsError
from bot.settings import Settings
from bot.slack.actions import SlackActions
from bot.slack.listeners import register_all


def create_app(
    settings: Settings,
    actions: SlackActions,
    *,
    client: WebClient,
    socket_mode: bool = False,
) -> App:
    """Build the app. HTTP mode needs the signing secret; Socket Mode requests are not signed."""
    if not socket_mode and not settings.slack_signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET is required for `briefbot serve --http`")
    app = App(
        client=client,
        token=client.token,
        signing_secret=settings.slack_signing_secret or "socket-mode-does-not-sign",
        # auth.test runs on the first request instead, so a slow Slack never blocks start-up.
        token_verification_enabled=False,
        logger=logging.getLogger("briefbot.slack"),
    )
    register_all(app, actions)
    return app
