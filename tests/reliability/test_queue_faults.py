"""The task queue under faults (issue 18), for real: PostgreSQL, procrastinate, two
`python -m bot worker` processes with TASK_QUEUE=postgres, the fake Slack.

- kill -9 of one worker in the middle of a digest round: the tasks it was running are queued
  again once its heartbeat is stale and finish on the other worker; every digest is posted
  exactly once.
- kill -9 of one worker in the middle of an ingest round (one refresh task per feed, each
  feed's pages served slowly): the feeds it was refreshing are queued again and finish on the
  other worker; every page is stored exactly once.
- The database away for 30 s (a TCP proxy between the workers and PostgreSQL, cut; the shared
  server itself is never touched): the workers start again by themselves and finish the round;
  nothing is lost or posted twice.

The test process holds the leader lock, so no worker's scheduler runs: it defers the round's
digests itself, as the leader's jobs would (`bot.jobs.tasks.defer_digest`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.core import Briefbot
from bot.jobs.tasks import defer_digest, defer_ingest_round
from bot.service.leader import LEADER_LOCK
from bot.settings import Settings
from storage.models import Delivery
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.ingest.conftest import LocalServer, article_html, article_text, rss_feed
from tests.reliability.tcp_proxy import TcpProxy
from tests.reliability.test_crash_restart import CHANNELS, ROOT, _wait, setup_due_round

pytestmark = pytest.mark.slow

STALLED_SECONDS = 4  # TASK_STALLED_SECONDS for the workers: a dead one is noticed quickly
POST_SECONDS = 1.5  # the fake Slack answers each post this late: the round is in flight
OUTAGE_SECONDS = 30


def _postgres_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the task queue runs on PostgreSQL (SQLite runs tasks in-process)")
    pytest.importorskip("procrastinate")


@contextmanager
def _leader_lock(db: Database) -> Iterator[None]:
    """Hold the scheduler's leader lock: the workers only consume."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LEADER_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK})
            connection.commit()


def _defer_round(env: dict[str, str], db: Database) -> int:
    settings = Settings.from_env(environ={**env, "DATABASE_URL": db.url}, dotenv_path=None)
    core = Briefbot(settings, engine=db.engine, migrate=False)
    from bot.runtime import task_queue

    queue = task_queue(settings)
    try:
        subscriptions = [s.id for s in core.subscriptions.active()]
        statuses = [defer_digest(core, queue, sid).status for sid in subscriptions]
    finally:
        queue.close()
    assert statuses == ["queued"] * len(CHANNELS)
    return len(subscriptions)


def _workers(env: dict[str, str], tmp_path: Path, n: int = 2) -> list[tuple[Any, Path]]:
    out = []
    for i in range(n):
        log = tmp_path / f"worker-{i}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        out.append((proc, log))
    return out


def _stop(workers: list[tuple[Any, Path]]) -> None:
    for proc, _ in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc, _ in workers:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _queue_env(env: dict[str, str]) -> dict[str, str]:
    return {
        **env,
        "TASK_QUEUE": "postgres",
        "WORKER_CONCURRENCY": "2",
        "TASK_STALLED_SECONDS": str(STALLED_SECONDS),
        "NLP_MODEL": "none",
    }


def _all_sent(db: Database) -> bool:
    with db.factory() as session:
        rows = list(session.scalars(select(Delivery.status)))
    return len(rows) == len(CHANNELS) and set(rows) == {"sent"}


def _posts_by_delivery(fake: FakeSlack) -> Counter[Any]:
    counted: Counter[Any] = Counter()
    for post in fake.posted_messages():
        metadata = post.get("metadata") or {}
        counted[(metadata.get("event_payload") or {}).get("delivery_id")] += 1
    return counted


def _registered(db: Database) -> int:
    """Workers registered with the queue (0 before the first one created its tables)."""
    with db.engine.connect() as connection:
        if connection.execute(text("SELECT to_regclass('procrastinate_workers')")).scalar():
            query = text("SELECT count(*) FROM procrastinate_workers")
            return int(connection.execute(query).scalar() or 0)
        return 0


def test_kill_9_of_a_worker_mid_round_its_digests_finish_on_the_other_once_each(
    db: Database, tmp_path: Path
) -> None:
    _postgres_only(db)
    with FakeSlack() as fake, _leader_lock(db):
        env = _queue_env(setup_due_round(db, tmp_path, fake))
        fake.slow("chat.postMessage", POST_SECONDS)
        workers = _workers(env, tmp_path)
        try:
            _wait(lambda: _registered(db) >= 2, 60, "two workers")
            _defer_round(env, db)
            # Both workers are posting when the first dies: three posts held by the fake means
            # at least one each (WORKER_CONCURRENCY 2), unanswered for POST_SECONDS. Waiting for
            # four answered posts instead let the first worker finish its tasks before the
            # kill, leaving nothing to queue again (CI of 2 Dec).
            _wait(lambda: fake.in_flight("chat.postMessage") >= 3, 60, "posts in flight")
            killed, _ = workers[0]
            killed.send_signal(signal.SIGKILL)
            killed.wait(10)
            _wait(lambda: _all_sent(db), 120, "every digest recorded as sent")
            time.sleep(POST_SECONDS + 0.5)  # a late duplicate would show now
            survivor_log = workers[1][1].read_text("utf-8", errors="replace")
        finally:
            _stop(workers)
        posted = _posts_by_delivery(fake)
        assert len(posted) == len(CHANNELS), fake.describe_calls()
        assert set(posted.values()) == {1}, posted  # none twice
        assert {p["channel"] for p in fake.posted_messages()} == set(CHANNELS)
        # What the dead worker held was queued again and done by the survivor.
        assert "its worker stopped; queued again" in survivor_log, survivor_log[-3000:]
        assert fake.rate_limited == 0


