"""The assistant panel (Slack's AI apps), through Bolt's `Assistant` middleware.

- a thread started: a greeting and suggested prompts for the workspace's subscribed topics;
- the user moved to another channel: the prompts put that channel's topics first;
- a message in the thread: the status says what is being read ("is reading 42 articles…"),
  then the answer or the brief is posted in the thread as in a brief's thread (same grounding
  and citations; a topic's name, or "Brief me on <topic>", gets its brief; "What changed since
  yesterday's digest?" a brief of what arrived since the latest digest), and the status is
  cleared.

The middleware takes direct-message replies in threads (Bolt cannot tell an assistant thread
from another DM thread); they are answered here the same way the message listener answers
DMs. A DM outside a thread still goes to bot.slack.listeners.events. Everything is acked at
once; the work runs on the listener pools.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts
from slack_sdk.errors import SlackApiError

from bot.core import Briefbot
from bot.render import blocks
from bot.render.blocks import Message
from bot.render.common import fmt_date
from bot.render.escape import escape_mrkdwn
from bot.service.assistant import asks_for_changes, topic_asked_for
from bot.slack.features import Features
from bot.slack.pools import ANSWER, EVENT, ListenerPools
from bot.slack.posting import SlackPoster
from bot.slack.questions import Questions
from bot.slack.teams import origin

log = logging.getLogger(__name__)

GREETING = (
    "Hi! Ask me about a news topic I follow, or name a topic for its brief. "
    "Every answer cites its articles."
)
PROMPTS_TITLE = "Try one of these:"
HELP = (
    "Name a topic I follow (e.g. “ukraine”, or “Brief me on ukraine”) for its brief, or ask a "
    "question about it (e.g. “What did Russia demand?”). Answers cite the articles they come "
    "from. In channels, `/brief help` lists the rest."
)
FAILED = "Something went wrong while answering that; it has been logged."
NO_DIGEST = (
    "This workspace has had no digest lately. Subscribe a channel to one with "
    "`/brief subscribe ukraine at 08:00`, or name a topic here for its brief."
)
_MENTION = re.compile(r"<@[A-Z0-9]+>")
# A message longer than this is cut before it is read (Slack allows 40,000 characters).
MAX_QUESTION_CHARS = 2_000


def acknowledge(ack: Ack) -> None:
    ack()


def _team(body: dict[str, Any], context: BoltContext) -> str | None:
    return origin(body, context.team_id, context.enterprise_id).team_id


def offer_prompts(
    core: Briefbot,
    team_id: str,
    channel_id: str | None,
    set_suggested_prompts: SetSuggestedPrompts,
) -> None:
    prompts = core.assistant.suggested_prompts(team_id, channel_id)
    set_suggested_prompts(prompts=prompts, title=PROMPTS_TITLE)


def thread_started(
    core: Briefbot,
    team_id: str,
    thread: dict[str, Any],
    say: Say,
    set_suggested_prompts: SetSuggestedPrompts,
) -> None:
    say(GREETING)
    viewing = (thread.get("context") or {}).get("channel_id")
    offer_prompts(core, team_id, viewing, set_suggested_prompts)


def tell_changes(core: Briefbot, team_id: str, say: Callable[..., Any]) -> None:
    """What reached the topic of the workspace's latest digest since it went out, as a brief."""
    changes = core.assistant.changes_since_digest(team_id)
    if changes is None:
        say(NO_DIGEST)
    elif changes.result is None:
        say(
            f"Nothing new on *{escape_mrkdwn(changes.topic)}* since its digest of "
            f"{fmt_date(changes.digest_at)}."
        )
    else:
        message = blocks.brief_to_message(
            changes.result.brief, title_prefix="Since the last digest"
        )
        say(text=message.text, blocks=message.blocks)


