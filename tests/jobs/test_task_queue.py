"""The pieces that make the task queue safe across worker processes (issue 18), each on a real
database: the posting pace every worker shares, the brief's cross-process single flight, the
setting that refuses a queue SQLite cannot hold, and the in-process queue's behaviour."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from bot.errors import SettingsError
from bot.jobs.scheduler import build_scheduler
from bot.jobs.tasks import defer_due_digests, register_tasks
from bot.service.pacing import SharedChannelPacer
from bot.settings import Settings
from bot.tasks import RetryLater, TaskSpec
from bot.tasks.inline import InlineQueue
from storage import locks
from storage.db import transaction
from storage.models import ChannelPace, Delivery, Subscription
from tests.conftest import Database
from tests.jobs.conftest import DAY1, Env


def test_two_workers_pacers_keep_one_post_per_second_per_channel(db: Database) -> None:
    """Two pacers (two worker processes) on one database hand out slots a second apart in one
    channel, and never hold back another channel."""
    sleeps: list[float] = []
    first = SharedChannelPacer(db.factory, 1.0, sleep=sleeps.append)
    second = SharedChannelPacer(db.factory, 1.0, sleep=sleeps.append)
    waits = [
        first.wait("T1", "C1"),
        second.wait("T1", "C1"),
        first.wait("T1", "C1"),
        second.wait("T1", "C2"),
    ]
    assert waits[0] == 0.0
    assert waits[1] == pytest.approx(1.0, abs=0.3)
    assert waits[2] == pytest.approx(2.0, abs=0.3)
    assert waits[3] == 0.0  # another channel: no wait


def test_an_answered_post_pushes_the_channels_next_slot(db: Database) -> None:
    pacer = SharedChannelPacer(db.factory, 1.0, sleep=lambda _: None)
    assert pacer.wait("T1", "C1") == 0.0
    time.sleep(0.3)  # the post took a while to be answered
    pacer.done("T1", "C1")
    assert SharedChannelPacer(db.factory, 1.0, sleep=lambda _: None).wait(
        "T1", "C1"
    ) == pytest.approx(1.0, abs=0.25)


def test_the_hourly_prune_forgets_the_pace_of_idle_channels_only(env: Env) -> None:
    """One pace row per channel ever posted to would stay for ever: the prune job deletes the
    rows of channels idle for over an hour, keeps a busy channel's (its next slot still
    ahead), and a forgotten channel posts at once."""
    from bot.jobs import scheduler as jobs

    # A minute between posts: the busy channel's slot is still ahead at the end however
    # slowly a loaded machine runs the scheduler's start and shutdown (1 s was not, once).
    pacer = SharedChannelPacer(env.core.factory, 60.0, sleep=lambda _: None)
    for channel in ("C-idle", "C-quiet", "C-busy"):
        pacer.wait("T1", channel)
    pacer.wait("T1", "C-busy")  # the busy channel's next slot is ahead
    with transaction(env.core.factory) as session:
        # Idle for two hours; quiet for ten minutes (kept: under the hour).
        for channel, age in (("C-idle", 7200), ("C-quiet", 600)):
            session.execute(
                update(ChannelPace)
                .where(ChannelPace.channel_id == channel)
                .values(next_at=ChannelPace.next_at - age)
            )
    scheduler = build_scheduler(env.core, env.poster, start_paused=True)
    scheduler.start()
    try:
        jobs.prune_job()
    finally:
        scheduler.shutdown()
    with env.core.factory() as session:
        left = set(session.scalars(select(ChannelPace.channel_id)))
    assert left == {"C-quiet", "C-busy"}
    assert pacer.wait("T1", "C-idle") == 0.0
    assert pacer.wait("T1", "C-busy") > 0.5  # its pace survived the prune


def test_a_brief_being_made_in_another_process_is_waited_for(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("one process writes a SQLite file: its in-process single flight suffices")
    held = threading.Event()
    release = threading.Event()

    def other_process() -> None:
        with locks.across_processes(db.factory, "brief:k", wait_seconds=1) as got:
            assert got
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_process)
    thread.start()
    assert held.wait(10)
    with locks.across_processes(db.factory, "brief:k", wait_seconds=0.3) as got:
        assert not got  # still being made elsewhere: the caller falls back
    with locks.across_processes(db.factory, "brief:other", wait_seconds=0.3) as got:
        assert got  # another key is free
    release.set()
    thread.join(10)
    with locks.across_processes(db.factory, "brief:k", wait_seconds=1) as got:
        assert got  # released


def test_the_postgres_queue_needs_a_postgres_database() -> None:
    with pytest.raises(SettingsError, match="TASK_QUEUE=postgres needs DATABASE_URL"):
        Settings.from_env(environ={"TASK_QUEUE": "postgres"}, dotenv_path=None)
    settings = Settings.from_env(environ={}, dotenv_path=None)
    assert settings.task_queue == "inline"


def test_the_inline_queue_runs_a_task_at_once_and_survives_its_failure() -> None:
    ran: list[tuple[int, int]] = []

    def task(*, n: int, attempt: int) -> None:
        ran.append((n, attempt))
        if n == 2:
            raise RetryLater("not now")
        if n == 3:
            raise RuntimeError("bug")

    queue = InlineQueue()
    queue.register(TaskSpec("t", task))
    assert queue.in_process
    for n in (1, 2, 3):
        assert queue.defer("t", {"n": n})
    assert queue.defer_many("t", [{"n": 4}, {"n": 5}]) == 2
    assert ran == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]


def test_a_round_deferred_in_one_batch_posts_each_due_digest_once(env: Env) -> None:
    """The leader's batched deferral through the in-process queue: the due digest goes out,
    and deferring the same round again posts nothing more (the claim)."""
    queue = InlineQueue()
    register_tasks(queue, env.core, env.poster)
    assert defer_due_digests(env.core, queue) == 1
    assert len(env.fake.posted_messages()) == 1
    assert defer_due_digests(env.core, queue) == 1
    assert len(env.fake.posted_messages()) == 1
    with env.core.factory() as session:
        [row] = session.scalars(select(Delivery))
    assert row.status == "sent" and row.scheduled_for == datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


@pytest.fixture
def pg_queue(env: Env) -> Iterator[Any]:
    """The PostgreSQL task queue with its tables in a schema of their own (search_path), so
    the run's database keeps the schema the suite migrated; no worker consumes it."""
    if env.db.dialect != "postgresql":
        pytest.skip("the task queue runs on PostgreSQL (SQLite runs tasks in-process)")
    from bot.tasks.postgres import PostgresQueue

    schema = f"q_{uuid.uuid4().hex[:10]}"
    with env.db.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    queue = PostgresQueue(f"{env.db.url}?options=-csearch_path%3D{schema}")
    try:
        queue.ensure_schema()
        yield queue, schema
    finally:
        queue.close()
        with env.db.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def test_the_minutely_sweep_queues_a_missed_digest_once_while_it_waits_or_runs(
    env: Env, pg_queue: tuple[Any, str]
) -> None:
    """The sweep finds the digest whose job never ran each minute until it is delivered: it
    queues it once, and not again while its task waits or while a worker runs it (a queueing
    lock alone only keeps a second one from waiting); once that task is gone undelivered
    (its worker's run ended without a claim), the next sweep queues it again."""
    from bot.jobs import scheduler as jobs

    queue, schema = pg_queue
    with transaction(env.core.factory) as session:
        row = session.get(Subscription, env.subscription_id)
        assert row is not None
        row.created_at = DAY1 - timedelta(days=1)
    env.clock.now = DAY1 + timedelta(hours=2)  # the scheduler was down at 08:00

    def sql(statement: str) -> list[tuple[str, ...]]:
        # In the queue's schema: procrastinate's triggers name its tables unqualified.
        import psycopg

        from bot.tasks.postgres import libpq_url

        options = f"-c search_path={schema}"
        with psycopg.connect(libpq_url(env.db.url), options=options, autocommit=True) as c:
            cursor = c.execute(statement)
            return [tuple(str(v) for v in r) for r in cursor] if cursor.description else []

    def queued() -> list[tuple[str, ...]]:
        return sql("SELECT status::text, args::text FROM procrastinate_jobs")

    context = jobs.register_context(env.core, env.poster, None, queue)
    try:
        jobs.sweep_job()
        [(status, args)] = queued()
        assert status == "todo" and f'"subscription_id": {env.subscription_id}' in args
        jobs.sweep_job()  # a minute later, still waiting behind its channel
        assert len(queued()) == 1
        sql("UPDATE procrastinate_jobs SET status = 'doing'")  # a worker is delivering it
        jobs.sweep_job()
        assert [row[0] for row in queued()] == ["doing"]
        sql("DELETE FROM procrastinate_jobs")  # its run ended without delivering
        jobs.sweep_job()
        assert [row[0] for row in queued()] == ["todo"]
    finally:
        jobs.unregister_context(context)
    assert env.fake.posted_messages() == []  # queued for the workers, never posted here


def test_a_worker_prepares_its_tasks_before_taking_the_first(
    env: Env, pg_queue: tuple[Any, str]
) -> None:
    """A worker runs each task's one-time preparation (the extractor's imports, the language
    model) once, before it takes a task, so its first tasks do not wait on it; a failing
    preparation is logged and the worker still works."""
    queue, _ = pg_queue
    events: list[str] = []
    ran = threading.Event()

    def warm() -> None:
        events.append("warm")

    def broken() -> None:
        raise RuntimeError("no model here")

    def task(*, n: int, attempt: int) -> None:
        events.append(f"task {n}")
        ran.set()

    queue.register(TaskSpec("test.first", task, warm=warm))
    queue.register(TaskSpec("test.second", task, warm=warm))  # the same preparation: once
    queue.register(TaskSpec("test.third", task, warm=broken))
    assert queue.defer("test.first", {"n": 1})
    stop = threading.Event()
    worker = threading.Thread(
        target=queue.run_worker, args=(stop,), kwargs={"concurrency": 1, "name": "w1"}
    )
    worker.start()
    try:
        assert ran.wait(30)
    finally:
        stop.set()
        worker.join(30)
    assert events == ["warm", "task 1"]
