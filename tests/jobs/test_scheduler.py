"""`bot.jobs.scheduler`: jobs persisted in the database, kept in sync with subscriptions."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from bot.jobs import scheduler as jobs
from bot.jobs.scheduler import (
    build_scheduler,
    current_context,
    digest_job,
    ingest_job,
    schedule_subscription,
    sweep_job,
    sync_subscription_jobs,
    unschedule_subscription,
)
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Article, Subscription
from tests.conftest import Database
from tests.jobs.conftest import CHANNEL, TEAM, Env, add_subscription


def cron_fields(trigger: Any) -> dict[str, str]:
    assert isinstance(trigger, CronTrigger)
    return {f.name: str(f) for f in trigger.fields if not f.is_default}


def test_jobs_are_stored_and_survive_a_restart(env: Env, db: Database) -> None:
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        job = scheduler.get_job(f"digest:{env.subscription_id}")
        assert job is not None
        assert job.func_ref == "bot.jobs.scheduler:digest_job"
        assert job.args == (env.subscription_id,)
        assert cron_fields(job.trigger) == {"hour": "8", "minute": "0"}
        assert str(job.trigger.timezone) == "Europe/Berlin"
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 3600
        ingest = scheduler.get_job("ingest")
        assert isinstance(ingest.trigger, IntervalTrigger)
        assert ingest.trigger.interval == timedelta(
            minutes=env.core.settings.ingest_interval_minutes
        )
        assert isinstance(scheduler.get_job("sweep").trigger, IntervalTrigger)
        assert current_context().core is env.core
    finally:
        scheduler.shutdown()
    with pytest.raises(RuntimeError):
        current_context()

    with db.engine.connect() as connection:
        ids = set(connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
    assert ids == {"ingest", "sweep", "prune", f"digest:{env.subscription_id}"}

    # A restarted process (new scheduler, new job store) on the same database sees the job.
    again = build_scheduler(env.core, env.poster, start_paused=True)
    again.start()
    try:
        job = again.get_job(f"digest:{env.subscription_id}")
        assert job is not None and cron_fields(job.trigger) == {"hour": "8", "minute": "0"}
        assert len(again.get_jobs()) == 4  # ingest, sweep, prune, the digest
    finally:
        again.shutdown()


def test_sync_follows_subscriptions(env: Env) -> None:
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        job_id = f"digest:{env.subscription_id}"
        # A due run (missed while the process was down) survives a sync that changes nothing.
        due = datetime.now(UTC) - timedelta(minutes=5)
        scheduler.modify_job(job_id, next_run_time=due)
        sync_subscription_jobs(scheduler, env.core)
        assert abs(scheduler.get_job(job_id).next_run_time - due) < timedelta(seconds=1)

        # Another channel subscribes (in a process without a scheduler): the sweep picks it up.
        other = add_subscription(
            env.core, channel="C0002", hour=18, minute=30, timezone="America/New_York"
        )
        sweep_job()
        moved = scheduler.get_job(f"digest:{other.id}")
        assert cron_fields(moved.trigger) == {"hour": "18", "minute": "30"}
        assert str(moved.trigger.timezone) == "America/New_York"

        # Moving the time replaces the trigger.
        with transaction(env.core.factory) as session:
            topic = topic_store.get_or_create(session, "river plan")
            row, created = subscription_store.upsert(
                session,
                team_id=TEAM,
                channel_id=CHANNEL,
                topic=topic,
                hour=9,
                minute=15,
                timezone="Europe/Berlin",
                created_by="U0001",
            )
            assert not created
        schedule_subscription(scheduler, row)
        assert cron_fields(scheduler.get_job(job_id).trigger) == {"hour": "9", "minute": "15"}

        # Paused and deleted subscriptions lose their jobs.
        with transaction(env.core.factory) as session:
            paused = session.get(Subscription, env.subscription_id)
            assert paused is not None
            paused.paused = True
            subscription_store.delete(session, session.get(Subscription, other.id))  # type: ignore[arg-type]
        sync_subscription_jobs(scheduler, env.core)
        assert scheduler.get_job(job_id) is None
        assert scheduler.get_job(f"digest:{other.id}") is None
        assert {j.id for j in scheduler.get_jobs()} == {"ingest", "sweep", "prune"}
        unschedule_subscription(scheduler, env.subscription_id)  # idempotent
    finally:
        scheduler.shutdown()


def test_digest_job_runs_with_the_registered_runtime(env: Env) -> None:
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        digest_job(env.subscription_id)
        digest_job(env.subscription_id)
    finally:
        scheduler.shutdown()
    assert len(env.fake.posted_messages()) == 1


def test_a_due_digest_fires_through_the_scheduler(env: Env) -> None:
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        scheduler.modify_job(f"digest:{env.subscription_id}", next_run_time=datetime.now(UTC))
        scheduler.resume()
        deadline = time.monotonic() + 10
        while not env.fake.posted_messages() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown()
    assert len(env.fake.posted_messages()) == 1


def test_ingest_job_refreshes_sources_and_sourceless_subscribed_topics(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env.tmp / "day1" / "late.md").write_text(
        "---\ntitle: Late news\noutlet: Valley Times\npublished: 2026-03-10T06:00:00+00:00\n"
        "url: https://valley.example.com/late\n---\nThe council will vote on the budget on "
        "Monday, officials confirmed after the river plan meeting.\n"
    )
    with transaction(env.core.factory) as session:
        lonely = topic_store.get_or_create(session, "harbour works")
        subscription_store.upsert(
            session,
            team_id=TEAM,
            channel_id="C0003",
            topic=lonely,
            hour=7,
            minute=0,
            timezone="UTC",
            created_by=None,
        )
    refreshed: list[str] = []
    monkeypatch.setattr(env.core, "refresh_topic", lambda name, **_: refreshed.append(name))
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        with env.core.factory() as session:
            before = session.query(Article).count()
        ingest_job()
        with env.core.factory() as session:
            assert session.query(Article).count() == before + 1
    finally:
        scheduler.shutdown()
    assert refreshed == ["harbour works"]


def test_job_functions_need_a_started_scheduler() -> None:
    jobs.unregister_context()
    with pytest.raises(RuntimeError, match="start the scheduler"):
        digest_job(1)


def test_starting_twice_is_refused_and_keeps_it_running(env: Env) -> None:
    from apscheduler.schedulers import SchedulerAlreadyRunningError

    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        with pytest.raises(SchedulerAlreadyRunningError):
            scheduler.start()
        assert scheduler.running and current_context().scheduler is scheduler
    finally:
        scheduler.shutdown()


def test_the_prune_job_forgets_event_ids_past_slacks_retries(env: Env) -> None:
    """Each thread reply leaves a processed-event row; the hourly prune keeps the table to the
    retry window, and a retried event inside it is still recognised."""
    from storage.models import ProcessedEvent

    now = datetime.now(UTC)
    with transaction(env.core.factory) as session:
        for event_id, age in (("old-1", 3), ("old-2", 2), ("fresh", 0)):
            session.add(
                ProcessedEvent(
                    event_id=event_id, team_id=TEAM, received_at=now - timedelta(days=age)
                )
            )
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        assert isinstance(scheduler.get_job(jobs.PRUNE_JOB_ID).trigger, IntervalTrigger)
        jobs.prune_job()
    finally:
        scheduler.shutdown()
    with env.core.factory() as session:
        left = {row.event_id for row in session.query(ProcessedEvent)}
    assert left == {"fresh"}
    assert jobs.prune_processed_events(env.core, now) == 0
