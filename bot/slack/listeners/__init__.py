"""Bolt listeners, one folder per kind, each with `register(app, actions)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.actions import SlackActions
from bot.slack.listeners import commands, events, surfaces, teams
from bot.slack.pools import ListenerPools


def register_all(app: App, actions: SlackActions, pools: ListenerPools | None = None) -> None:
    pools = pools or ListenerPools()
    teams.register(app, actions)
    commands.register(app, actions, pools)
    events.register(app, actions, pools)
    surfaces.register(app, actions, pools)  # assistant panel, link shortcut, workflow step
