"""The one way briefbot posts to Slack: a channel or a thread, with message metadata, paced
per channel, and Slack's refusals read one way.

Every post of the product (a /brief, a brief asked for in a mention, a thread answer, a daily
digest) goes through `SlackPoster.post`. A refusal comes back as `bot.errors.PostError`,
whose `channel_unreachable` and `permanent` are decided here from one set of codes; the jobs
receive a poster from the composition root and never see the Slack SDK.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import PostError
from bot.render.blocks import Message
from bot.slack.client import ClientForTeam
from bot.slack.pacing import Pacer

log = logging.getLogger(__name__)

# Slack errors meaning "the bot cannot post in this channel": not a member, no such channel,
# archived. A /brief then shows the brief to the requester alone; a digest stops trying.
CHANNEL_UNREACHABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# Slack errors meaning the workspace's token no longer works: nothing to retry either.
TOKEN_GONE = frozenset({"account_inactive", "invalid_auth", "token_revoked"})
PERMANENT = CHANNEL_UNREACHABLE | TOKEN_GONE


def error_code(err: BaseException) -> str:
    """Slack's error code in a Web API error ("unknown_error" when there is none to read)."""
    response = getattr(err, "response", None)
    try:
        code = response.get("error") if response is not None else None
    except Exception:
        code = None
    return str(code or "unknown_error")


def post_error(err: SlackApiError) -> PostError:
    code = error_code(err)
    return PostError(
        code, channel_unreachable=code in CHANNEL_UNREACHABLE, permanent=code in PERMANENT
    )


class SlackPoster:
    """Posts with the bot's client for the workspace. With a `pacer`, posts to one channel
    keep Slack's one-message-per-second pace (see `bot.slack.pacing`)."""

    def __init__(self, clients: ClientForTeam, pacer: Pacer | None = None) -> None:
        self.clients = clients
        self.pacer = pacer

    def post(
        self,
        team_id: str,
        channel_id: str,
        message: Message | str,
        *,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Post `message` (a one-liner may be plain text); its ts. Links are never unfurled:
        a brief cites many. `metadata` is message metadata ({"event_type", "event_payload"}),
        how a post is recognised later (a brief's delivery id). Raises PostError when Slack
        refuses it; anything else (network, timeouts) as it comes."""
        content = Message(message).to_kwargs() if isinstance(message, str) else message.to_kwargs()
        if not content.get("blocks"):
            content.pop("blocks", None)  # a one-liner: text only
        extra: dict[str, Any] = {}
        if thread_ts is not None:
            extra["thread_ts"] = thread_ts
        if metadata is not None:
            extra["metadata"] = dict(metadata)
        if self.pacer is not None:
            self.pacer.wait(team_id, channel_id)
        try:
            response = self.clients(team_id).chat_postMessage(
                channel=channel_id, **content, **extra, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as err:
            raise post_error(err) from err
        finally:
            if self.pacer is not None:
                self.pacer.done(team_id, channel_id)
        ts = response.get("ts")
        return str(ts) if ts is not None else None

    def posts_with_metadata(
        self,
        team_id: str,
        channel_id: str,
        event_type: str,
        *,
        thread_ts: str | None = None,
        limit: int = 200,
    ) -> list[tuple[str, dict[str, Any]]]:
        """(ts, metadata payload) of our messages carrying `event_type` metadata: among the
        channel's latest `limit` messages, or (with `thread_ts`) the thread's root alone.
        Raises PostError when Slack refuses the read."""
        try:
            client = self.clients(team_id)
            if thread_ts is None:
                # The latest messages, not a time range: a retry comes minutes to hours after
                # the first attempt, and message timestamps are Slack's clock, not ours.
                response = client.conversations_history(
                    channel=channel_id, limit=limit, include_all_metadata=True
                )
            else:
                response = client.conversations_replies(
                    channel=channel_id, ts=thread_ts, limit=1, include_all_metadata=True
                )
        except SlackApiError as err:
            raise post_error(err) from err
        found = []
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if thread_ts is not None and message.get("ts") != thread_ts:
                continue
            if metadata.get("event_type") == event_type:
                found.append((str(message.get("ts")), dict(metadata.get("event_payload") or {})))
        return found
