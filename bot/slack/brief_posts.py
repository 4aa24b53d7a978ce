"""Posting a brief on request (a /brief, or a topic named in a mention): recorded before it is
posted, its ts recorded after, so its thread can be answered.

Recorded first: if the database cannot take the record now, nothing is posted (the user is
told so), rather than a brief whose thread nobody can answer. A brief posted in a channel
carries its delivery id as message metadata: should the ts never be recorded (the database
locked past the deadline, the process killed), the first question in its thread completes the
record (`bot.slack.questions`).
"""

from __future__ import annotations

from bot.core import Briefbot
from bot.errors import NotFoundError, PostError
from bot.render.blocks import DEFAULT_FOOTER, Message
from bot.render.cost import cost_line, written_line
from bot.service.briefs import BriefResult
from bot.service.languages import brief_language
from bot.slack.posting import SlackPoster

BRIEF_METADATA_EVENT = "briefbot_brief"


def topic_brief(
    core: Briefbot, topic: str, team_id: str | None = None, language: str | None = None
) -> BriefResult | None:
    """The topic's brief over the default window; None when there is no such topic or its
    window holds nothing (the caller says "I found no articles…"). `team_id`: the workspace
    it is for (its LLM tokens and budget); `language`: as asked (`lang:de`), else the
    workspace's BRIEF_LANGUAGE."""
    try:
        result = core.brief(
            topic,
            team_id=team_id,
            language=brief_language(language, core.settings.brief_language),
        )
    except NotFoundError:
        return None
    return None if result.brief.is_empty else result


def post_brief(
    core: Briefbot,
    poster: SlackPoster,
    message: Message,
    result: BriefResult,
    *,
    topic: str,
    team_id: str,
    channel_id: str,
    thread_ts: str | None = None,
) -> bool:
    """Record and post the brief (in a thread under `thread_ts`, whose root then stands for
    it). False: posted, but its record could not be completed in time. Raises PostError when
    Slack refuses it (recorded as not posted)."""
    deliveries = core.deliveries
    delivery_id = deliveries.record_intent(
        topic=topic,
        brief_id=result.brief_id,
        since=result.brief.since,
        until=result.brief.until,
        team_id=team_id,
        channel_id=channel_id,
    )
    metadata = (
        {"event_type": BRIEF_METADATA_EVENT, "event_payload": {"delivery_id": delivery_id}}
        if thread_ts is None
        else None
    )
    try:
        ts = poster.post(team_id, channel_id, message, thread_ts=thread_ts, metadata=metadata)
    except PostError as err:
        deliveries.mark_not_posted(delivery_id, f"slack: {err.code}")
        raise
    except Exception as err:
        deliveries.mark_not_posted(delivery_id, type(err).__name__)
        raise
    # In a thread, the thread's root (the user's message) is what questions there reply to.
    return deliveries.record_posted(delivery_id, thread_ts or str(ts))


def brief_footer(core: Briefbot, result: BriefResult) -> str:
    """The default footer, and what the brief's LLM tokens cost (or that the workspace's
    budget is spent), as `bot.render.cost` says it."""
    settings = core.settings
    cost = cost_line(
        result.tokens_in,
        result.tokens_out,
        price_in=settings.llm_price_per_1k_input,
        price_out=settings.llm_price_per_1k_output,
        over_budget=result.over_budget,
    )
    extra = " ".join(p for p in (written_line(result.written_in, result.read_in), cost) if p)
    return f"{DEFAULT_FOOTER} {extra}" if extra else DEFAULT_FOOTER
