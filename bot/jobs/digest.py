"""The scheduled digest: brief a subscription's topic into its channel, exactly once.

One run serves one (subscription, scheduled time) pair:

1. read the subscription (short transaction);
2. claim the pair (`storage.deliveries.claim`, short transaction). No claim: another run has
   sent it or is sending it right now, so this one is "skipped". This is what makes a restart,
   a second scheduler or a retried job post nothing twice;
3. brief the window since the previous digest (`core.brief`, no transaction held), plus the
   late arrivals: articles fetched since the previous digest although published before its
   window ended (a feed refreshed every 30 minutes delivers these daily), compare it
   claim by claim with what the channel was already told (`bot.jobs.changes`) and decide what
   to post (`plan_digest`, pure);
4. check the claim is still ours, post to Slack (no transaction open), then record the post
   as sent (short transaction): its ts is a thread root for follow-up questions.

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

Claim bookkeeping (`claimed_at`, staleness) uses the wall clock that `storage.deliveries`
stamps claims with; the schedule and the brief window use `core.clock`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.jobs import changes as change_rules
from bot.jobs.timing import format_local, scheduled_time
from bot.render.blocks import Message, brief_to_message
from bot.render.common import topic_title
from bot.render.escape import escape_mrkdwn
from bot.slack.pacing import ChannelPacer
from bot.summarize.model import Brief
from storage import briefs as brief_store
from storage import deliveries
from storage import subscriptions as subscription_store
from storage.db import transaction
from storage.models import Delivery, utcnow

if TYPE_CHECKING:
    from bot.core import Briefbot
    from bot.slack.client import ClientForTeam

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_STALE_AFTER",
    "FIRST_WINDOW",
    "MAX_ATTEMPTS",
    "PERMANENT_SLACK_ERRORS",
    "DigestOutcome",
    "DigestPlan",
    "catch_up_digests",
    "deliver_digest",
    "plan_digest",
    "run_digest",
    "sweep_stale_claims",
]

# Slack errors that will not heal by retrying: the claim is marked failed.
PERMANENT_SLACK_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
    }
)
DEFAULT_STALE_AFTER = timedelta(minutes=10)
DEFAULT_CATCH_UP = timedelta(hours=6)
METADATA_EVENT = "briefbot_digest"
# How many of the channel's latest messages a retried claim searches for its earlier post.
_HISTORY_LIMIT = 200
# A digest also carries the articles that reached its topic since the previous digest was
# claimed, less this margin (an ingest transaction still open then commits later), whatever
# their publication time: a story published before the last digest but fetched after it.
LATE_ARRIVAL_MARGIN = timedelta(minutes=15)
# The first digest of a subscription covers this much time.
FIRST_WINDOW = timedelta(hours=24)
# A digest is tried at most this many times (first run plus sweeps), then marked failed.
MAX_ATTEMPTS = 5
DIGEST_TITLE = "Daily digest"
# Recording a post that went out is retried briefly: a lost record means a double post later.
_MARK_SENT_TRIES = 3
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)

Status = Literal[
    "sent",  # the digest was posted
    "nothing_new",  # the "Nothing new on … since …" line was posted
    "skipped_empty",  # nothing new and DIGEST_SKIP_EMPTY: recorded as sent, nothing posted
    "skipped",  # someone else sent it or is sending it
    "failed",  # permanent failure (recorded, not retried)
    "retry",  # transient failure: the claim stays, a sweep runs it again later
    "inactive",  # the subscription is gone or paused
]


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


@dataclass(frozen=True)
class _Subscription:
    id: int
    team_id: str
    channel_id: str
    topic_id: int
    topic: str
    hour: int
    minute: int
    timezone: str


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    attempts: int
    since: datetime | None  # the previous digest's window end
    previous_points: list[dict[str, Any]]
    # Late arrivals: articles linked to the topic since then (wall clock) are carried whatever
    # their publication time, except those the previous digest already covered.
    arrived_since: datetime | None = None
    previous_article_ids: tuple[int, ...] = ()


# -- deciding (pure) --------------------------------------------------------------------------


def plan_digest(
    brief: Brief,
    previous_points: Sequence[Mapping[str, Any]],
    *,
    since_text: str,
    skip_empty: bool,
    after_digest: bool = False,
) -> DigestPlan:
    """Decide the digest: the brief minus what was already told, or the "nothing new" line.

    `since_text` is the local time the window starts at ("Tue 10 Mar, 08:00"); `after_digest`:
    that is when the previous digest went out. Its articles then include the late arrivals
    (published before it, fetched after it), so "new" means new since that digest, and the
    footer says so.
    """
    marks = change_rules.compare(brief, previous_points)
    told = change_rules.remember(change_rules.points_of(brief), previous_points)
    shown = change_rules.without_unchanged(brief, marks)
    if shown.is_empty:
        if skip_empty:
            return DigestPlan("skipped_empty", None, told, marks)
        text = f"Nothing new on *{escape_mrkdwn(topic_title(brief.topic))}* since {since_text}."
        return DigestPlan("nothing_new", Message(text), told, marks)
    new_marks = {text: change for text, change in marks.items() if change != "unchanged"}
    message = brief_to_message(
        shown,
        title_prefix=DIGEST_TITLE,
        new_marks=new_marks,
        footer=(
            f"New and updated since the last digest ({since_text}). "
            if after_digest
            else f"New and updated since {since_text}. "
        )
        + "Reply in this thread to ask a question about these articles.",
    )
    return DigestPlan("sent", message, told, marks)


# -- doing ------------------------------------------------------------------------------------


def run_digest(
    core: Briefbot,
    clients: ClientForTeam,
    subscription_id: int,
    *,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    pacer: ChannelPacer | None = None,
) -> DigestOutcome:
    """The digest of `subscription_id` for its most recent scheduled time (<= now)."""
    now = now or core.clock()
    subscription = _load_subscription(core, subscription_id)
    if subscription is None:
        return DigestOutcome("inactive", subscription_id)
    scheduled_for = scheduled_time(
        now, subscription.hour, subscription.minute, subscription.timezone
    )
    return _deliver(core, clients, subscription, scheduled_for, now, stale_after, pacer)


def deliver_digest(
    core: Briefbot,
    clients: ClientForTeam,
    subscription_id: int,
    scheduled_for: datetime,
    *,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    pacer: ChannelPacer | None = None,
) -> DigestOutcome:
    """Claim and deliver the digest of one (subscription, scheduled time)."""
    subscription = _load_subscription(core, subscription_id)
    if subscription is None:
        return DigestOutcome("inactive", subscription_id, scheduled_for)
    return _deliver(core, clients, subscription, scheduled_for, now, stale_after, pacer)


@metrics.counts_digests
def _deliver(
    core: Briefbot,
    clients: ClientForTeam,
    sub: _Subscription,
    scheduled_for: datetime,
    now: datetime | None,
    stale_after: timedelta,
    pacer: ChannelPacer | None = None,
) -> DigestOutcome:
    now = now or core.clock()
    claimed = _claim(core, sub, scheduled_for, stale_after)
    if claimed is None:
        return DigestOutcome("skipped", sub.id, scheduled_for)
    outcome = DigestOutcome("retry", sub.id, scheduled_for, claimed.delivery_id)

    until = now
    since = claimed.since or until - FIRST_WINDOW
    if since >= until:  # clocks disagree (a previous run's clock was ahead): keep a window
        since = until - timedelta(minutes=1)
    try:
        result = core.brief(
            sub.topic,
            since=since,
            until=until,
            arrived_since=claimed.arrived_since,
            arrived_except=claimed.previous_article_ids,
        )
        plan = plan_digest(
            result.brief,
            claimed.previous_points,
            since_text=format_local(since, sub.timezone),
            skip_empty=core.settings.digest_skip_empty,
            after_digest=claimed.since is not None,
        )
    except Exception as err:
        log.exception("digest %s for %s: briefing failed; will retry", sub.id, scheduled_for)
        return _with(outcome, error=_describe(err))
    outcome = _with(
        outcome,
        new=plan.count("new"),
        updated=plan.count("updated"),
        unchanged=plan.count("unchanged"),
    )

    if not _still_ours(core, claimed):
        log.warning("digest %s for %s: claim taken over; not posting", sub.id, scheduled_for)
        return _with(outcome, status="skipped")

    ts: str | None = None
    if plan.message is not None and claimed.attempts > 1:
        # A retry: an earlier attempt may have posted and died before recording it.
        ts = _earlier_post(clients, sub, claimed.delivery_id)
        if ts is not None:
            log.warning("digest %s for %s was already posted (ts %s)", sub.id, scheduled_for, ts)
    if plan.message is not None and ts is None:
        try:
            content = plan.message.to_kwargs()
            if not content.get("blocks"):
                content.pop("blocks", None)  # a one-liner: text only
            if pacer is not None:
                pacer.wait(sub.team_id, sub.channel_id)
            try:
                response = clients(sub.team_id).chat_postMessage(
                    channel=sub.channel_id,
                    **content,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={
                        "event_type": METADATA_EVENT,
                        "event_payload": {"delivery_id": claimed.delivery_id},
                    },
                )
            finally:
                if pacer is not None:
                    pacer.done(sub.team_id, sub.channel_id)
            ts = response.get("ts")
        except SlackApiError as err:
            code = _slack_error_code(err)
            if code in PERMANENT_SLACK_ERRORS:
                log.warning("digest %s: Slack said %s; marking it failed", sub.id, code)
                _mark_failed(core, claimed.delivery_id, f"slack: {code}")
                return _with(outcome, status="failed", error=code)
            log.exception("digest %s: Slack error %s; will retry", sub.id, code)
            return _with(outcome, error=f"slack: {code}")
        except Exception as err:
            log.exception("digest %s: posting failed; will retry", sub.id)
            return _with(outcome, error=_describe(err))

    _mark_sent(core, claimed, ts=ts, brief_id=result.brief_id, plan=plan, since=since, until=until)
    return _with(outcome, status=plan.status, ts=ts, error=None)


def sweep_stale_claims(
    core: Briefbot,
    clients: ClientForTeam,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    pacer: ChannelPacer | None = None,
) -> list[DigestOutcome]:
    """Run again every digest whose claim went stale without being sent or failed.

    `now` is wall-clock time (claims are stamped with it), default now. Each stale claim is
    taken over atomically by `deliveries.claim`, so concurrent sweeps post it once between them.
    """
    cutoff = (now or utcnow()) - stale_after
    with core.factory() as session:
        stale = [
            (row.id, row.subscription_id, row.scheduled_for, row.attempts)
            for row in deliveries.stale_claims(session, cutoff)
        ]
    outcomes: list[DigestOutcome] = []
    for delivery_id, subscription_id, scheduled_for, attempts in stale:
        sub = _load_subscription(core, subscription_id) if subscription_id is not None else None
        give_up = None
        if sub is None or scheduled_for is None:
            give_up = "subscription deleted or paused"
        elif attempts >= max_attempts:
            give_up = f"gave up after {attempts} attempts"
        elif _superseded(core, sub.id, scheduled_for):
            give_up = "superseded by a later digest"
        if give_up is not None:
            _mark_failed(core, delivery_id, give_up, only_if_claimed_before=cutoff)
            metrics.DIGESTS.labels("failed").inc()
            outcomes.append(
                DigestOutcome(
                    "failed", subscription_id or 0, scheduled_for, delivery_id, error=give_up
                )
            )
            continue
        assert sub is not None and scheduled_for is not None
        log.info("digest %s for %s: claim went stale; running it again", sub.id, scheduled_for)
        outcomes.append(_deliver(core, clients, sub, scheduled_for, None, stale_after, pacer))
    return outcomes


def catch_up_digests(
    core: Briefbot,
    clients: ClientForTeam,
    now: datetime | None = None,
    *,
    window: timedelta = DEFAULT_CATCH_UP,
    pacer: ChannelPacer | None = None,
) -> list[DigestOutcome]:
    """Deliver every digest that was due within `window` but never started.

    For each active subscription, its latest scheduled time up to `now`: if the subscription
    existed then and no delivery row exists for that time, it is delivered now. The claim
    keeps this exactly-once alongside the scheduler's own run of the same time.
    """
    now = now or core.clock()
    with core.factory() as session:
        due: list[tuple[int, datetime]] = []
        for row in subscription_store.all_active(session):
            scheduled_for = scheduled_time(now, row.hour, row.minute, row.timezone)
            if now - scheduled_for > window or row.created_at > scheduled_for:
                continue
            if deliveries.exists(session, row.id, scheduled_for):
                continue
            due.append((row.id, scheduled_for))
    outcomes = []
    for subscription_id, scheduled_for in due:
        log.info("digest %s for %s never ran; delivering it now", subscription_id, scheduled_for)
        outcomes.append(
            deliver_digest(core, clients, subscription_id, scheduled_for, now=now, pacer=pacer)
        )
    return outcomes


def _earlier_post(clients: ClientForTeam, sub: _Subscription, delivery_id: int) -> str | None:
    """The ts of this delivery's message if an earlier attempt posted it, else None."""
    try:
        # The latest messages, not a time range: a retry comes minutes to hours after the
        # first attempt, and message timestamps are Slack's clock, not ours.
        response = clients(sub.team_id).conversations_history(
            channel=sub.channel_id, limit=_HISTORY_LIMIT, include_all_metadata=True
        )
    except Exception as err:  # no history scope, or Slack down: post (at least once)
        log.warning("digest %s: could not check for an earlier post (%s)", sub.id, _describe(err))
        return None
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("delivery_id") == (
            delivery_id
        ):
            return str(message.get("ts"))
    return None


