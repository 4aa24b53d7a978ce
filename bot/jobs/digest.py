"""The scheduled digest: brief a subscription's topic into its channel, exactly once.

One run serves one (subscription, scheduled time) pair:

1. read the subscription (`core.subscriptions`, short transaction);
2. claim the pair (`core.deliveries.claim`, short transaction). No claim: another run has
   sent it or is sending it right now, so this one is "skipped". This is what makes a restart,
   a second scheduler or a retried job post nothing twice;
3. brief the window since the previous digest (`core.brief`, no transaction held), plus the
   late arrivals: articles fetched since the previous digest although published before its
   window ended (a feed refreshed every 30 minutes delivers these daily), compare it
   claim by claim with what the channel was already told (`bot.jobs.changes`) and decide what
   to post (`plan_digest`, pure);
4. check the claim is still ours, post (no transaction open) with the poster the composition
   root hands in (`bot.slack.posting.SlackPoster`: jobs never import Slack), then record the
   post as sent (short transaction): its ts is a thread root for follow-up questions.

Failures: slack_sdk already retries 429 (after Retry-After) and 5xx (`make_web_client`). A
Slack error that cannot heal (bot removed, channel archived, token revoked) marks the claim
"failed" and is not retried. Anything else leaves the claim "claimed"; `sweep_stale_claims`
takes it over once it is older than `stale_after` and runs it again, at most `MAX_ATTEMPTS`
times in all.

A process can die after Slack accepted a post and before the post was recorded (kill -9,
power loss). Every digest post therefore carries message metadata naming its delivery, and a
retried claim first looks for that message in the channel's recent history: found, it is
recorded as sent instead of posted again. (Slack has no idempotency key for chat.postMessage;
this is the next best thing, and needs the channels:history/groups:history scopes the app has
for thread questions. Without them it falls back to posting, at least once.)

A digest whose job never ran (the scheduler was down at the time, or died with jobs still
queued) is found by `catch_up_digests`: any active subscription whose latest scheduled time
lies within the catch-up window and has no delivery row yet is delivered then.

Claim bookkeeping (`claimed_at`, staleness) uses the wall clock that the deliveries service
stamps claims with; the schedule and the brief window use `core.clock`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot import metrics
from bot.errors import PostError
from bot.jobs import changes as change_rules
from bot.jobs.timing import format_local
from bot.render.blocks import Message, brief_to_message
from bot.render.common import topic_title
from bot.render.cost import cost_line, written_line
from bot.render.digest_actions import digest_actions
from bot.render.escape import escape_mrkdwn
from bot.service.briefs import BriefResult
from bot.service.deliveries import DigestClaim
from bot.service.deliveries import now as wall_clock
from bot.service.languages import brief_language
from bot.service.rhythm import latest_run, window_start
from bot.service.source_health import health_notes
from bot.service.subscriptions import SubscriptionInfo
from bot.summarize.length import shorten
from bot.summarize.model import Brief

if TYPE_CHECKING:
    from bot.core import Briefbot

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_STALE_AFTER",
    "FIRST_WINDOW",
    "MAX_ATTEMPTS",
    "DigestOutcome",
    "DigestPlan",
    "Poster",
    "catch_up_digests",
    "deliver_digest",
    "plan_digest",
    "run_digest",
    "sweep_stale_claims",
]

DEFAULT_STALE_AFTER = timedelta(minutes=10)
DEFAULT_CATCH_UP = timedelta(hours=6)
METADATA_EVENT = "briefbot_digest"
# How many of the channel's latest messages a retried claim searches for its earlier post.
_HISTORY_LIMIT = 200
# The first digest of a subscription covers this much time.
FIRST_WINDOW = timedelta(hours=24)
# A digest is tried at most this many times (first run plus sweeps), then marked failed.
MAX_ATTEMPTS = 5
DIGEST_TITLE = "Daily digest"

Status = Literal[
    "sent",  # the digest was posted
    "nothing_new",  # the "Nothing new on … since …" line was posted
    "skipped_empty",  # nothing new and DIGEST_SKIP_EMPTY: recorded as sent, nothing posted
    "skipped",  # someone else sent it or is sending it
    "failed",  # permanent failure (recorded, not retried)
    "retry",  # transient failure: the claim stays, a sweep runs it again later
    "inactive",  # the subscription is gone or paused with no end date
    "paused",  # paused until a later date: this run is skipped, never caught up
    "queued",  # handed to the task queue (TASK_QUEUE=postgres): a worker delivers it
]


class Poster(Protocol):
    """How a digest reaches its channel (`bot.slack.posting.SlackPoster`, injected). A refusal
    raises `bot.errors.PostError`, which says whether retrying can help."""

    def post(
        self,
        team_id: str,
        channel_id: str,
        message: Message | str,
        *,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> str | None: ...

    def posts_with_metadata(
        self,
        team_id: str,
        channel_id: str,
        event_type: str,
        *,
        thread_ts: str | None = None,
        limit: int = 200,
    ) -> list[tuple[str, dict[str, Any]]]: ...


# Queues one (subscription, scheduled time) for a worker (`bot.jobs.tasks.defer_digest`).
Handoff = Callable[[int, datetime], "DigestOutcome"]


@dataclass(frozen=True)
class DigestOutcome:
    status: Status
    subscription_id: int
    scheduled_for: datetime | None = None
    delivery_id: int | None = None
    ts: str | None = None
    error: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class DigestPlan:
    """What to do with a computed brief. `message` None: post nothing, just record."""

    status: Literal["sent", "nothing_new", "skipped_empty"]
    message: Message | None
    # Stored on the delivery: what the channel has been told as of this digest.
    points: list[dict[str, Any]]
    changes: dict[str, change_rules.Change] = field(default_factory=dict)

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes.values() if c == change)


# -- deciding (pure) --------------------------------------------------------------------------


def plan_digest(
    brief: Brief,
    previous_points: Sequence[Mapping[str, Any]],
    *,
    since_text: str,
    skip_empty: bool,
    after_digest: bool = False,
    title: str = DIGEST_TITLE,
    notes: Sequence[str] = (),
    feedback: bool = False,
    cost: str = "",
    actions: Mapping[str, Any] | None = None,
) -> DigestPlan:
    """Decide the digest: the brief minus what was already told, or the "nothing new" line.

    `since_text` is the local time the window starts at ("Tue 10 Mar, 08:00"); `after_digest`:
    that is when the previous digest went out. Its articles then include the late arrivals
    (published before it, fetched after it), so "new" means new since that digest, and the
    footer says so. `title`: the rhythm's ("Weekly digest"); `notes`: plain-text lines the
    channel must read whatever the news (a source failing), shown even when nothing is new.
    `actions`: the digest's buttons (Pause, Unsubscribe, Sources), shown last.
    """
    marks = change_rules.compare(brief, previous_points)
    told = change_rules.remember(change_rules.points_of(brief), previous_points)
    shown = change_rules.without_unchanged(brief, marks)
    said = "".join(f"\n:warning: {escape_mrkdwn(note)}" for note in notes)
    if shown.is_empty:
        if skip_empty and not notes:
            return DigestPlan("skipped_empty", None, told, marks)
        text = f"Nothing new on *{escape_mrkdwn(topic_title(brief.topic))}* since {since_text}."
        return DigestPlan("nothing_new", _line_message(text + said, actions), told, marks)
    new_marks = {text: change for text, change in marks.items() if change != "unchanged"}
    message = brief_to_message(
        shown,
        title_prefix=title,
        new_marks=new_marks,
        footer=(
            f"New and updated since the last digest ({since_text}). "
            if after_digest
            else f"New and updated since {since_text}. "
        )
        + "Reply in this thread to ask a question about these articles."
        + (f" {cost}" if cost else "")  # tokens and cost (bot.render.cost)
        + said,
        feedback=feedback,
        actions=actions,
    )
    return DigestPlan("sent", message, told, marks)


def _line_message(text: str, actions: Mapping[str, Any] | None) -> Message:
    """A one-line digest ("Nothing new on …"), with the digest's buttons under it."""
    if not actions:
        return Message(text)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}
    return Message(text, [section, dict(actions)])


