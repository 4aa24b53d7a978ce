""" "Brief this link", a message shortcut: the first link in the message is fetched (through
the guarded fetcher), extracted and briefed in the message's thread, with citations. A message
without a link, or a link that cannot be fetched, gets a one-line ephemeral reason.

Acked at once; the fetch and the brief run on the brief pool.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.core import Briefbot
from bot.errors import BriefbotError, PostError
from bot.render import blocks
from bot.render.common import plural
from bot.render.escape import escape_mrkdwn
from bot.slack.client import ClientForTeam
from bot.slack.features import Features
from bot.slack.pools import BRIEF, ListenerPools
from bot.slack.posting import SlackPoster
from bot.slack.teams import origin

log = logging.getLogger(__name__)

CALLBACK_ID = "brief_this_link"
NO_LINK = (
    "That message has no link to brief. Use *Brief this link* on a message that holds an "
    "article's URL (https://…)."
)
NOT_IN_CHANNEL = (
    "I'm not in this channel, so only you can see this brief. Invite me with "
    "`/invite @briefbot` to post it in the thread."
)
FAILED = "Something went wrong while briefing that link; it has been logged."
# Slack writes links in message text as <https://x|label> or <https://x>; people paste bare ones.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>", re.IGNORECASE)
_BARE_LINK = re.compile(r"https?://[^\s<>|\"]+", re.IGNORECASE)
# A message is read up to this many characters for its link (Slack allows 40,000).
MAX_MESSAGE_CHARS = 40_000


def acknowledge(ack: Ack) -> None:
    ack()


def _block_links(blocks_: Any) -> list[str]:
    """Links in rich_text blocks (what Slack clients send), in order."""
    found: list[str] = []

    def walk(node: Any, depth: int) -> None:
        if depth > 8 or len(found) > 10:
            return
        if isinstance(node, dict):
            if node.get("type") == "link" and isinstance(node.get("url"), str):
                found.append(node["url"])
            for value in node.values():
                if isinstance(value, list | dict):
                    walk(value, depth + 1)
        elif isinstance(node, list):
            for item in node[:100]:
                walk(item, depth + 1)

    walk(blocks_, 0)
    return found


def find_link(message: dict[str, Any]) -> str | None:
    """The first http(s) link of a message: from its text, else its blocks, else attachments."""
    text = str(message.get("text") or "")[:MAX_MESSAGE_CHARS]
    match = _SLACK_LINK.search(text) or _BARE_LINK.search(text)
    if match:
        return match.group(1) if match.re is _SLACK_LINK else match.group(0)
    for url in _block_links(message.get("blocks")):
        if url.lower().startswith(("http://", "https://")):
            return url
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            for key in ("original_url", "from_url", "title_link"):
                url = attachment.get(key)
                if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
                    return url
    return None


def brief_this_link(
    core: Briefbot,
    clients: ClientForTeam,
    *,
    team_id: str,
    channel_id: str,
    message: dict[str, Any],
    respond: Respond,
) -> None:
    """Brief the message's link in its thread; every refusal goes to `respond` (ephemeral)."""
    url = find_link(message)
    if url is None:
        respond(text=NO_LINK)
        return
    try:
        result = core.links.brief(url)
    except BriefbotError as err:
        respond(text=escape_mrkdwn(str(err)))
        return
    footer = "Briefed from the linked article" + (
        f" and {plural(result.related, 'stored article')} of the same story."
        if result.related
        else "."
    )
    reply = blocks.brief_to_message(result.brief, footer=footer)
    thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
    try:
        SlackPoster(clients).post(team_id, channel_id, reply, thread_ts=thread_ts or None)
    except PostError as err:
        if not err.channel_unreachable:
            raise
        respond(text=NOT_IN_CHANNEL + "\n\n" + reply.text, blocks=reply.blocks)


def register(app: App, features: Features, pools: ListenerPools) -> None:
    def work(body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        team_id = origin(body, context.team_id, context.enterprise_id).team_id
        channel_id = (body.get("channel") or {}).get("id")
        if not team_id or not channel_id:
            return
        try:
            brief_this_link(
                features.core,
                features.clients,
                team_id=team_id,
                channel_id=channel_id,
                message=body.get("message") or {},
                respond=respond,
            )
        except Exception:
            log.exception("Brief this link failed")
            respond(text=FAILED)

    app.message_shortcut(CALLBACK_ID)(ack=acknowledge, lazy=[pools.later(BRIEF, work)])