# -- storage steps, each its own short transaction --------------------------------------------


def _load_subscription(core: Briefbot, subscription_id: int) -> _Subscription | None:
    with core.factory() as session:
        row = subscription_store.get_any_team(session, subscription_id)
        if row is None or row.paused:
            return None
        return _Subscription(
            id=row.id,
            team_id=row.team_id,
            channel_id=row.channel_id,
            topic_id=row.topic_id,
            topic=row.topic.name,
            hour=row.hour,
            minute=row.minute,
            timezone=row.timezone,
        )


def _claim(
    core: Briefbot, sub: _Subscription, scheduled_for: datetime, stale_after: timedelta
) -> _Claimed | None:
    with transaction(core.factory) as session:
        row = deliveries.claim(
            session,
            subscription_id=sub.id,
            scheduled_for=scheduled_for,
            team_id=sub.team_id,
            channel_id=sub.channel_id,
            topic_id=sub.topic_id,
            stale_after=stale_after,
        )
        if row is None:
            return None
        previous = deliveries.previous_digest(session, sub.id, scheduled_for)
        if previous is None:
            return _Claimed(row.id, row.attempts, None, [])
        # Articles stored while the previous digest was being made may have missed it: look
        # back a margin before its claim, and leave out what the digests claimed since then
        # (the previous one, usually) did cover.
        arrived_since = previous.claimed_at - LATE_ARRIVAL_MARGIN
        covered: dict[int, None] = {}
        for brief_id in deliveries.digest_brief_ids_since(session, sub.id, arrived_since):
            brief = brief_store.get_by_id(session, brief_id)
            if brief is not None:
                covered.update(dict.fromkeys(int(i) for i in brief.article_ids or []))
        return _Claimed(
            delivery_id=row.id,
            attempts=row.attempts,
            since=previous.until,
            previous_points=list(previous.points or []),
            arrived_since=arrived_since,
            previous_article_ids=tuple(covered),
        )


