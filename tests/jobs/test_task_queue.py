"""The pieces that make the task queue safe across worker processes (issue 18), each on a real
database: the posting pace every worker shares, the brief's cross-process single flight, the
setting that refuses a queue SQLite cannot hold, and the in-process queue's behaviour."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.errors import SettingsError
from bot.jobs.scheduler import build_scheduler
from bot.jobs.tasks import defer_due_digests, register_tasks
from bot.service.pacing import SharedChannelPacer
from bot.settings import Settings
from bot.tasks import RetryLater, TaskSpec
from bot.tasks.inline import InlineQueue
from storage import locks
from storage.db import transaction
from storage.models import ChannelPace, Delivery
from tests.conftest import Database
from tests.jobs.conftest import Env


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

    pacer = SharedChannelPacer(env.core.factory, 1.0, sleep=lambda _: None)
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
