"""APScheduler wiring: scheduled ingest, one cron job per subscription's digest, the sweep.

Jobs live in the database (`apscheduler_jobs`, created by our migration) through
`SQLAlchemyJobStore`, so they survive restarts and every process sharing the database sees the
same schedule. Two schedulers on one database may both fire a digest job: harmless, because a
digest is claimed before it is posted (`bot.jobs.digest`), so it goes out once.

Usage (the composition root, `bot.runtime`, starts and stops the scheduler):

    scheduler = build_scheduler(core, poster)
    scheduler.start()        # registers the job context, adds/updates the jobs, then runs them
    ...
    scheduler.shutdown()

The composition root calls `schedule_subscription` / `unschedule_subscription` when a
channel subscribes or unsubscribes in Slack; a periodic `sync_subscription_jobs` (part of
the sweep job) also picks up changes made by a process without a scheduler
(`briefbot serve --no-scheduler`). A prune job forgets Slack event ids past any retry.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerAlreadyRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.jobs.digest import DigestOutcome, Poster, catch_up_digests, sweep_stale_claims
from bot.jobs.tasks import defer_digest, defer_digests, defer_ingest_round, register_tasks
from bot.service.pacing import forget_past_slots
from bot.service.rhythm import Rhythm, cron_fields, rhythm_or_daily
from bot.service.subscriptions import SubscriptionInfo
from bot.tasks import TaskQueue
from bot.tasks.inline import InlineQueue

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.triggers.base import BaseTrigger

    from bot.core import Briefbot

log = logging.getLogger(__name__)

__all__ = [
    "DIGEST_JOB_PREFIX",
    "INGEST_JOB_ID",
    "SWEEP_JOB_ID",
    "JobContext",
    "build_scheduler",
    "current_context",
    "digest_job",
    "digest_job_id",
    "ingest_job",
    "ingest_round",
    "prune_articles",
    "prune_channel_pace",
    "prune_job",
    "register_context",
    "schedule_subscription",
    "sweep_job",
    "sync_subscription_jobs",
    "unregister_context",
    "unschedule_subscription",
]

INGEST_JOB_ID = "ingest"
SWEEP_JOB_ID = "sweep"
PRUNE_JOB_ID = "prune"
DIGEST_JOB_PREFIX = "digest:"
SWEEP_INTERVAL_SECONDS = 60
# A new ingest job first runs this soon after start (not a full interval later).
FIRST_INGEST_DELAY = timedelta(minutes=1)
# Slack retries an event for minutes (three retries, the last about 5 minutes after the first
# try; https://api.slack.com/apis/events-api#retries): an event id older than this is never
# seen again, so remembering it only takes room. A day leaves a wide margin.
EVENT_RETRY_WINDOW = timedelta(days=1)
PRUNE_INTERVAL = timedelta(hours=1)
# An hourly prune removes old articles for at most this long (the rest next hour), so a first
# prune of years of articles never holds the job (or SQLite's write lock) for long.
PRUNE_ARTICLES_SECONDS = 60.0


def digest_job_id(subscription_id: int) -> str:
    return f"{DIGEST_JOB_PREFIX}{subscription_id}"


# -- the job context registry ------------------------------------------------------------------
#
# Why a module-level registry at all: APScheduler persists a job as a text reference to its
# function ("bot.jobs.scheduler:digest_job") plus pickled arguments (the subscription id). The
# live objects a job needs, the core (engine, HTTP and LLM clients) and the poster, cannot be
# pickled, so a job function finds them here. The scheduler puts them here when it starts and
# takes them out when it shuts down. It holds nothing else: no caches, no state.


@dataclass(frozen=True)
class JobContext:
    """What this process's job functions run with (not to be confused with `bot.runtime`,
    the whole program's wiring, which builds it)."""

    core: Briefbot
    # Posts digests; paced per channel (Slack's one message per second per channel).
    poster: Poster
    scheduler: BackgroundScheduler | None = None
    # Where the jobs' work goes (`bot.tasks`): run here at once, or deferred to the workers.
    queue: TaskQueue = field(default_factory=InlineQueue)
    # When this process's scheduler started: every claim older than that was made by a process
    # that is gone (a previous run, or a leader that died), so it is stale at once.
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


