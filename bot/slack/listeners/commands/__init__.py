"""Slash commands: `/brief`."""

from __future__ import annotations

import functools

from slack_bolt import App

from bot.slack.features import Features
from bot.slack.listeners.commands.brief import acknowledge
from bot.slack.pools import ListenerPools


def register(app: App, features: Features, pools: ListenerPools) -> None:
    # No lazy listener: the ack function queues the work itself (see `brief`).
    app.command("/brief")(
        functools.partial(acknowledge, brief_command=features.brief_command, pools=pools)
    )