def test_database_away_30_s_the_workers_resume_by_themselves_and_nothing_is_lost(
    db: Database, tmp_path: Path
) -> None:
    _postgres_only(db)
    url = make_url(db.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with FakeSlack() as fake, _leader_lock(db):
            env = _queue_env(setup_due_round(db, tmp_path, fake))
            fake.slow("chat.postMessage", POST_SECONDS)
            workers = _workers({**env, "DATABASE_URL": through_proxy}, tmp_path)
            try:
                _wait(lambda: _registered(db) >= 2, 60, "two workers")
                _defer_round(env, db)
                _wait(lambda: len(fake.posted_messages(include_failed=True)) >= 2, 60, "posts")
                proxy.cut()
                time.sleep(OUTAGE_SECONDS)
                assert not _all_sent(db)  # the round was cut in the middle
                proxy.restore()
                _wait(lambda: _all_sent(db), 180, "every digest sent after the outage")
                time.sleep(POST_SECONDS + 0.5)
                alive = [proc.poll() is None for proc, _ in workers]
            finally:
                _stop(workers)
            posted = _posts_by_delivery(fake)
            assert alive == [True, True]  # degraded, never died
            assert len(posted) == len(CHANNELS), fake.describe_calls()
            assert set(posted.values()) == {1}, posted
            assert proxy.refused > 0  # the workers did try to reach the database meanwhile
    finally:
        proxy.close()


FEEDS = 12
PAGES_PER_FEED = 3
PAGE_SECONDS = 1.0  # each page is served this late: a feed's refresh takes seconds


def _article_count(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM articles")).scalar() or 0)


def _failed_tasks(db: Database) -> int:
    with db.engine.connect() as connection:
        query = text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        return int(connection.execute(query).scalar() or 0)


def test_kill_9_of_a_worker_mid_ingest_its_feeds_finish_on_the_other_every_page_once(
    db: Database, tmp_path: Path, server: LocalServer
) -> None:
    _postgres_only(db)
    now = datetime.now(UTC)
    for i in range(FEEDS):
        items = []
        for j in range(PAGES_PER_FEED):
            page = server.add(
                f"/news/{i}/{j}",
                article_html(
                    f"Harbour report {i}-{j}", article_text(f"Harbour {i} {j}"), now.isoformat()
                ),
                content_type="text/html",
                delay=PAGE_SECONDS,
            )
            # Teasers only: every entry's page is fetched and extracted by the worker.
            items.append(
                {
                    "title": f"Harbour report {i}-{j}",
                    "link": page,
                    "description": "A teaser.",
                    "pubDate": format_datetime(now),
                }
            )
        server.add(
            f"/feed/{i}.xml", rss_feed(f"Harbour {i}", items), content_type="application/rss+xml"
        )
    env = _queue_env(
        {
            "DATABASE_URL": db.url,
            # a worker needs a bot token to start; nothing is posted in this round
            "SLACK_BOT_TOKEN": "xoxb-test-token-1",
            "SLACK_API_URL": server.url("/slack-unused/"),
            "FETCH_ALLOW_PRIVATE": "true",
            "INGEST_PROCESSES": "0",  # one process per worker: kill -9 leaves nothing behind
            "SUMMARIZER": "extractive",
            "LOG_LEVEL": "INFO",
        }
    )
    settings = Settings.from_env(environ=env, dotenv_path=None)
    core = Briefbot(settings, engine=db.engine, migrate=False)
    for i in range(FEEDS):
        core.add_source(f"harbour {i}", server.url(f"/feed/{i}.xml"))
    expected = FEEDS * PAGES_PER_FEED
    with _leader_lock(db):
        workers = _workers(env, tmp_path)
        try:
            _wait(lambda: _registered(db) >= 2, 60, "two workers")
            from bot.runtime import task_queue

            queue = task_queue(settings)
            try:
                assert defer_ingest_round(core, queue) == FEEDS
            finally:
                queue.close()
            # Both workers are refreshing feeds when the first dies.
            _wait(lambda: _article_count(db) >= 4, 90, "the first pages stored")
            killed, _ = workers[0]
            killed.send_signal(signal.SIGKILL)
            killed.wait(10)
            at_kill = _article_count(db)
            _wait(lambda: _article_count(db) >= expected, 180, "every page stored")
            time.sleep(1.0)  # a late duplicate would show now
            survivor_log = workers[1][1].read_text("utf-8", errors="replace")
        finally:
            _stop(workers)
            core.close()
    assert at_kill < expected  # the round was still going when the worker died
    assert _article_count(db) == expected  # every page, none twice
    with db.engine.connect() as connection:
        urls = connection.execute(text("SELECT url FROM articles")).scalars().all()
    assert len(set(urls)) == expected
    assert "its worker stopped; queued again" in survivor_log, survivor_log[-3000:]
    assert _failed_tasks(db) == 0
