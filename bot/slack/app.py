"""The Bolt app factory: settings, the use cases and an injected client in, a ready `App` out."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.errors import SettingsError
from bot.settings import Settings
from bot.slack.features import Features
from bot.slack.listeners import register_all
from bot.slack.pools import ListenerPools


def create_app(
    settings: Settings,
    features: Features,
    *,
    client: WebClient,
    socket_mode: bool = False,
    oauth: OAuthSettings | None = None,
    pools: ListenerPools | None = None,
) -> App:
    """Build the app. HTTP mode needs the signing secret; Socket Mode requests are not signed.

    With `oauth`, the app serves the install flow and authorizes each request with its
    workspace's installed token (`client` then carries no token, only the API base URL).
    """
    if not socket_mode and not settings.slack_signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET is required for `briefbot serve --http`")
    if oauth is not None and socket_mode:
        raise SettingsError(
            "OAuth distribution needs HTTP mode: run `briefbot serve --http` "
            "(Socket Mode apps cannot be installed from a public link)"
        )
    options: dict[str, Any] = (
        {"oauth_settings": oauth, "signing_secret": settings.slack_signing_secret}
        if oauth is not None
        else {
            "signing_secret": settings.slack_signing_secret or "socket-mode-does-not-sign",
            # auth.test runs on the first request instead, so a slow Slack never blocks
            # start-up. (The token comes from `client`: passing it again makes Bolt warn.)
            "token_verification_enabled": False,
        }
    )
    app = App(
        # The prefix of Bolt's listener loggers. Left out, Bolt names the app after the file
        # that built it, "app.py", found with inspect.stack(): 50 ms to 400 ms of CPU per app
        # (it reads the source of every frame on the stack), the same name every time.
        name="app.py",
        client=client,
        logger=logging.getLogger("briefbot.slack"),
        # Run each (tiny) ack function on the request's own thread. Without this Bolt queues
        # it on the thread pool that also runs the lazy work (briefs, answers) and polls for it
        # every 10 ms: acks waited behind briefs, p99 over 300 ms with 20 /brief at once.
        # Lazy listeners still run on that pool after the ack.
        process_before_response=True,
        **options,
    )
    register_all(app, features, pools)
    return app