# -- doing ------------------------------------------------------------------------------------


def run_digest(
    core: Briefbot,
    poster: Poster,
    subscription_id: int,
    *,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> DigestOutcome:
    """The digest of `subscription_id` for its most recent scheduled time (<= now)."""
    now = now or core.clock()
    subscription = core.subscriptions.get_active(subscription_id)
    if subscription is None:
        return DigestOutcome("inactive", subscription_id)
    scheduled_for = latest_run(
        now, subscription.rhythm, subscription.hour, subscription.minute, subscription.timezone
    )
    if subscription.paused_at(scheduled_for):
        return DigestOutcome("paused", subscription_id, scheduled_for)
    return _deliver(core, poster, subscription, scheduled_for, now=now, stale_after=stale_after)


def deliver_digest(
    core: Briefbot,
    poster: Poster,
    subscription_id: int,
    scheduled_for: datetime,
    *,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> DigestOutcome:
    """Claim and deliver the digest of one (subscription, scheduled time)."""
    subscription = core.subscriptions.get_active(subscription_id)
    if subscription is None:
        return DigestOutcome("inactive", subscription_id, scheduled_for)
    if subscription.paused_at(scheduled_for):
        return DigestOutcome("paused", subscription_id, scheduled_for)
    return _deliver(core, poster, subscription, scheduled_for, now=now, stale_after=stale_after)


@metrics.counts_digests
def _deliver(
    core: Briefbot,
    poster: Poster,
    sub: SubscriptionInfo,
    scheduled_for: datetime,
    *,
    now: datetime | None,
    stale_after: timedelta,
) -> DigestOutcome:
    """Claim, brief, post, record: each step's failure ends the run with its outcome."""
    claim = core.deliveries.claim(
        subscription_id=sub.id,
        scheduled_for=scheduled_for,
        team_id=sub.team_id,
        channel_id=sub.channel_id,
        topic_id=sub.topic_id,
        stale_after=stale_after,
    )
    if claim is None:
        return DigestOutcome("skipped", sub.id, scheduled_for)
    outcome = DigestOutcome("retry", sub.id, scheduled_for, claim.delivery_id)
    since, until = _window(sub, claim, scheduled_for, now or core.clock())
    try:
        result, plan = _brief_and_plan(core, sub, claim, since, until)
    except Exception as err:
        log.exception("digest %s for %s: briefing failed; will retry", sub.id, scheduled_for)
        return _with(outcome, error=_describe(err))
    outcome = _with(
        outcome,
        new=plan.count("new"),
        updated=plan.count("updated"),
        unchanged=plan.count("unchanged"),
    )
    if not core.deliveries.still_ours(claim):
        log.warning("digest %s for %s: claim taken over; not posting", sub.id, scheduled_for)
        return _with(outcome, status="skipped")
    try:
        ts = _post_once(poster, sub, claim, plan.message)
    except PostError as err:
        if err.permanent:
            log.warning("digest %s: Slack said %s; marking it failed", sub.id, err.code)
            core.deliveries.mark_failed(claim.delivery_id, f"slack: {err.code}")
            return _with(outcome, status="failed", error=err.code)
        log.exception("digest %s: Slack error %s; will retry", sub.id, err.code)
        return _with(outcome, error=f"slack: {err.code}")
    except Exception as err:
        log.exception("digest %s: posting failed; will retry", sub.id)
        return _with(outcome, error=_describe(err))
    core.deliveries.mark_sent(
        claim, ts=ts, brief_id=result.brief_id, points=plan.points, since=since, until=until
    )
    return _with(outcome, status=plan.status, ts=ts, error=None)


def _window(
    sub: SubscriptionInfo, claim: DigestClaim, scheduled_for: datetime, until: datetime
) -> tuple[datetime, datetime]:
    """Since the previous digest's window ended, until now; the first digest, and the first
    after a pause, cover one rhythm's worth (`bot.service.rhythm.window_start`)."""
    since = window_start(
        scheduled_for,
        sub.rhythm,
        sub.hour,
        sub.minute,
        sub.timezone,
        previous_until=claim.since,
        paused_until=sub.paused_until,
        until=until,
    )
    if since >= until:  # clocks disagree (a previous run's clock was ahead): keep a window
        since = until - timedelta(minutes=1)
    return since, until


def _brief_and_plan(
    core: Briefbot,
    sub: SubscriptionInfo,
    claim: DigestClaim,
    since: datetime,
    until: datetime,
) -> tuple[BriefResult, DigestPlan]:
    arrived_since = claim.arrived_since
    if claim.since is not None and since > claim.since and arrived_since is not None:
        # The window skips a pause: so do the late arrivals.
        arrived_since = max(arrived_since, since)
    filters = sub.filters
    result = core.brief(
        sub.topic,
        since=since,
        until=until,
        arrived_since=arrived_since,
        arrived_except=claim.previous_article_ids,
        filters=None if filters.is_empty else filters,
        team_id=sub.team_id,
        language=brief_language(sub.language, core.settings.brief_language),
    )
    notes = health_notes(
        core.source_states.for_topic(sub.topic_id),
        # Since the previous digest whatever the window: a source that failed during a pause
        # is still named once.
        since=claim.since or since,
        now=until,
        alert_after=timedelta(hours=core.settings.source_alert_after_hours),
        tz_name=sub.timezone,
    )
    # The channel's 👍/👎 orders the digest (bounded; after shortening, so feedback never
    # removes a bullet), and each bullet carries its own 👍/👎.
    ranked = core.feedback.rank(
        shorten(result.brief, sub.length), team_id=sub.team_id, channel_id=sub.channel_id
    )
    plan = plan_digest(
        ranked.brief,
        claim.previous_points,
        since_text=format_local(since, sub.timezone),
        skip_empty=core.settings.digest_skip_empty,
        after_digest=claim.since is not None and since == claim.since,
        title=sub.rhythm.title,
        notes=notes,
        feedback=True,
        cost=" ".join(
            part
            for part in (
                written_line(result.written_in, result.read_in),  # the language an LLM wrote it in
                cost_line(
                    result.tokens_in,
                    result.tokens_out,
                    price_in=core.settings.llm_price_per_1k_input,
                    price_out=core.settings.llm_price_per_1k_output,
                    over_budget=result.over_budget,
                ),
            )
            if part
        ),
        actions=digest_actions(sub.id, sub.topic),
    )
    return result, plan


def _post_once(
    poster: Poster, sub: SubscriptionInfo, claim: DigestClaim, message: Message | None
) -> str | None:
    """Post the digest unless an earlier attempt did; its ts (None: nothing to post)."""
    if message is None:
        return None
    if claim.attempts > 1:
        # A retry: an earlier attempt may have posted and died before recording it.
        ts = _earlier_post(poster, sub, claim.delivery_id)
        if ts is not None:
            log.warning(
                "digest %s (delivery %s) was already posted (ts %s)", sub.id, claim.delivery_id, ts
            )
            return ts
    return poster.post(
        sub.team_id,
        sub.channel_id,
        message,
        metadata={
            "event_type": METADATA_EVENT,
            "event_payload": {"delivery_id": claim.delivery_id},
        },
    )


def sweep_stale_claims(
    core: Briefbot,
    poster: Poster,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    handoff: Handoff | None = None,
) -> list[DigestOutcome]:
    """Run again every digest whose claim went stale without being sent or failed.

    `now` is wall-clock time (claims are stamped with it), default now. Each stale claim is
    taken over atomically by the claim, so concurrent sweeps post it once between them.
    `handoff`: queue each one for a worker instead of delivering it here (the task queue).
    """
    cutoff = (now or wall_clock()) - stale_after
    outcomes: list[DigestOutcome] = []
    for stale in core.deliveries.stale_claims(cutoff):
        sub_id, scheduled_for = stale.subscription_id, stale.scheduled_for
        sub = core.subscriptions.get_active(sub_id) if sub_id is not None else None
        give_up = None
        if sub is None or scheduled_for is None:
            give_up = "subscription deleted or paused"
        elif stale.attempts >= max_attempts:
            give_up = f"gave up after {stale.attempts} attempts"
        elif core.deliveries.superseded(sub.id, scheduled_for):
            give_up = "superseded by a later digest"
        if give_up is not None:
            core.deliveries.mark_failed(stale.delivery_id, give_up, only_if_claimed_before=cutoff)
            metrics.DIGESTS.labels("failed").inc()
            outcomes.append(
                DigestOutcome(
                    "failed", sub_id or 0, scheduled_for, stale.delivery_id, error=give_up
                )
            )
            continue
        assert sub is not None and scheduled_for is not None
        log.info("digest %s for %s: claim went stale; running it again", sub.id, scheduled_for)
        if handoff is not None:
            outcomes.append(handoff(sub.id, scheduled_for))
            continue
        outcomes.append(
            _deliver(core, poster, sub, scheduled_for, now=None, stale_after=stale_after)
        )
    return outcomes


def catch_up_digests(
    core: Briefbot,
    poster: Poster,
    now: datetime | None = None,
    *,
    window: timedelta = DEFAULT_CATCH_UP,
    handoff: Handoff | None = None,
) -> list[DigestOutcome]:
    """Deliver every digest that was due within `window` but never started (`handoff`:
    queue each for a worker instead).

    For each active subscription, its latest scheduled time up to `now`: if the subscription
    existed then and no delivery row exists for that time, it is delivered now. The claim
    keeps this exactly-once alongside the scheduler's own run of the same time.
    """
    now = now or core.clock()
    due: list[tuple[int, datetime]] = []
    for sub in core.subscriptions.active():
        scheduled_for = latest_run(now, sub.rhythm, sub.hour, sub.minute, sub.timezone)
        if now - scheduled_for > window or sub.created_at > scheduled_for:
            continue
        if sub.paused_at(scheduled_for):  # paused days are not caught up
            continue
        if core.deliveries.exists(sub.id, scheduled_for):
            continue
        due.append((sub.id, scheduled_for))
    outcomes = []
    for subscription_id, scheduled_for in due:
        if handoff is not None:  # the queue's sweep says what it queued
            outcomes.append(handoff(subscription_id, scheduled_for))
            continue
        log.info("digest %s for %s never ran; delivering it now", subscription_id, scheduled_for)
        outcomes.append(deliver_digest(core, poster, subscription_id, scheduled_for, now=now))
    return outcomes


def _earlier_post(poster: Poster, sub: SubscriptionInfo, delivery_id: int) -> str | None:
    """The ts of this delivery's message if an earlier attempt posted it, else None."""
    try:
        found = poster.posts_with_metadata(
            sub.team_id, sub.channel_id, METADATA_EVENT, limit=_HISTORY_LIMIT
        )
    except Exception as err:  # no history scope, or Slack down: post (at least once)
        log.warning("digest %s: could not check for an earlier post (%s)", sub.id, _describe(err))
        return None
    return next((ts for ts, payload in found if payload.get("delivery_id") == delivery_id), None)


# -- helpers ----------------------------------------------------------------------------------


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:500]


def _with(outcome: DigestOutcome, **changes: Any) -> DigestOutcome:
    return replace(outcome, **changes)
