"""Slash commands: `/brief`."""

from __future__ import annotations

import functools

from slack_bolt import App

from bot.slack.features import Features
from bot.slack.listeners.commands.brief import acknowledge, work
from bot.slack.pools import ListenerPools


def register(app: App, features: Features, pools: ListenerPools) -> None:
    app.command("/brief")(
        ack=acknowledge,
        lazy=[functools.partial(work, brief_command=features.brief_command, pools=pools)],
    )
