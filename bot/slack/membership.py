"""Whether a person is in a channel (Slack `conversations.members`): the digest buttons and
App Home let only a channel's members change its digest.

Bounded: at most MAX_PAGES pages of PAGE_SIZE members (a channel of 20,000 people), each call
within the client's timeout. Slack failing to answer is "unknown" (None), never "yes".
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
MAX_PAGES = 20


def is_member(client: WebClient, channel_id: str, user_id: str) -> bool | None:
    """True/False; None when Slack would not say (missing scope, unknown channel, an error)."""
    cursor: str | None = None
    try:
        for _ in range(MAX_PAGES):
            page = client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
            if user_id in (page.get("members") or []):
                return True
            cursor = ((page.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                return False
    except SlackApiError as err:
        log.warning("conversations.members %s: %s", channel_id, err.response.get("error"))
        return None
    log.warning("conversations.members %s: more than %d pages; not read", channel_id, MAX_PAGES)
    return None