_context: JobContext | None = None
_context_lock = threading.Lock()


def register_context(
    core: Briefbot,
    poster: Poster,
    scheduler: BackgroundScheduler | None = None,
    queue: TaskQueue | None = None,
) -> JobContext:
    """Make (core, poster) what this process's job functions run with; `queue`: where their
    work goes (default: run in this process, `bot.tasks.inline`)."""
    global _context
    if queue is None:
        queue = InlineQueue()
        register_tasks(queue, core, poster)
    context = JobContext(core, poster, scheduler, queue)
    with _context_lock:
        _context = context
    return context


def unregister_context(context: JobContext | None = None) -> None:
    """Forget the context (only `context`, when given and still the registered one)."""
    global _context
    with _context_lock:
        if context is None or _context is context:
            _context = None


def current_context() -> JobContext:
    context = _context
    if context is None:
        raise RuntimeError("no briefbot job context registered (start the scheduler first)")
    return context


# -- job functions: module-level, referenced by name from the job store ------------------------


def ingest_job() -> None:
    context = current_context()
    if context.queue.in_process:
        # One round over every source here (the pipeline fetches them concurrently).
        ingest_round(context.core)
        return
    queued = defer_ingest_round(context.core, context.queue)
    log.info("scheduled ingest: %d refresh tasks queued for the workers", queued)


def digest_job(subscription_id: int) -> None:
    """The subscription's digest for its latest scheduled time: delivered here at once
    (in-process queue) or queued for a worker (`bot.jobs.tasks.deliver`)."""
    context = current_context()
    outcome = defer_digest(context.core, context.queue, subscription_id)
    if outcome.status != "queued" or not context.queue.in_process:
        log.info("digest %s: %s", subscription_id, outcome.status)


def sweep_job() -> None:
    """Every minute, and once at start: retake stale claims, deliver digests that never ran,
    and bring the digest jobs in line with the subscriptions table."""
    context = current_context()
    settings = context.core.settings
    stale_after = timedelta(seconds=settings.digest_stale_after_seconds)
    handoff = None
    wanted: list[tuple[int, datetime]] = []
    if context.queue.in_process:
        # Claims older than this scheduler were made by a process that is gone (the claims
        # are this process's own work).
        stale_after = min(stale_after, datetime.now(UTC) - context.started_at)
    else:
        # Claims belong to the workers, which outlive leaders: only the age says a claim's
        # worker is gone. Retaken and missed digests are queued for a worker, together
        # below, unless their task is still waiting or running.
        def handoff(subscription_id: int, scheduled_for: datetime) -> DigestOutcome:
            wanted.append((subscription_id, scheduled_for))
            return DigestOutcome("queued", subscription_id, scheduled_for)

    for outcome in sweep_stale_claims(
        context.core, context.poster, stale_after=stale_after, handoff=handoff
    ):
        if outcome.status != "queued":
            log.info("swept digest %s: %s", outcome.subscription_id, outcome.status)
    if settings.digest_catch_up_hours:
        for outcome in catch_up_digests(
            context.core,
            context.poster,
            window=timedelta(hours=settings.digest_catch_up_hours),
            handoff=handoff,
        ):
            if outcome.status != "queued":
                log.info("caught up digest %s: %s", outcome.subscription_id, outcome.status)
    if wanted:
        queued, busy = defer_digests(context.core, context.queue, wanted)
        log.info(
            "sweep: %d digests queued for the workers, %d already queued or running",
            queued,
            busy,
        )
    if context.scheduler is not None:
        sync_subscription_jobs(context.scheduler, context.core)


def prune_job() -> None:
    """Every hour: forget the Slack event ids older than any retry of them (each thread reply
    leaves one; without this the table grows for ever), the posting pace of channels that
    have not posted for an hour (one row per channel ever posted to, otherwise), and remove
    articles older than ARTICLE_RETENTION_DAYS (a batch at a time, for at most
    PRUNE_ARTICLES_SECONDS)."""
    core = current_context().core
    prune_processed_events(core)
    prune_channel_pace(core)
    prune_articles(core)


