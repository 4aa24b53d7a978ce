"""Bolt listener matchers: which events are worth work (cheap, on the request thread)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

# Questions arrive without a subtype, as thread_broadcast ("also send to channel"), or as
# file_share when the user attached a file to the question.
ANSWERABLE_SUBTYPES = {None, "thread_broadcast", "file_share"}


def from_a_person(event: dict[str, Any], context: BoltContext) -> bool:
    """A message a person wrote: not an edit, a join, another bot — nor our own reply."""
    if event.get("subtype") not in ANSWERABLE_SUBTYPES or event.get("bot_id"):
        return False
    return not (context.bot_user_id and event.get("user") == context.bot_user_id)


def home_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "home"


def bot_token_revoked(event: dict[str, Any]) -> bool:
    """tokens_revoked naming a bot token (only user tokens gone: the bot is still installed)."""
    return bool((event.get("tokens") or {}).get("bot"))
