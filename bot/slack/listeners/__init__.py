"""Bolt listeners, one folder per kind, each with `register(app, actions)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.actions import SlackActions
from bot.slack.listeners import commands, events


def register_all(app: App, actions: SlackActions) -> None:
    commands.register(app, actions)
    events.register(app, actions)