def prune_channel_pace(core: Briefbot) -> int:
    try:
        forgotten = forget_past_slots(core.factory)
    except Exception:
        log.exception("forgetting the pace of idle channels failed; the next prune tries again")
        return 0
    if forgotten:
        log.info("forgot the posting pace of %d channels idle for an hour", forgotten)
    return forgotten


def prune_articles(core: Briefbot) -> None:
    try:
        report = core.lifecycle.prune(until=time.monotonic() + PRUNE_ARTICLES_SECONDS)
    except Exception:
        log.exception("removing old articles failed; the next prune tries again")
        return
    if report.articles or report.briefs:
        log.info(
            "removed %d articles and %d briefs older than %d days%s",
            report.articles,
            report.briefs,
            core.settings.article_retention_days,
            "" if report.finished else " (more next hour)",
        )


def prune_processed_events(core: Briefbot, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - EVENT_RETRY_WINDOW
    forgotten = core.deliveries.forget_events_before(cutoff)
    if forgotten:
        log.info("forgot %d Slack event ids older than %s", forgotten, cutoff.isoformat())
    return forgotten


@metrics.times_ingest_round
def ingest_round(core: Briefbot) -> None:
    """Refresh the sources of every topic still wanted (`bot.service.lifecycle`: subscribed,
    or asked for within TOPIC_IDLE_DAYS), then subscribed topics that have no source of their
    own yet (their first refresh attaches the news-search feed, which later runs include)."""
    # A round ends by the time the next one is due, so rounds never pile up behind a slow one
    # (the scheduler runs one at a time and would skip every later round meanwhile).
    until = time.monotonic() + core.settings.ingest_interval_minutes * 60
    try:
        # The new articles' analysis runs behind the round in this process's analysis stage:
        # the round does not wait for it (a brief meeting an article not analysed yet does it).
        report = core.ingest(
            None,
            until=until,
            only_topics=core.lifecycle.polled_topic_ids(),
            analysis="background",
        )
        log.info("scheduled ingest: %s", report)
    except Exception:
        log.exception("scheduled ingest failed")
    for name in core.subscriptions.topics_without_sources():
        if core.stopping.is_set() or time.monotonic() >= until:
            break
        try:
            core.refresh_topic(name, until=until, analysis="background")
        except Exception:
            log.exception("refreshing subscribed topic %r failed", name)


# -- building and syncing ---------------------------------------------------------------------


def build_scheduler(
    core: Briefbot,
    poster: Poster,
    *,
    start_paused: bool = False,
    misfire_grace_seconds: int = 3600,
    queue: TaskQueue | None = None,
) -> BackgroundScheduler:
    """A scheduler on the database's job store; not started.

    On `start()` it registers (core, poster) for the job functions, adds or updates the
    ingest and sweep jobs and one digest job per active subscription, and removes the jobs of
    deleted or paused subscriptions. With `start_paused` it starts paused (jobs are kept in the
    store but not run until `resume()`).
    """
    return _BriefbotScheduler(
        core,
        poster,
        queue,
        start_paused=start_paused,
        jobstores={"default": core.database.job_store()},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": misfire_grace_seconds,
        },
        timezone=UTC,
    )


class _BriefbotScheduler(BackgroundScheduler):
    def __init__(
        self,
        core: Briefbot,
        poster: Poster,
        queue: TaskQueue | None,
        *,
        start_paused: bool,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._core = core
        self._poster = poster
        self._queue = queue
        self._start_paused = start_paused
        self._registered: JobContext | None = None

    def start(self, paused: bool = False) -> None:
        if self.running:
            raise SchedulerAlreadyRunningError
        # Registered first: a misfired digest may run as soon as the scheduler starts.
        registered = register_context(self._core, self._poster, self, self._queue)
        try:
            super().start(paused=paused or self._start_paused)
        except BaseException:
            unregister_context(registered)
            raise
        self._registered = registered
        try:
            _ensure_ingest_job(self, self._core)
            sweep = IntervalTrigger(seconds=SWEEP_INTERVAL_SECONDS)
            _ensure_job(self, SWEEP_JOB_ID, sweep_job, sweep)
            prune = IntervalTrigger(seconds=int(PRUNE_INTERVAL.total_seconds()))
            _ensure_job(self, PRUNE_JOB_ID, prune_job, prune)
            sync_subscription_jobs(self, self._core)
            # The first sweep runs now, not a minute from now: after a crash or a restart it
            # is what delivers the digests that were in flight or never ran.
            self.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))
        except BaseException:
            self.shutdown(wait=False)
            raise

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait=wait)
        unregister_context(self._registered)


