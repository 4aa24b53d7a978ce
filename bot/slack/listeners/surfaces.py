"""The surfaces beyond /brief and threads: the assistant panel, the "Brief this link" message
shortcut and the "Get a brief" Workflow Builder step, registered together."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.actions import SlackActions
from bot.slack.listeners import assistant, functions, shortcuts
from bot.slack.pools import ListenerPools


def register(app: App, actions: SlackActions, pools: ListenerPools) -> None:
    assistant.register(app, actions, pools)
    shortcuts.register(app, actions, pools)
    functions.register(app, actions, pools)