def _still_ours(core: Briefbot, claimed: _Claimed) -> bool:
    """Nobody took the claim over while we were briefing (a takeover bumps `attempts`)."""
    with core.factory() as session:
        row = session.get(Delivery, claimed.delivery_id)
        return row is not None and row.status == "claimed" and row.attempts == claimed.attempts


def _superseded(core: Briefbot, subscription_id: int, scheduled_for: datetime) -> bool:
    """A later digest of the subscription went out: posting this old one now would confuse."""
    with core.factory() as session:
        latest = deliveries.previous_digest(session, subscription_id, _END_OF_TIME)
        return (
            latest is not None
            and latest.scheduled_for is not None
            and latest.scheduled_for > scheduled_for
        )


def _mark_sent(
    core: Briefbot,
    claimed: _Claimed,
    *,
    ts: str | None,
    brief_id: int,
    plan: DigestPlan,
    since: datetime,
    until: datetime,
) -> None:
    for attempt in range(1, _MARK_SENT_TRIES + 1):
        try:
            with transaction(core.factory) as session:
                row = session.get(Delivery, claimed.delivery_id)
                if row is None:
                    log.warning("digest delivery %s vanished before it was recorded", claimed)
                    return
                if row.status == "sent":
                    log.warning("digest delivery %s was already sent by another run", row.id)
                    return
                deliveries.mark_sent(
                    session,
                    row,
                    ts=ts,
                    brief_id=brief_id,
                    points=plan.points,
                    since=since,
                    until=until,
                )
            return
        except Exception:
            if attempt == _MARK_SENT_TRIES:
                log.exception("digest delivery %s was posted but not recorded", claimed)
                raise
            time.sleep(0.2 * attempt)


def _mark_failed(
    core: Briefbot,
    delivery_id: int,
    error: str,
    *,
    only_if_claimed_before: datetime | None = None,
) -> None:
    with transaction(core.factory) as session:
        row = session.get(Delivery, delivery_id)
        if row is None or row.status != "claimed":
            return
        if only_if_claimed_before is not None and row.claimed_at >= only_if_claimed_before:
            return  # someone took it over meanwhile
        deliveries.mark_failed(session, row, error)


# -- helpers ----------------------------------------------------------------------------------


def _slack_error_code(err: SlackApiError) -> str:
    response = getattr(err, "response", None)
    try:
        code = response.get("error") if response is not None else None  # type: ignore[union-attr]
    except Exception:
        code = None
    return str(code or "unknown_error")


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:500]


def _with(outcome: DigestOutcome, **changes: Any) -> DigestOutcome:
    return replace(outcome, **changes)
