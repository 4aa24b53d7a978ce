"""The App Home tab (pure): the workspace's subscriptions and its latest briefs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.render.escape import escape_mrkdwn

MAX_ROWS = 20


def home_view(
    subscriptions: Sequence[tuple[str, str, str, bool]],
    latest: Sequence[tuple[str, str, str, datetime | None]],
) -> dict[str, Any]:
    """`subscriptions`: (topic, channel id, "HH:MM tz", paused); `latest`: (topic, kind,
    channel id, sent at)."""
    blocks: list[Any] = [HeaderBlock(text="briefbot")]
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text="Type `/brief ukraine` in a channel for a brief, "
                "`/brief subscribe ukraine at 08:00` for a daily digest, `/brief help` for more."
            )
        )
    )
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=MarkdownTextObject(text="*Daily digests in this workspace*")))
    if subscriptions:
        lines = [
            f"• *{escape_mrkdwn(topic)}* in <#{channel}> at {escape_mrkdwn(when)}"
            + (" (paused)" if paused else "")
            for topic, channel, when, paused in subscriptions[:MAX_ROWS]
        ]
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:3000])))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="None yet.")]))
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=MarkdownTextObject(text="*Latest briefs*")))
    if latest:
        lines = [
            f"• {kind} on *{escape_mrkdwn(topic)}* in <#{channel}>"
            + (f" — {sent:%d %b %H:%M} UTC" if sent else "")
            for topic, kind, channel, sent in latest[:MAX_ROWS]
        ]
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:3000])))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="None yet.")]))
    return View(type="home", blocks=blocks).to_dict()
