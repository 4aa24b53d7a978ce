"""APScheduler wiring: scheduled ingest, one cron job per subscription's digest, the sweep.

Jobs live in the database (`apscheduler_jobs`, created by our migration) through
`SQLAlchemyJobStore`, so they survive restarts and every process sharing the database sees the
same schedule. Two schedulers on one database may both fire a digest job: harmless, because a
digest is claimed before it is posted (`bot.jobs.digest`), so it goes out once.

Usage (the caller starts and stops the scheduler):

    scheduler = build_scheduler(core, clients)
    scheduler.start()        # registers the runtime, adds/updates the jobs, then runs them
    ...
    scheduler.shutdown()

The Slack layer calls `schedule_subscription` / `unschedule_subscription` when a channel
subscribes or unsubscribes; a periodic `sync_subscription_jobs` (part of the sweep job) also
picks up changes made by a process without a scheduler (`briefbot serve --no-scheduler`).
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
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerAlreadyRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.jobs.digest import catch_up_digests, run_digest, sweep_stale_claims
from bot.slack.pacing import ChannelPacer
from storage import sources as source_store
from storage import subscriptions as subscription_store
from storage.models import Subscription

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.triggers.base import BaseTrigger

    from bot.core import Briefbot
    from bot.slack.client import ClientForTeam

log = logging.getLogger(__name__)

__all__ = [
    "DIGEST_JOB_PREFIX",
    "INGEST_JOB_ID",
    "SWEEP_JOB_ID",
    "JobRuntime",
    "build_scheduler",
    "current_runtime",
    "digest_job",
    "digest_job_id",
    "ingest_job",
    "register_runtime",
    "run_ingest",
    "schedule_subscription",
    "sweep_job",
    "sync_subscription_jobs",
    "unregister_runtime",
    "unschedule_subscription",
]

INGEST_JOB_ID = "ingest"
SWEEP_JOB_ID = "sweep"
DIGEST_JOB_PREFIX = "digest:"
SWEEP_INTERVAL_SECONDS = 60
# A new ingest job first runs this soon after start (not a full interval later).
FIRST_INGEST_DELAY = timedelta(minutes=1)


def digest_job_id(subscription_id: int) -> str:
    return f"{DIGEST_JOB_PREFIX}{subscription_id}"


# -- the runtime registry ----------------------------------------------------------------------
#
# Why a module-level registry at all: APScheduler persists a job as a text reference to its
# function ("bot.jobs.scheduler:digest_job") plus pickled arguments (the subscription id). The
# live objects a job needs, the core (engine, HTTP and LLM clients) and the Slack clients,
# cannot be pickled, so a job function finds them here. The scheduler puts them here when it
# starts and takes them out when it shuts down. It holds nothing else: no caches, no state.


@dataclass(frozen=True)
class JobRuntime:
    core: Briefbot
    clients: ClientForTeam
    scheduler: BackgroundScheduler | None = None
    # Digest posts keep Slack's one-message-per-second-per-channel pace (see bot.slack.pacing).
    pacer: ChannelPacer = field(default_factory=ChannelPacer)
    # When this process's scheduler started: every claim older than that was made by a process
    # that is gone (a previous run, or a leader that died), so it is stale at once.
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


_runtime: JobRuntime | None = None
_runtime_lock = threading.Lock()


def register_runtime(
    core: Briefbot, clients: ClientForTeam, scheduler: BackgroundScheduler | None = None
) -> JobRuntime:
    """Make (core, clients) what this process's job functions run with."""
    global _runtime
    runtime = JobRuntime(core, clients, scheduler)
    with _runtime_lock:
        _runtime = runtime
    return runtime


def unregister_runtime(runtime: JobRuntime | None = None) -> None:
    """Forget the runtime (only `runtime`, when given and still the registered one)."""
    global _runtime
    with _runtime_lock:
        if runtime is None or _runtime is runtime:
            _runtime = None


def current_runtime() -> JobRuntime:
    runtime = _runtime
    if runtime is None:
        raise RuntimeError("no briefbot job runtime registered (start the scheduler first)")
    return runtime


# -- job functions: module-level, referenced by name from the job store ------------------------


def ingest_job() -> None:
    run_ingest(current_runtime().core)


