"""kill -9 in the middle of a digest round, then a restart: every due digest exactly once.

Real processes: `python -m bot worker` (the scheduler) against the fake Slack, which takes
0.4 s to answer each post, so the round is still going when the test kills the worker with
SIGKILL. The post in flight at that moment still lands in the channel (Slack accepted it; the
worker died before it could record it). A second worker, started once the dead one's claim
has gone stale, must deliver the rest and must not post the in-flight digest again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.core import Briefbot
from bot.settings import Settings
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Delivery, Subscription
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.jobs.conftest import DAY1_ARTICLES, TEAM, TOPIC

pytestmark = pytest.mark.slow  # subprocesses and timed scenarios: minutes in all

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = [f"C{n:04d}" for n in range(1, 13)]
STALE_AFTER = 3  # seconds


# The scheduler runs in `briefbot worker`, or in `briefbot serve` next to the HTTP app.
COMMANDS = {
    "worker": ["worker"],
    "serve": ["serve", "--http", "--host", "127.0.0.1", "--port", "0"],
}


def _worker(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def setup_due_round(db: Database, tmp_path: Path, fake: FakeSlack) -> dict[str, str]:
    """Twelve channels whose daily digest was due two minutes ago and never ran; the fake
    Slack answers each post after 0.4 s. Returns the environment for the processes."""
    env = {
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": "xoxb-test-token-1",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": fake.base_url,
        "SUMMARIZER": "extractive",
        "FETCH_ALLOW_PRIVATE": "true",
        "NEWS_SEARCH_FEED_URL": fake.base_url + "nosuchfeed?q={query}",
        "DIGEST_STALE_AFTER_SECONDS": str(STALE_AFTER),
        "LOG_LEVEL": "INFO",
    }
    settings = Settings.from_env(environ=env, dotenv_path=None)
    core = Briefbot(settings, engine=db.engine, migrate=False)
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, (title, outlet, url, published, text) in DAY1_ARTICLES.items():
        (articles / name).write_text(
            f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\nurl: {url}\n"
            f"---\n{text}\n"
        )
    core.ingest([str(articles)], topic=TOPIC)
    # Twelve channels whose 'daily' time was two minutes ago: due now, never run.
    due = datetime.now(UTC) - timedelta(minutes=2)
    with transaction(core.factory) as session:
        topic = topic_store.get_or_create(session, TOPIC)
        for channel in CHANNELS:
            subscription_store.upsert(
                session,
                team_id=TEAM,
                channel_id=channel,
                topic=topic,
                hour=due.hour,
                minute=due.minute,
                timezone="UTC",
                created_by="U0001",
            )
        session.execute(update(Subscription).values(created_at=due - timedelta(days=1)))
    core.close()
    fake.slow("chat.postMessage", 0.4)

    return env


@pytest.mark.parametrize("process", sorted(COMMANDS))
def test_kill_9_mid_round_then_restart_delivers_each_due_digest_once(
    process: str, db: Database, tmp_path: Path
) -> None:
    command = COMMANDS[process]
    with FakeSlack() as fake:
        env = setup_due_round(db, tmp_path, fake)
        first = _worker(command, env, tmp_path)
        try:
            _wait(lambda: len(fake.posted_messages()) >= 3, 60, "the first posts")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        at_kill = len(fake.posted_messages())
        time.sleep(0.6)  # the post in flight lands after its 0.4 s delay
        landed = len(fake.posted_messages())
        assert landed < len(CHANNELS), "the round finished before the kill"

        time.sleep(STALE_AFTER)
        second = _worker(command, env, tmp_path)
        try:

            def all_sent() -> bool:
                with db.factory() as session:
                    rows = list(session.scalars(select(Delivery.status)))
                return len(rows) == len(CHANNELS) and set(rows) == {"sent"}

            _wait(all_sent, 90, "every digest recorded as sent")
            time.sleep(1.0)  # anything still to come would show now
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(15)
            except subprocess.TimeoutExpired:
                second.kill()
        stderr = (second.stderr.read() if second.stderr else b"").decode(errors="replace")

        per_channel = Counter(m["channel"] for m in fake.posted_messages())
        in_slack = {c: len(fake.messages(c)) for c in CHANNELS}
        recovered = stderr.count("was already posted")
        print(
            f"\nkilled after {at_kill} posts ({landed - at_kill} in flight landed); restart "
            f"found {recovered} earlier post(s); {sum(in_slack.values())} messages in "
            f"{len(CHANNELS)} channels"
        )
        assert in_slack == dict.fromkeys(CHANNELS, 1), (in_slack, stderr[-2000:])
        assert set(per_channel) == set(CHANNELS)
        assert "Traceback" not in stderr, stderr[-2000:]
