"""The work the task queue runs, and what the leader's jobs put on it.

Four tasks, each small enough that any worker can take it and a dead worker loses only it:

- `refresh_source(url)`: one source fetched, its new articles stored (searchable at once);
- `refresh_topic(name)`: a subscribed topic with no source of its own (the news search);
- `analyze_pending()`: the sentence analysis of stored articles that have none yet (or whose
  analysis failed and is due again), queued by a refresh that stored new articles, one at a
  time across workers; it queues itself again while more is left (`bot.ingest.analysis_stage`);
- `deliver_digest(subscription_id, scheduled_for)`: one digest claimed, briefed, posted and
  recorded (`bot.jobs.digest`): the delivery claim stays what makes it exactly once.

The leader's scheduler stays the clock (`bot.jobs.scheduler`): its ingest job defers one
`refresh_source` per polled source, and each subscription's cron job one `deliver_digest`.
Deliveries to one channel share a lock (one at a time across workers, in order, paced by the
poster); their brief is made once per topic-window across workers by the briefs'
single-flight (`bot.service.briefs`). With the in-process queue (TASK_QUEUE=inline) a
deferred task runs at once in the scheduler's thread: the same functions, in one process.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from bot.jobs.digest import MAX_ATTEMPTS, DigestOutcome, Poster, deliver_digest
from bot.service.rhythm import latest_run
from bot.tasks import RetryLater, TaskQueue, TaskSpec

if TYPE_CHECKING:
    from bot.core import Briefbot

log = logging.getLogger(__name__)

__all__ = [
    "ANALYZE_PENDING",
    "DELIVER_DIGEST",
    "REFRESH_SOURCE",
    "REFRESH_TOPIC",
    "DigestNotDelivered",
    "defer_digest",
    "defer_digests",
    "defer_due_digests",
    "defer_ingest_round",
    "deliver",
    "register_tasks",
]

REFRESH_SOURCE = "briefbot.refresh_source"
REFRESH_TOPIC = "briefbot.refresh_topic"
DELIVER_DIGEST = "briefbot.deliver_digest"
ANALYZE_PENDING = "briefbot.analyze_pending"
# How long one analysis task runs before it hands over (queued again if more is left), so a
# worker's other tasks are not held up behind a long catch-up.
ANALYSIS_TASK_SECONDS = 120.0


class DigestNotDelivered(RetryLater):
    """A digest failed in a way a retry can heal (briefing or Slack failed): the queue runs
    the task again with backoff."""


def register_tasks(queue: TaskQueue, core: Briefbot, poster: Poster) -> None:
    # As many runs as a digest claim gets (then the task is kept as failed: a dead letter).
    attempts = MAX_ATTEMPTS
    warm_ingest = core.ingestion.warm
    for name, func, warm in (
        (REFRESH_SOURCE, functools.partial(refresh_source, core, queue), warm_ingest),
        (REFRESH_TOPIC, functools.partial(refresh_topic, core, queue), warm_ingest),
        (DELIVER_DIGEST, functools.partial(deliver, core, poster), None),
        (ANALYZE_PENDING, functools.partial(analyze_pending, core, queue), None),
    ):
        queue.register(TaskSpec(name, func, max_attempts=attempts, warm=warm))


# -- the tasks --------------------------------------------------------------------------------


def _round_deadline(core: Briefbot) -> float:
    # A refresh ends by the time the next round is due (as the in-process round does).
    return time.monotonic() + core.settings.ingest_interval_minutes * 60


def queue_analysis(queue: TaskQueue) -> bool:
    """Queue the analysis task unless one is already waiting (one runs at a time)."""
    return queue.defer(ANALYZE_PENDING, {}, lock="analysis", queueing_lock="analysis")


def _analysis_mode(queue: TaskQueue | None) -> str:
    """How a refresh's new articles get analysed; the round never waits for it. The
    in-process queue runs a refresh in the scheduler's thread: this process's analysis stage
    takes them. Workers queue an analysis task instead, which any worker takes."""
    return "queue" if queue is not None and not queue.in_process else "background"


def refresh_source(
    core: Briefbot, queue: TaskQueue | None = None, *, url: str, attempt: int = 0
) -> None:
    """Fetch one stored source. Its own failure (a feed down) is recorded on the source and is
    no task failure; the database failing is, and is retried."""
    location = url
    if url.lower().startswith("file://"):  # ingest takes a file source as its path
        location = unquote(urlsplit(url).path)
    mode = _analysis_mode(queue)
    report = core.ingest([location], until=_round_deadline(core), analysis=mode)
    if queue is not None and mode == "queue" and report.new_article_ids:
        queue_analysis(queue)
    log.info("refreshed %s: %s", url, report)


def refresh_topic(
    core: Briefbot, queue: TaskQueue | None = None, *, name: str, attempt: int = 0
) -> None:
    mode = _analysis_mode(queue)
    report = core.refresh_topic(name, until=_round_deadline(core), analysis=mode)
    if queue is not None and mode == "queue" and report.new_article_ids:
        queue_analysis(queue)


def analyze_pending(core: Briefbot, queue: TaskQueue, *, attempt: int = 0) -> int:
    """Analyse stored articles waiting for their analysis, for at most about
    ANALYSIS_TASK_SECONDS; queued again when the time ran out with more left."""
    started = time.monotonic()
    done = core.ingestion.analyze_pending(ANALYSIS_TASK_SECONDS)
    if time.monotonic() - started >= ANALYSIS_TASK_SECONDS:
        queue_analysis(queue)
    log.info("analysed %d stored articles", done)
    return done


def deliver(
    core: Briefbot,
    poster: Poster,
    *,
    subscription_id: int,
    scheduled_for: str,
    attempt: int = 0,
) -> DigestOutcome:
    """Deliver one (subscription, scheduled time). A retry (`attempt` > 0) takes the claim
    over at once: the queue runs it only once the earlier attempt has ended (it failed, or
    its worker stopped sending heartbeats), so that claim is nobody's any more; a post the
    earlier attempt made is found by its metadata, not made twice (`bot.jobs.digest`)."""
    stale_after = timedelta(0 if attempt else core.settings.digest_stale_after_seconds)
    outcome = deliver_digest(
        core,
        poster,
        subscription_id,
        datetime.fromisoformat(scheduled_for),
        stale_after=stale_after,
    )
    log.info(
        "digest %s: %s (new %s, updated %s, unchanged %s)%s",
        subscription_id,
        outcome.status,
        outcome.new,
        outcome.updated,
        outcome.unchanged,
        f": {outcome.error}" if outcome.error else "",
    )
    if outcome.status == "retry":
        raise DigestNotDelivered(f"digest {subscription_id}: {outcome.error}")
    return outcome


# -- what the leader defers -------------------------------------------------------------------


def defer_ingest_round(core: Briefbot, queue: TaskQueue) -> int:
    """One refresh task per polled source, and one per subscribed topic without a source; a
    source still queued from the previous round is not queued again. How many were queued."""
    queued = 0
    if not queue.in_process:
        # Once a round, whatever it brings: articles left without an analysis (a worker that
        # died, `briefbot ingest --no-wait`) are caught up.
        queue_analysis(queue)
    for url in core.lifecycle.polled_source_urls():
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        queued += queue.defer(REFRESH_SOURCE, {"url": url}, queueing_lock=f"source:{key}")
    for name in core.subscriptions.topics_without_sources():
        key = hashlib.sha256(name.encode()).hexdigest()[:32]
        queued += queue.defer(REFRESH_TOPIC, {"name": name}, queueing_lock=f"topic:{key}")
    return queued


def defer_due_digests(core: Briefbot, queue: TaskQueue, now: datetime | None = None) -> int:
    """Queue every active subscription's digest for its latest scheduled time (not paused),
    in batches: one read of the subscriptions, a few statements to the queue. A digest
    already queued is not queued again; one already delivered is skipped by its claim."""
    now = now or core.clock()
    due = []
    for sub in core.subscriptions.active():
        scheduled_for = latest_run(now, sub.rhythm, sub.hour, sub.minute, sub.timezone)
        if sub.paused_at(scheduled_for):
            continue
        due.append(_digest_task(sub.id, sub.team_id, sub.channel_id, scheduled_for))
    return queue.defer_locked(DELIVER_DIGEST, due)


def defer_digests(
    core: Briefbot, queue: TaskQueue, wanted: Sequence[tuple[int, datetime]]
) -> tuple[int, int]:
    """Queue the digests of these (subscription, scheduled time) pairs that are neither
    waiting in the queue nor running (the sweep's retaken claims and missed digests, every
    minute: without the check each minute would queue again a digest a worker is still
    delivering), in batches. (queued, already in the queue)."""
    keys = {pair: _digest_key(*pair) for pair in dict.fromkeys(wanted)}
    busy = queue.pending(keys.values()) if keys else set()
    active = {sub.id: sub for sub in core.subscriptions.active()} if keys else {}
    batch = []
    for (subscription_id, scheduled_for), key in keys.items():
        sub = active.get(subscription_id)
        if key in busy or sub is None or sub.paused_at(scheduled_for):
            continue
        batch.append(_digest_task(sub.id, sub.team_id, sub.channel_id, scheduled_for))
    queued = queue.defer_locked(DELIVER_DIGEST, batch) if batch else 0
    return queued, len(busy)


def _digest_key(subscription_id: int, scheduled_for: datetime) -> str:
    """The digest task's queueing lock: one waiting task per (subscription, scheduled time)."""
    if scheduled_for.tzinfo is None:  # a stored time read back naive is UTC
        scheduled_for = scheduled_for.replace(tzinfo=UTC)
    return f"digest:{subscription_id}:{scheduled_for.astimezone(UTC).isoformat()}"


