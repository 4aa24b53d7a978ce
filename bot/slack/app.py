"""The Bolt app factory: settings and injected clients in, a ready `App` out."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.errors import SettingsError
from bot.settings import Settings
from bot.slack.actions import SlackActions
from bot.slack.listeners import register_all
from bot.slack.pools import ListenerPools


def create_app(
    settings: Settings,
    actions: SlackActions,
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
    if oauth is not None:
        if socket_mode:
            raise SettingsError(
                "OAuth distribution needs HTTP mode: run `briefbot serve --http` "
                "(Socket Mode apps cannot be installed from a public link)"
            )
        app = App(
            client=client,
            signing_secret=settings.slack_signing_secret,
            oauth_settings=oauth,
            logger=logging.getLogger("briefbot.slack"),
            process_before_response=True,  # see below
        )
        register_all(app, actions, pools)
        return app
    app = App(
        # The token comes from `client` (passing it again only makes Bolt warn at every start).
        client=client,
        signing_secret=settings.slack_signing_secret or "socket-mode-does-not-sign",
        # auth.test runs on the first request instead, so a slow Slack never blocks start-up.
        token_verification_enabled=False,
        logger=logging.getLogger("briefbot.slack"),
        # Run each (tiny) ack function on the request's own thread. Without this Bolt queues
        # it on the thread pool that also runs the lazy work (briefs, answers) and polls for it
        # every 10 ms: acks waited behind briefs, p99 over 300 ms with 20 /brief at once.
        # Lazy listeners still run on that pool after the ack.
        process_before_response=True,
    )
    register_all(app, actions, pools)
    return app
