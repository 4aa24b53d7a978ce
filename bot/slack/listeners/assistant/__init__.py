"""The assistant panel (Slack's AI apps), through Bolt's `Assistant` middleware.

- a thread started: a greeting and suggested prompts for the workspace's subscribed topics;
- the user moved to another channel: the prompts put that channel's topics first;
- a message in the thread: the status says what is being read ("is reading 42 articles…"),
  then the answer or the brief is posted in the thread as in a brief's thread (same grounding
  and citations; a topic's name, or "Brief me on <topic>", gets its brief), and the status is
  cleared.

The middleware takes direct-message replies in threads (Bolt cannot tell an assistant thread
from another DM thread); they are answered here the same way the message listener answers
DMs. A DM outside a thread still goes to bot.slack.listeners.events. Everything is acked at
once; the work runs on the listener pools.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts
from slack_sdk.errors import SlackApiError

from bot.core import Briefbot
from bot.service.assistant import suggested_prompts, topic_asked_for, working_status
from bot.slack.actions import SlackActions
from bot.slack.pools import ANSWER, EVENT, ListenerPools
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
    set_suggested_prompts(prompts=suggested_prompts(core, team_id, channel_id), title=PROMPTS_TITLE)


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


def _set_status(set_status: SetStatus, text: str) -> None:
    """The status is a courtesy: a Slack error there never stops the answer."""
    try:
        set_status(text)
    except SlackApiError as err:
        log.info("assistant status not set: %s", err.response.get("error"))


def answer(
    actions: SlackActions,
    *,
    team_id: str,
    event: dict[str, Any],
    say: Say,
    set_status: SetStatus,
) -> None:
    """Answer a message in an assistant thread (or another DM thread), status set meanwhile."""
    channel_id, thread_ts, ts = event.get("channel"), event.get("thread_ts"), event.get("ts")
    if event.get("subtype") not in (None, "file_share") or not (channel_id and thread_ts and ts):
        return
    text = _MENTION.sub(" ", str(event.get("text") or "")).strip()[:MAX_QUESTION_CHARS]
    if text.lower() in ("", "help", "?"):
        say(HELP)
        return
    _set_status(set_status, working_status(actions.core, text))
    try:
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


def register(app: App, actions: SlackActions, pools: ListenerPools) -> None:
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
        say: Say,
        set_status: SetStatus,
    ) -> None:
        team_id = _team(body, context)
        if team_id:
            answer(actions, team_id=team_id, event=payload, say=say, set_status=set_status)

    assistant.thread_started(lazy=[pools.later(EVENT, started)])(acknowledge)
    assistant.thread_context_changed(lazy=[pools.later(EVENT, context_changed)])(acknowledge)
    assistant.user_message(lazy=[pools.later(ANSWER, message)])(acknowledge)
    app.assistant(assistant)