def thread_poster(
    poster: SlackPoster, team_id: str, channel_id: str, thread_ts: str
) -> Callable[..., Any]:
    """Posts in the thread, through the posting path. Bolt's own `say` there first reads the
    thread's context (one conversations.replies per message) for metadata we do not use."""

    def post(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        poster.post(team_id, channel_id, Message(text, blocks or []), thread_ts=thread_ts)

    return post


def _set_status(set_status: SetStatus, text: str) -> None:
    """The status is a courtesy: a Slack error there never stops the answer."""
    try:
        set_status(text)
    except SlackApiError as err:
        log.info("assistant status not set: %s", err.response.get("error"))
    except OSError as err:  # Slack unreachable (URLError is one): the answer went or goes anyway
        log.info("assistant status not set: %s", err)


def answer(
    actions: Questions,
    *,
    team_id: str,
    event: dict[str, Any],
    say: Callable[..., Any],
    set_status: SetStatus,
) -> None:
    """Answer a message in an assistant thread (or another DM thread), status set meanwhile;
    `say` posts in the thread."""
    channel_id, thread_ts, ts = event.get("channel"), event.get("thread_ts"), event.get("ts")
    if event.get("subtype") not in (None, "file_share") or not (channel_id and thread_ts and ts):
        return
    text = _MENTION.sub(" ", str(event.get("text") or "")).strip()[:MAX_QUESTION_CHARS]
    if text.lower() in ("", "help", "?"):
        say(HELP)
        return
    _set_status(set_status, actions.core.assistant.working_status(text))
    try:
        if asks_for_changes(text):
            if actions.core.assistant.first_time(team_id, channel_id, ts):
                tell_changes(actions.core, team_id, say)
            return
        # A follow-up in a thread we already answered in (or under a brief) uses its context.
        if actions.answer_in_thread(
            team_id=team_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            message_ts=ts,
            question=text,
        ):
            return
        actions.answer_message(
            team_id=team_id,
            channel_id=channel_id,
            message_ts=ts,
            text=topic_asked_for(text),
            reply_ts=thread_ts,
        )
    except Exception:
        log.exception("answering in the assistant panel failed")
        say(FAILED)
    finally:
        _set_status(set_status, "")


def register(app: App, features: Features, pools: ListenerPools) -> None:
    actions = features.questions
    assistant = Assistant(logger=logging.getLogger("briefbot.slack.assistant"))

    def started(
        body: dict[str, Any],
        payload: dict[str, Any],
        context: BoltContext,
        say: Say,
        set_suggested_prompts: SetSuggestedPrompts,
    ) -> None:
        team_id = _team(body, context)
        if team_id:
            thread = payload.get("assistant_thread") or {}
            thread_started(actions.core, team_id, thread, say, set_suggested_prompts)

    def context_changed(
        body: dict[str, Any],
        payload: dict[str, Any],
        context: BoltContext,
        set_suggested_prompts: SetSuggestedPrompts,
    ) -> None:
        team_id = _team(body, context)
        viewing = ((payload.get("assistant_thread") or {}).get("context") or {}).get("channel_id")
        if team_id:
            offer_prompts(actions.core, team_id, viewing, set_suggested_prompts)

    def message(
        body: dict[str, Any],
        payload: dict[str, Any],
        context: BoltContext,
        set_status: SetStatus,
    ) -> None:
        team_id = _team(body, context)
        channel_id, thread_ts = payload.get("channel"), payload.get("thread_ts")
        if team_id and channel_id and thread_ts:
            say = thread_poster(actions.poster, team_id, channel_id, thread_ts)
            answer(actions, team_id=team_id, event=payload, say=say, set_status=set_status)

    assistant.thread_started(lazy=[pools.later(EVENT, started)])(acknowledge)
    assistant.thread_context_changed(lazy=[pools.later(EVENT, context_changed)])(acknowledge)
    assistant.user_message(lazy=[pools.later(ANSWER, message)])(acknowledge)
    app.assistant(assistant)
