"""The database goes away for 30 s: /brief keeps answering, says so, and recovers by itself.

PostgreSQL sits behind a TCP proxy that the test cuts (every connection dropped, new ones
closed at once) and restores. During the outage every signed /brief is acknowledged within
Slack's 3 s and answered with the "temporarily unavailable" reply; a subscription attempted
then is not half-stored; /healthz says 503. Afterwards the same app briefs again without a
restart, and everything stored before the outage is still there.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.core import Briefbot
from bot.slack.replies import UNAVAILABLE
from storage.db import make_engine
from storage.models import Article, Subscription
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body
from tests.conftest import Database
from tests.reliability.tcp_proxy import TcpProxy
from tests.slack.conftest import SIGNING_SECRET, serve_app, settings_for, write_articles

pytestmark = pytest.mark.slow  # subprocesses and timed scenarios: minutes in all

OUTAGE_SECONDS = 30
TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"


@pytest.fixture
def proxied(db: Database, tmp_path: Path) -> Iterator[tuple[str, TcpProxy, FakeSlack, Briefbot]]:
    if db.dialect != "postgresql":
        pytest.skip("needs PostgreSQL: the outage is a cut TCP connection (SQLite has none)")
    url = make_url(db.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with FakeSlack() as fake:
        settings = settings_for(proxied_url, fake)
        engine = make_engine(proxied_url)
        core = Briefbot(settings, engine=engine, migrate=False)
        core.ingest(
            [str(write_articles(tmp_path / "articles", core.clock().isoformat()))],
            topic="river plan",
        )
        try:
            yield proxied_url, proxy, fake, core
        finally:
            proxy.close()
            engine.dispose()


def test_brief_during_a_database_outage(
    proxied: tuple[str, TcpProxy, FakeSlack, Briefbot],
) -> None:
    _, proxy, fake, core = proxied
    with serve_app(core.settings, core, fake) as app:
        _outage_scenario(app.base, proxy, fake, core)


def _outage_scenario(base: str, proxy: TcpProxy, fake: FakeSlack, core: Briefbot) -> None:
    events = base + "/slack/events"

    def command(text: str, response: str, channel: str = CHANNEL) -> float:
        body = slash_command_body(
            text=text,
            team_id=TEAM,
            channel_id=channel,
            user_id=USER,
            response_url=fake.response_url(response),
        )
        started = time.perf_counter()
        reply = post_signed(events, body, SIGNING_SECRET)
        assert reply.status_code == 200, reply.text
        return time.perf_counter() - started

    try:
        command("river plan", "before")
        fake.wait_for("chat.postMessage", timeout=20)
        command("subscribe river plan at 08:00", "sub-before")
        _wait_for_replies(fake, ["sub-before"])
        with core.factory() as session:
            assert session.scalar(select(func.count(Subscription.id))) == 1
            articles_before = session.scalar(select(func.count(Article.id)))
        posts_before = len(fake.posted_messages())

        proxy.cut()
        started = time.monotonic()
        acks: list[float] = []
        n = 0
        while time.monotonic() - started < OUTAGE_SECONDS:
            acks.append(command("river plan", f"down-{n}"))
            n += 1
            time.sleep(2.5)
        acks.append(command("subscribe river plan at 09:00", "sub-down", channel="C0002"))
        health_down = httpx.get(base + "/healthz", timeout=10).status_code
        _wait_for_replies(fake, [f"down-{i}" for i in range(n)] + ["sub-down"])
        proxy.restore()

        command("river plan", "after")
        deadline = time.monotonic() + 30
        while len(fake.posted_messages()) <= posts_before and time.monotonic() < deadline:
            time.sleep(0.1)
        health_up = httpx.get(base + "/healthz", timeout=10).status_code
        command("subscribe river plan at 09:00", "sub-after", channel="C0002")
        _wait_for_replies(fake, ["sub-after"])
    finally:
        proxy.restore()

    print(
        f"\noutage {OUTAGE_SECONDS}s: {n} /brief + 1 subscribe answered, ack max "
        f"{max(acks) * 1000:.0f} ms, {proxy.refused} connections refused"
    )
    assert max(acks) < 3.0
    for i in range(n):
        [reply] = fake.response_posts(f"down-{i}")
        assert reply["text"] == UNAVAILABLE
    [sub_down] = fake.response_posts("sub-down")
    assert sub_down["text"] == UNAVAILABLE
    assert health_down == 503 and health_up == 200
    # Recovered without a restart: the brief after the outage was posted.
    assert len(fake.posted_messages()) == posts_before + 1
    with core.factory() as session:
        channels = sorted(session.scalars(select(Subscription.channel_id)))
        assert channels == [CHANNEL, "C0002"]  # nothing lost, the retried one stored once
        assert session.scalar(select(func.count(Article.id))) == articles_before


def _wait_for_replies(fake: FakeSlack, ids: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while any(not fake.response_posts(i) for i in ids):
        if time.monotonic() > deadline:
            missing = [i for i in ids if not fake.response_posts(i)]
            raise AssertionError(f"no reply to {missing}")
        time.sleep(0.1)
