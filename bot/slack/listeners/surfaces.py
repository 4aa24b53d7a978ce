"""The surfaces beyond /brief and threads: the assistant panel, the "Brief this link" message
shortcut and the "Get a brief" Workflow Builder step, registered together."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features import Features
from bot.slack.listeners import assistant, functions, shortcuts
from bot.slack.pools import ListenerPools


def register(app: App, features: Features, pools: ListenerPools) -> None:
    assistant.register(app, features, pools)
    shortcuts.register(app, features, pools)
    functions.register(app, features, pools)