def digest_job(subscription_id: int) -> None:
    runtime = current_runtime()
    outcome = run_digest(
        runtime.core,
        runtime.clients,
        subscription_id,
        stale_after=timedelta(seconds=runtime.core.settings.digest_stale_after_seconds),
        pacer=runtime.pacer,
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


def sweep_job() -> None:
    """Every minute, and once at start: retake stale claims, deliver digests that never ran,
    and bring the digest jobs in line with the subscriptions table."""
    runtime = current_runtime()
    settings = runtime.core.settings
    stale_after = min(
        timedelta(seconds=settings.digest_stale_after_seconds),
        datetime.now(UTC) - runtime.started_at,
    )
    for outcome in sweep_stale_claims(
        runtime.core, runtime.clients, stale_after=stale_after, pacer=runtime.pacer
    ):
        log.info("swept digest %s: %s", outcome.subscription_id, outcome.status)
    if settings.digest_catch_up_hours:
        for outcome in catch_up_digests(
            runtime.core,
            runtime.clients,
            window=timedelta(hours=settings.digest_catch_up_hours),
            pacer=runtime.pacer,
        ):
            log.info("caught up digest %s: %s", outcome.subscription_id, outcome.status)
    if runtime.scheduler is not None:
        sync_subscription_jobs(runtime.scheduler, runtime.core)


@metrics.times_ingest_round
def run_ingest(core: Briefbot) -> None:
    """Refresh every known source, then subscribed topics that have no source of their own
    yet (their first refresh attaches the news-search feed, which later runs include)."""
    # A round ends by the time the next one is due, so rounds never pile up behind a slow one
    # (the scheduler runs one at a time and would skip every later round meanwhile).
    until = time.monotonic() + core.settings.ingest_interval_minutes * 60
    try:
        report = core.ingest(None, until=until)
        log.info("scheduled ingest: %s", report)
    except Exception:
        log.exception("scheduled ingest failed")
    for name in _subscribed_topics_without_sources(core):
        if core.stopping.is_set() or time.monotonic() >= until:
            break
        try:
            core.refresh_topic(name, until=until)
        except Exception:
            log.exception("refreshing subscribed topic %r failed", name)


def _subscribed_topics_without_sources(core: Briefbot) -> list[str]:
    with core.factory() as session:
        topics = {s.topic_id: s.topic for s in subscription_store.all_active(session)}
        return sorted(t.name for t in topics.values() if not source_store.list_all(session, t))


# -- building and syncing ---------------------------------------------------------------------


def build_scheduler(
    core: Briefbot,
    clients: ClientForTeam,
    *,
    start_paused: bool = False,
    misfire_grace_seconds: int = 3600,
) -> BackgroundScheduler:
    """A scheduler on the database's job store; not started.

    On `start()` it registers (core, clients) for the job functions, adds or updates the
    ingest and sweep jobs and one digest job per active subscription, and removes the jobs of
    deleted or paused subscriptions. With `start_paused` it starts paused (jobs are kept in the
    store but not run until `resume()`).
    """
    return _BriefbotScheduler(
        core,
        clients,
        start_paused=start_paused,
        jobstores={"default": SQLAlchemyJobStore(engine=core.engine)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": misfire_grace_seconds,
        },
        timezone=UTC,
    )


class _BriefbotScheduler(BackgroundScheduler):
    def __init__(
        self, core: Briefbot, clients: ClientForTeam, *, start_paused: bool, **options: Any
    ) -> None:
        super().__init__(**options)
        self._core = core
        self._clients = clients
        self._start_paused = start_paused
        self._registered: JobRuntime | None = None

    def start(self, paused: bool = False) -> None:
        if self.running:
            raise SchedulerAlreadyRunningError
        # Registered first: a misfired digest may run as soon as the scheduler starts.
        registered = register_runtime(self._core, self._clients, self)
        try:
            super().start(paused=paused or self._start_paused)
        except BaseException:
            unregister_runtime(registered)
            raise
        self._registered = registered
        try:
            _ensure_ingest_job(self, self._core)
            sweep = IntervalTrigger(seconds=SWEEP_INTERVAL_SECONDS)
            _ensure_job(self, SWEEP_JOB_ID, sweep_job, sweep)
            sync_subscription_jobs(self, self._core)
            # The first sweep runs now, not a minute from now: after a crash or a restart it
            # is what delivers the digests that were in flight or never ran.
            self.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))
        except BaseException:
            self.shutdown(wait=False)
            raise

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait=wait)
        unregister_runtime(self._registered)


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
    return (type(trigger).__name__, str(trigger), str(getattr(trigger, "timezone", "")))


def _digest_trigger(subscription: Subscription) -> CronTrigger:
    return CronTrigger(
        hour=subscription.hour,
        minute=subscription.minute,
        timezone=ZoneInfo(subscription.timezone),
    )


def schedule_subscription(scheduler: BackgroundScheduler, subscription: Subscription) -> None:
    """Create or move the subscription's daily digest job (paused: remove it)."""
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
    with core.factory() as session:
        active = subscription_store.all_active(session)
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
