"""`briefbot worker` with METRICS_PORT and LOG_FORMAT=json, as a real process: its port serves
the counters of the digest round it ran, its stderr is one JSON object per line, and on
SIGTERM it exits and the port closes. The metrics server alone stops within its deadline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from bot.core import Briefbot
from bot.metrics_http import MetricsServer
from bot.settings import Settings
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Subscription
from testkit.articles import write_articles
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.metrics.helpers import scrape, value

ROOT = Path(__file__).resolve().parents[2]
TEAM, TOPIC = "T0001", "river plan"
CHANNELS = ["C0001", "C0002"]
SIGNING_SECRET = "test-signing-secret-worker"


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _due_digests(db: Database, fake: FakeSlack, tmp_path: Path) -> dict[str, str]:
    """Two channels whose digest was due ten minutes ago and never ran (the worker's first
    sweep delivers them, late). Returns the worker's environment."""
    env = {
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": "xoxb-test-token-1",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "SUMMARIZER": "extractive",
        "FETCH_ALLOW_PRIVATE": "true",
        "NEWS_SEARCH_FEED_URL": fake.base_url + "nosuchfeed?q={query}",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "METRICS_PORT": "0",
        "INGEST_PROCESSES": "0",
    }
    core = Briefbot(Settings.from_env(environ=env, dotenv_path=None), engine=db.engine)
    core.ingest([str(write_articles(tmp_path / "articles", core.clock().isoformat()))], topic=TOPIC)
    due = datetime.now(UTC) - timedelta(minutes=10)
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
    return env


@pytest.mark.slow
def test_worker_serves_metrics_logs_json_and_stops(db: Database, tmp_path: Path) -> None:
    with FakeSlack() as fake:
        env = _due_digests(db, fake, tmp_path)
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(worker.stderr.readline, b"")))  # type: ignore[union-attr]
        reader.start()
        try:
            _wait(lambda: any(b"metrics on http" in line for line in lines), 60, "metrics port")
            announced = json.loads(next(line for line in lines if b"metrics on http" in line))
            url = f"http://127.0.0.1:{announced['port']}/metrics"

            def delivered() -> bool:
                return value(scrape(url), "briefbot_digests_total", status="sent") == 2

            _wait(delivered, 90, "both digests counted as sent")
            samples = scrape(url)
            assert value(samples, "briefbot_digests_late_total") == 2  # ten minutes late
            assert (
                value(samples, "briefbot_briefs_total", result="computed", summarizer="extractive")
                >= 1
            )
            assert value(samples, "briefbot_leader") == 1
            assert value(samples, "process_resident_memory_bytes") > 0
            assert len(fake.posted_messages()) == 2
        finally:
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(30)
            reader.join(10)
        assert code == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, trust_env=False, timeout=5)

    assert lines
    for line in lines:
        entry = json.loads(line)  # every line of stderr is one JSON object
        assert {"time", "level", "logger", "message"} <= set(entry), entry
        assert SIGNING_SECRET not in line.decode()
    messages = [json.loads(line)["message"] for line in lines]
    assert any("worker running" in m for m in messages)


def test_metrics_server_serves_then_stops_within_its_deadline() -> None:
    server = MetricsServer("127.0.0.1", 0, token="s3cret-token").start()
    url = f"http://127.0.0.1:{server.port}/metrics"
    try:
        assert httpx.get(url, trust_env=False, timeout=5).status_code == 401
        assert "briefbot_leader" in {name for name, _ in scrape(url, token="s3cret-token")}
        assert httpx.get(url.replace("/metrics", "/other"), trust_env=False).status_code == 404
        # A client that connects and sends nothing does not hold the stop up.
        idle = __import__("socket").create_connection(("127.0.0.1", server.port), timeout=5)
    finally:
        started = time.monotonic()
        stopped = server.stop(timeout=5)
        took = time.monotonic() - started
    idle.close()
    assert stopped, f"stop() returned after {took:.1f} s with the server still running"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, trust_env=False, timeout=5)