def _digest_task(
    subscription_id: int, team_id: str, channel_id: str, scheduled_for: datetime
) -> tuple[dict[str, Any], str, str]:
    """(the task's arguments, its lock, its queueing lock)."""
    kwargs = {"subscription_id": subscription_id, "scheduled_for": scheduled_for.isoformat()}
    return kwargs, _channel_lock(team_id, channel_id), _digest_key(subscription_id, scheduled_for)


def _channel_lock(team_id: str, channel_id: str) -> str:
    # One channel's digests one at a time, in order, whichever workers run them: with the
    # shared pacer, Slack's one message per second per channel holds.
    return f"channel:{team_id}:{channel_id}"


def defer_digest(
    core: Briefbot,
    queue: TaskQueue,
    subscription_id: int,
    scheduled_for: datetime | None = None,
) -> DigestOutcome:
    """Queue the digest of `subscription_id` for `scheduled_for` (default: its latest
    scheduled time). With the in-process queue it is delivered before this returns."""
    sub = core.subscriptions.get_active(subscription_id)
    if sub is None:
        return DigestOutcome("inactive", subscription_id, scheduled_for)
    if scheduled_for is None:
        scheduled_for = latest_run(core.clock(), sub.rhythm, sub.hour, sub.minute, sub.timezone)
    if sub.paused_at(scheduled_for):
        return DigestOutcome("paused", subscription_id, scheduled_for)
    kwargs, lock, queueing_lock = _digest_task(
        subscription_id, sub.team_id, sub.channel_id, scheduled_for
    )
    queued = queue.defer(DELIVER_DIGEST, kwargs, lock=lock, queueing_lock=queueing_lock)
    return DigestOutcome("queued" if queued else "skipped", subscription_id, scheduled_for)
