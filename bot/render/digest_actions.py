"""The buttons under a digest (issue 16 item 7): "Pause", "Unsubscribe" (behind a confirm
dialog) and "Sources". Pure: a subscription id and topic in, one Block Kit actions block out.

Each button's value is the subscription's id and nothing else: the handler
(`bot.slack.digest_buttons`) reads the workspace and channel from the request itself, never
from the value, so a forged value can reach no other workspace's or channel's digest.
"""

from __future__ import annotations

from typing import Any

from bot.render.common import topic_title
from bot.render.escape import escape_mrkdwn

PAUSE_ACTION_ID = "digest_pause"
UNSUBSCRIBE_ACTION_ID = "digest_unsubscribe"
SOURCES_ACTION_ID = "digest_sources"
ACTION_IDS = (PAUSE_ACTION_ID, UNSUBSCRIBE_ACTION_ID, SOURCES_ACTION_ID)
BLOCK_ID = "digest_actions"
MAX_CONFIRM_TOPIC = 100  # a confirm dialog's text is at most 300 characters


SUBSCRIBE_ACTION_ID = "topic_subscribe"


def subscribe_button(topic: str) -> dict[str, Any]:
    """Under the reply to `/brief <new topic>`: subscribe this channel to a daily digest of it
    (the value is the topic's name; the channel is the one the click comes from)."""
    return {
        "block_id": "topic_subscribe",
        "elements": [
            {
                "action_id": SUBSCRIBE_ACTION_ID,
                "style": "primary",
                "text": {"text": "Subscribe this channel", "type": "plain_text"},
                "type": "button",
                "value": topic[:150],
            }
        ],
        "type": "actions",
    }


def digest_actions(subscription_id: int, topic: str) -> dict[str, Any]:
    """As slack_sdk's `ActionsBlock(...).to_dict()` writes it (a plain dict: this runs once per
    digest, in the process answering Slack; see `bot.render.blocks`)."""
    value = str(subscription_id)
    shown = escape_mrkdwn(topic_title(topic)[:MAX_CONFIRM_TOPIC])
    return {
        "block_id": BLOCK_ID,
        "elements": [
            _button("Pause", PAUSE_ACTION_ID, value),
            {
                "action_id": UNSUBSCRIBE_ACTION_ID,
                "confirm": {
                    "title": {"text": "Stop this digest?", "type": "plain_text"},
                    "text": {
                        "text": f"This channel will get no more digests of *{shown}*. "
                        "Anyone in the channel can subscribe it again with `/brief subscribe`.",
                        "type": "mrkdwn",
                    },
                    "confirm": {"text": "Unsubscribe", "type": "plain_text"},
                    "deny": {"text": "Keep it", "type": "plain_text"},
                    "style": "danger",
                },
                "style": "danger",
                "text": {"emoji": True, "text": "Unsubscribe", "type": "plain_text"},
                "type": "button",
                "value": value,
            },
            _button("Sources", SOURCES_ACTION_ID, value),
        ],
        "type": "actions",
    }


def _button(label: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "text": {"emoji": True, "text": label, "type": "plain_text"},
        "type": "button",
        "value": value,
    }
