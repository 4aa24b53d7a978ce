"""Global middleware, run before every listener (and its ack)."""

from __future__ import annotations

import functools

from slack_bolt import App

from bot.slack.features import Features
from bot.slack.listeners.middleware.remember_team import remember_team


def register(app: App, features: Features) -> None:
    app.middleware(functools.partial(remember_team, events=features.workspace_events))
