"""A running briefbot Slack app (HTTP mode) against the local fake Slack, on each database."""

from __future__ import annotations

import functools
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as wait_for_futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.core import Briefbot
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.server import http_server
from storage.db import ping
from testkit.articles import write_articles
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body
from tests.conftest import Database

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-1"


@dataclass
class RunningApp:
    fake: FakeSlack
    runtime: Runtime
    url: str  # http://127.0.0.1:PORT/slack/events
    base: str
    inflight: Inflight = field(default_factory=lambda: Inflight())

    @property
    def core(self) -> Briefbot:
        return self.runtime.core

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until the work every request so far handed the app has ended (see Inflight);
        60 s at most, the longest a /brief's fresh ingest may take (FRESH_INGEST_MAX_SECONDS)."""
        self.inflight.settle(timeout)


class Inflight:
    """The work a running app was handed: Bolt's listener executor (ack functions and lazy
    listeners, submitted before the request is answered) and the listener pools they hand slow
    work to. `settle` waits until all of it has ended, so a test can check that something did
    not happen (no second reply, no post) once it could have, instead of sleeping a guessed
    second and hoping that was long enough."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: list[Future[Any]] = []

    def watch(self, submit: Callable[..., Future[Any]]) -> Callable[..., Future[Any]]:
        @functools.wraps(submit)
        def tracked(*args: Any, **kwargs: Any) -> Future[Any]:
            future = submit(*args, **kwargs)
            with self._lock:
                self._futures.append(future)
            return future

        return tracked

    def settle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:  # work that ends may have handed on more: look again until none is left
            with self._lock:
                self._futures = [f for f in self._futures if not f.done()]
                pending = list(self._futures)
            if not pending:
                return
            left = deadline - time.monotonic()
            assert left > 0, f"{len(pending)} pieces of work still running after {timeout} s"
            wait_for_futures(pending, timeout=left)


def track_work(runtime: Runtime) -> Inflight:
    """An Inflight watching `runtime`'s Bolt listener executor and listener pools."""
    inflight = Inflight()
    if runtime.app is not None:
        executor: Any = runtime.app.listener_runner.listener_executor
        executor.submit = inflight.watch(executor.submit)
    if runtime.pools is not None:
        pools: Any = runtime.pools
        pools.submit = inflight.watch(pools.submit)
    return inflight


def settings_for(db_url: str, fake: FakeSlack, **extra: str) -> Settings:
    return Settings.from_env(
        environ={
            "DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.base_url,
            # topics without sources would search the news; here that URL is the fake itself
            "NEWS_SEARCH_FEED_URL": fake.base_url + "nosuchfeed?q={query}",
            "FETCH_ALLOW_PRIVATE": "true",
            **extra,
        },
        dotenv_path=None,
    )


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@contextmanager
def serve_app(settings: Settings, core: Briefbot, fake: FakeSlack) -> Iterator[RunningApp]:
    """The HTTP Slack app of `core` (as `briefbot serve --http` wires it, without a scheduler)
    on 127.0.0.1:<free port>, talking to `fake`."""
    client = make_web_client(settings, settings.slack_bot_token or BOT_TOKEN, max_retries=2)
    runtime = build_runtime(
        settings, socket_mode=False, with_scheduler=False, core=core, client=client
    )
    web = http_server(runtime.app, lambda: ping(core.engine), host="127.0.0.1", port=0)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{web.effective_port}"
    app = RunningApp(fake, runtime, base + "/slack/events", base, track_work(runtime))
    try:
        yield app
    finally:
        web.close()
        thread.join(timeout=5)
        end_work(app)


def end_work(app: RunningApp, timeout: float = 30.0) -> None:
    """Let the work this app's requests started end here, then stop its listener pools. Left
    running, a /brief's reply or fresh ingest finished during the next test of the process:
    it posted to this test's closed fake (errors in the next test's log) and, on PostgreSQL,
    wrote its topic into the next test's database (one database per worker)."""
    try:
        app.inflight.settle(timeout)
    except AssertionError as err:  # bounded: a test that leaves work stuck is told, not hung
        warnings.warn(f"work still running when its test ended: {err}", stacklevel=2)
    finally:
        if app.runtime.pools is not None:
            app.runtime.pools.shutdown()


@pytest.fixture
def running_app(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningApp]:
    settings = settings_for(db.url, fake_slack)
    core = Briefbot(settings, engine=db.engine)
    core.ingest(
        [str(write_articles(tmp_path / "articles", core.clock().isoformat()))], topic="river plan"
    )
    with serve_app(settings, core, fake_slack) as app:
        yield app


def private_reply(
    app: RunningApp, text: str, *, team_id: str, channel_id: str, user_id: str, rid: str
) -> str:
    """Send `/brief <text>` signed over HTTP; the reply only the user sees: the ack's text (a
    usage error is answered at once) or the last one posted to the response_url `rid`. Fails
    if the reply was shown to the channel."""
    body = slash_command_body(
        text=text,
        team_id=team_id,
        channel_id=channel_id,
        user_id=user_id,
        response_url=app.fake.response_url(rid),
    )
    response = post_signed(app.url, body, SIGNING_SECRET)
    assert response.status_code == 200
    if response.content.strip():  # answered in the ack
        try:
            ack = response.json()
        except ValueError:
            return response.text
        assert ack.get("response_type", "ephemeral") == "ephemeral"
        return str(ack.get("text", ""))
    deadline = time.monotonic() + 30
    while not (posts := app.fake.response_posts(rid)):
        assert time.monotonic() < deadline, app.fake.describe_calls()
        time.sleep(0.02)
    assert posts[-1].get("response_type", "ephemeral") == "ephemeral"
    return str(posts[-1].get("text", ""))