def _ensure_ingest_job(scheduler: BackgroundScheduler, core: Briefbot) -> None:
    trigger = IntervalTrigger(minutes=core.settings.ingest_interval_minutes)
    _ensure_job(
        scheduler,
        INGEST_JOB_ID,
        ingest_job,
        trigger,
        first_run=datetime.now(UTC) + FIRST_INGEST_DELAY,
    )


def _ensure_job(
    scheduler: BackgroundScheduler,
    job_id: str,
    func: Any,
    trigger: BaseTrigger,
    *,
    args: tuple[Any, ...] = (),
    first_run: datetime | None = None,
) -> bool:
    """Add the job, or replace it when its trigger differs; True when something was written.

    A job whose trigger is unchanged is left alone: replacing it would recompute its next run
    time from now and drop a run that is due (a digest missed while the process was down and
    still within the misfire grace time).
    """
    existing: Job | None = scheduler.get_job(job_id)
    if (
        existing is not None
        and _trigger_key(existing.trigger) == _trigger_key(trigger)
        and tuple(existing.args) == args
    ):
        return False
    extra = {"next_run_time": first_run} if first_run is not None and existing is None else {}
    scheduler.add_job(func, trigger, args=args, id=job_id, replace_existing=True, **extra)
    return True


def _trigger_key(trigger: Any) -> tuple[str, str, str]:
    # An OrTrigger's text leaves out its parts' time zones: name them too.
    parts = getattr(trigger, "triggers", None) or [trigger]
    zones = ",".join(str(getattr(t, "timezone", "")) for t in parts)
    return (type(trigger).__name__, str(trigger), zones)


def _digest_trigger(subscription: SubscriptionInfo) -> BaseTrigger:
    """Cron at the rhythm's local times in the subscription's zone (`bot.service.rhythm`)."""
    zone = ZoneInfo(subscription.timezone)
    rhythm = subscription.rhythm
    if not isinstance(rhythm, Rhythm):  # a storage row (tests): its stored text
        rhythm = rhythm_or_daily(rhythm)
    triggers = [
        CronTrigger(timezone=zone, **fields)
        for fields in cron_fields(rhythm, subscription.hour, subscription.minute)
    ]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def schedule_subscription(scheduler: BackgroundScheduler, subscription: SubscriptionInfo) -> None:
    """Create or move the subscription's digest job (paused with no end date: remove it; until
    a date: kept, the digest job skips the paused runs)."""
    if subscription.paused:
        unschedule_subscription(scheduler, subscription.id)
        return
    _ensure_job(
        scheduler,
        digest_job_id(subscription.id),
        digest_job,
        _digest_trigger(subscription),
        args=(subscription.id,),
    )


def unschedule_subscription(scheduler: BackgroundScheduler, subscription_id: int) -> None:
    with contextlib.suppress(JobLookupError):  # never scheduled, or already removed
        scheduler.remove_job(digest_job_id(subscription_id))


def sync_subscription_jobs(scheduler: BackgroundScheduler, core: Briefbot) -> None:
    """Make the digest jobs match the database: one per active subscription, no others."""
    active = core.subscriptions.active()
    wanted = {digest_job_id(s.id) for s in active}
    for subscription in active:
        try:
            schedule_subscription(scheduler, subscription)
        except Exception:  # a bad time zone in one row must not stop the others
            log.exception("cannot schedule subscription %s", subscription.id)
    for job in scheduler.get_jobs():
        if job.id.startswith(DIGEST_JOB_PREFIX) and job.id not in wanted:
            # Suppressed: removed meanwhile (by another process, or the Slack layer).
            with contextlib.suppress(JobLookupError):
                scheduler.remove_job(job.id)
