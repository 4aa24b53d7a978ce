"""The buttons under a digest (issue 16 item 7): "Pause", "Unsubscribe" (behind a confirm
dialog) and "Sources". Pure: a subscription id and topic in, one Block Kit actions block out.

Each button's value is the subscription's id and nothing else: the handler
(`bot.slack.digest_buttons`) reads the workspace and channel from the request itself, never
from the value, so a forged value can reach no other workspace's or channel's digest.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    PlainTextObject,
)

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
    return ActionsBlock(
        block_id="topic_subscribe",
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Subscribe this channel"),
                action_id=SUBSCRIBE_ACTION_ID,
                value=topic[:150],
                style="primary",
            )
        ],
    ).to_dict()


def digest_actions(subscription_id: int, topic: str) -> dict[str, Any]:
    value = str(subscription_id)
    shown = escape_mrkdwn(topic_title(topic)[:MAX_CONFIRM_TOPIC])
    return ActionsBlock(
        block_id=BLOCK_ID,
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Pause", emoji=True),
                action_id=PAUSE_ACTION_ID,
                value=value,
            ),
            ButtonElement(
                text=PlainTextObject(text="Unsubscribe", emoji=True),
                action_id=UNSUBSCRIBE_ACTION_ID,
                value=value,
                style="danger",
                confirm=ConfirmObject(
                    title=PlainTextObject(text="Stop this digest?"),
                    text=MarkdownTextObject(
                        text=f"This channel will get no more digests of *{shown}*. "
                        "Anyone in the channel can subscribe it again with `/brief subscribe`."
                    ),
                    confirm=PlainTextObject(text="Unsubscribe"),
                    deny=PlainTextObject(text="Keep it"),
                    style="danger",
                ),
            ),
            ButtonElement(
                text=PlainTextObject(text="Sources", emoji=True),
                action_id=SOURCES_ACTION_ID,
                value=value,
            ),
        ],
    ).to_dict()
