"""The App Home tab (pure): the workspace's digests, each with buttons to edit, pause or
resume and remove it, an "Add a digest" button (the modal: `bot.slack.subscription_modal`),
the health of each subscribed topic's sources, and the latest briefs.

Every button's value is a subscription id only; the handlers (`bot.slack.home_actions`) find
it within the workspace the click came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.render.escape import escape_mrkdwn
from bot.service.topics import SourceInfo

MAX_ROWS = 20  # digests with their buttons: 2 blocks each, within a view's 100
MAX_TOPICS = 10  # topics whose source health is shown
ADD_ACTION_ID = "home_add"
EDIT_ACTION_ID = "home_edit"
PAUSE_ACTION_ID = "home_pause"
RESUME_ACTION_ID = "home_resume"
REMOVE_ACTION_ID = "home_remove"
ACTION_IDS = (ADD_ACTION_ID, EDIT_ACTION_ID, PAUSE_ACTION_ID, RESUME_ACTION_ID, REMOVE_ACTION_ID)


@dataclass(frozen=True)
class HomeDigest:
    id: int
    topic: str
    channel_id: str
    when: str  # "weekly on Monday at 08:00 (Europe/Berlin)"
    length: str = "full"
    filters: str = ""  # as typed: "-sport +kyiv"
    paused: str | None = None  # "paused until Thu 24 Dec 2026"; None: running
    language: str | None = None  # "de", "any"; None: the workspace default


def home_view(
    digests: Sequence[HomeDigest],
    latest: Sequence[tuple[str, str, str, datetime | None]],
    sources: Sequence[tuple[str, Sequence[SourceInfo]]] = (),
    *,
    notice: str | None = None,
) -> dict[str, Any]:
    """`latest`: (topic, kind, channel id, sent at); `sources`: each subscribed topic's;
    `notice`: one line shown first (what the last change did, or why it was refused)."""
    blocks: list[Any] = [HeaderBlock(text="briefbot")]
    if notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=notice[:3000])))
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text="Type `/brief ukraine` in a channel for a brief, or add a digest here. "
                "`/brief help` lists everything."
            ),
            accessory=ButtonElement(
                text=PlainTextObject(text="Add a digest"),
                action_id=ADD_ACTION_ID,
                value="new",
                style="primary",
            ),
        )
    )
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=MarkdownTextObject(text="*Digests in this workspace*")))
    if digests:
        for digest in digests[:MAX_ROWS]:
            blocks += _digest_blocks(digest)
        if len(digests) > MAX_ROWS:
            more = f"…and {len(digests) - MAX_ROWS} more: `/brief list` in their channels."
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="None yet.")]))
    if sources:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Sources of these topics*")))
        for topic, infos in sources[:MAX_TOPICS]:
            blocks.append(
                ContextBlock(elements=[MarkdownTextObject(text=source_health(topic, infos))])
            )
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


def _digest_blocks(digest: HomeDigest) -> list[Any]:
    topic = escape_mrkdwn(digest.topic)
    parts = [f"*{topic}* in <#{digest.channel_id}>, {escape_mrkdwn(digest.when)}"]
    if digest.length == "short":
        parts.append("short")
    if digest.language:
        parts.append(f"lang:{escape_mrkdwn(digest.language)}")
    if digest.filters:
        parts.append(f"filters `{escape_mrkdwn(digest.filters)}`")
    if digest.paused:
        parts.append(f"*{escape_mrkdwn(digest.paused)}*")
    value = str(digest.id)
    toggle = (
        ButtonElement(text="Resume", action_id=RESUME_ACTION_ID, value=value)
        if digest.paused
        else ButtonElement(text="Pause", action_id=PAUSE_ACTION_ID, value=value)
    )
    remove = ButtonElement(
        text="Remove",
        action_id=REMOVE_ACTION_ID,
        value=value,
        style="danger",
        confirm=ConfirmObject(
            title="Remove this digest?",
            text=f"<#{digest.channel_id}> will get no more digests of *{topic[:100]}*.",
            confirm="Remove",
            deny="Keep it",
            style="danger",
        ),
    )
    return [
        SectionBlock(text=MarkdownTextObject(text=" — ".join(parts)[:3000])),
        ActionsBlock(
            block_id=f"digest_{digest.id}",
            elements=[
                ButtonElement(text="Edit", action_id=EDIT_ACTION_ID, value=value),
                toggle,
                remove,
            ],
        ),
    ]


def _when(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b} {moment:%H:%M} UTC"


def source_health(topic: str, sources: Sequence[SourceInfo]) -> str:
    """One line: "*ukraine*: 3 sources — 2 ok, 1 failing since Tue 10 Mar 06:30 UTC (HTTP
    503)"; a topic with none says it is searched for in the news."""
    name = f"*{escape_mrkdwn(topic)}*"
    if not sources:
        return f"{name}: no sources of its own; found by a news search for its name."
    failing = [s for s in sources if s.last_error]
    ok = [s for s in sources if not s.last_error and s.last_ok_at]
    waiting = len(sources) - len(failing) - len(ok)
    said = [f"{len(ok)} ok"] if ok else []
    if waiting:
        said.append(f"{waiting} not fetched yet")
    for s in failing[:3]:
        since = f" since {_when(s.failing_since)}" if s.failing_since else ""
        said.append(f"1 failing{since} ({escape_mrkdwn((s.last_error or '')[:80])})")
    if len(failing) > 3:
        said.append(f"{len(failing) - 3} more failing")
    count = f"{len(sources)} source{'' if len(sources) == 1 else 's'}"
    icon = ":warning: " if failing else ""
    return f"{icon}{name}: {count} — {', '.join(said)}"[:1900]
