"""A question: a reply in a thread of ours, a mention, a direct message."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import BoltContext

from bot.slack.questions import Questions
from bot.slack.teams import origin

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+>")
# A question longer than this is cut before it is read (Slack allows 40,000 characters).
MAX_QUESTION_CHARS = 2_000


def answer(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, *, questions: Questions
) -> None:
    question = _MENTION.sub(" ", str(event.get("text", ""))).strip()[:MAX_QUESTION_CHARS]
    # With an org-wide (Enterprise Grid) install context.team_id is None: see teams.origin.
    team_id = origin(body, context.team_id, context.enterprise_id).team_id
    if not team_id or not event.get("channel") or not event.get("ts"):
        return
    thread_ts = event.get("thread_ts")
    in_thread = bool(thread_ts) and thread_ts != event.get("ts")
    mentioned = event.get("type") == "app_mention"
    direct = event.get("channel_type") == "im"
    try:
        if in_thread and question:
            answered = questions.answer_in_thread(
                team_id=team_id,
                channel_id=event["channel"],
                thread_ts=thread_ts,
                message_ts=event["ts"],
                question=question,
            )
            if answered or not (mentioned or direct):
                return
        elif not (mentioned or direct):
            return  # a channel message that is not for us
        # A mention (or a DM) outside a thread of ours: answered in a thread under it.
        questions.answer_message(
            team_id=team_id,
            channel_id=event["channel"],
            message_ts=event["ts"],
            text=question,
            reply_ts=thread_ts if in_thread else event["ts"],
        )
    except Exception:
        log.exception("answering a question failed")
