"""Nothing the bot told a channel goes unrecorded, and nothing stored goes untold.

- A brief posted while another writer holds the database's write lock still gets its delivery
  record (so a question in its thread is answered), and a /brief the database cannot record is
  not posted, with a reply that says so (never "nothing was lost" when a brief went out).
- A digest carries an article fetched after the previous digest although published before it.
- A thread question whose brief covers more ids than the database's parameter limit (PostgreSQL
  65,535, SQLite 32,766) is answered.

Each runs on SQLite and PostgreSQL, over real HTTP against the fake Slack.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from bot.core import Briefbot
from bot.jobs.digest import run_digest
from bot.service import deliveries as delivery_service
from bot.slack.replies import UNAVAILABLE
from storage import articles as article_store
from storage import deliveries, search
from storage import topics as topic_store
from storage.db import make_engine
from storage.models import Brief, Delivery
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_body, post_signed, slash_command_body
from tests.conftest import Database
from tests.jobs.conftest import DAY1, TOPIC, Env, build_env
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for, write_articles

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"
# How long the test's own writer holds the lock: well past the app's busy timeout below.
LOCK_SECONDS = 3.0
BUSY_TIMEOUT = 0.3


@pytest.fixture
def locked_app(db: Database, tmp_path: Path) -> Iterator[RunningApp]:
    """The HTTP app on a short SQLite busy timeout, with two articles on "river plan"."""
    with FakeSlack() as fake:
        settings = settings_for(db.url, fake)
        engine = make_engine(db.url, busy_timeout=BUSY_TIMEOUT)
        core = Briefbot(settings, engine=engine, migrate=False)
        core.ingest(
            [str(write_articles(tmp_path / "articles", core.clock().isoformat()))],
            topic="river plan",
        )
        try:
            with serve_app(settings, core, fake) as app:
                yield app
        finally:
            engine.dispose()


class WriteLock:
    """Another writer holding the database's write lock (a long ingest transaction)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._release = threading.Event()
        self._held = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        if self._db.dialect == "sqlite":
            path = make_url(self._db.url).database
            assert path
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            self._held.set()
            self._release.wait(30)
            connection.execute("ROLLBACK")
            connection.close()
            return
        with self._db.engine.connect() as connection:
            connection.execute(text("LOCK TABLE deliveries IN EXCLUSIVE MODE"))
            self._held.set()
            self._release.wait(30)
            connection.rollback()

    def hold_for(self, seconds: float) -> None:
        self._thread.start()
        assert self._held.wait(10), "could not take the write lock"
        threading.Timer(seconds, self._release.set).start()

    def wait_released(self) -> None:
        """Until the lock is released on its own schedule."""
        self._thread.join(30)

    def join(self) -> None:
        self._release.set()
        self._thread.join(10)


def _brief(app: RunningApp, topic: str, response: str) -> None:
    body = slash_command_body(
        text=topic,
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url(response),
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def _ask_in_thread(app: RunningApp, root_ts: str, question: str, n: int) -> str:
    """Ask in the thread; the threaded answer's text, or "" if none came within 20 s."""
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": question,
        "ts": f"1800000000.{n:06d}",
        "thread_ts": root_ts,
        "channel_type": "channel",
    }
    body = event_body(event, team_id=TEAM, event_id=f"EvSafety{n}")
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        replies = [
            c for c in app.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == root_ts
        ]
        if replies:
            return json.dumps(replies[0].params)
        time.sleep(0.05)
    return ""


def _thread_root(app: RunningApp, ts: str, seconds: float = 10) -> Delivery | None:
    """The delivery recorded for the message at `ts`, waiting for it to land."""
    deadline = time.monotonic() + seconds
    while True:
        with app.core.factory() as session:
            root = deliveries.thread_root(session, TEAM, CHANNEL, ts)
        if root is not None or time.monotonic() > deadline:
            return root
        time.sleep(0.05)


def _wait_for_record(app: RunningApp, seconds: float = 10) -> bool:
    """True once a brief's delivery row exists (recorded before posting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.core.factory() as session:
            if session.scalar(select(Delivery.id).where(Delivery.kind == "brief")) is not None:
                return True
        time.sleep(0.01)
    return False


@pytest.mark.slow  # holds the database lock for LOCK_SECONDS
def test_a_brief_posted_while_the_database_is_locked_keeps_its_thread(
    locked_app: RunningApp, db: Database
) -> None:
    app, fake = locked_app, locked_app.fake
    # The post takes a moment; meanwhile another writer takes the lock and holds it for ten
    # times the busy timeout, so recording the post has to wait it out.
    fake.slow("chat.postMessage", 0.5)
    lock = WriteLock(db)
    _brief(app, "river plan", "r1")
    try:
        assert _wait_for_record(app), "the brief was not recorded before it was posted"
        lock.hold_for(LOCK_SECONDS)
        [posted] = fake.wait_for("chat.postMessage", timeout=20)
        lock.wait_released()  # the record waits it out: LOCK_SECONDS, ten busy timeouts
    finally:
        lock.join()
    fake.slow("chat.postMessage", 0)
    root_ts = posted.response["ts"]
    # The record lands once the lock is gone (the app retries with backoff, bounded).
    root = _thread_root(app, root_ts)
    assert root is not None and root.kind == "brief", "the posted brief was never recorded"

    answer = _ask_in_thread(app, root_ts, "When will construction begin?", 1)
    assert "September" in answer, "no answer in the brief's thread"
    # Nobody was told anything went wrong: nothing did.
    assert fake.response_posts("r1") == []


@pytest.mark.slow  # holds the database lock for LOCK_SECONDS
def test_a_brief_posted_but_not_recorded_in_time_is_recognised_by_its_thread(
    locked_app: RunningApp, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock outlasts the record's retry deadline: the user is told, and the first question
    in the brief's thread, once the lock is gone, completes the record from the message's own
    metadata and is answered."""
    monkeypatch.setattr(delivery_service, "RECORD_DEADLINE_SECONDS", 0.5)
    app, fake = locked_app, locked_app.fake
    fake.slow("chat.postMessage", 0.5)
    lock = WriteLock(db)
    _brief(app, "river plan", "r4")
    try:
        assert _wait_for_record(app), "the brief was not recorded before it was posted"
        lock.hold_for(LOCK_SECONDS)
        [posted] = fake.wait_for("chat.postMessage", timeout=20)
        deadline = time.monotonic() + 20
        while not fake.response_posts("r4") and time.monotonic() < deadline:
            time.sleep(0.05)
        lock.wait_released()
    finally:
        lock.join()
    fake.slow("chat.postMessage", 0)
    [reply] = fake.response_posts("r4")
    assert "could not record it yet" in reply["text"]
    assert "nothing was lost" not in reply["text"].lower()
    root_ts = posted.response["ts"]
    with app.core.factory() as session:
        assert deliveries.thread_root(session, TEAM, CHANNEL, root_ts) is None

    answer = _ask_in_thread(app, root_ts, "When will construction begin?", 4)
    assert "September" in answer, "the posted brief's thread stayed unanswerable"
    with app.core.factory() as session:
        assert deliveries.thread_root(session, TEAM, CHANNEL, root_ts) is not None


@pytest.mark.slow  # holds the database lock for LOCK_SECONDS
def test_a_brief_that_cannot_be_recorded_is_not_posted_and_the_reply_says_so(
    locked_app: RunningApp, db: Database
) -> None:
    app, fake = locked_app, locked_app.fake
    lock = WriteLock(db)
    lock.hold_for(LOCK_SECONDS)
    try:
        _brief(app, "river plan", "r2")
        deadline = time.monotonic() + 20
        while not fake.response_posts("r2") and time.monotonic() < deadline:
            time.sleep(0.05)
        posted = fake.posted_messages()
    finally:
        lock.join()
    [reply] = fake.response_posts("r2")
    assert posted == [], "a brief was posted although it could not be recorded"
    assert reply["text"] == UNAVAILABLE
    assert "nothing was lost" not in reply["text"].lower()
    assert "nothing was posted" in reply["text"].lower()


# -- late arrivals in digests -----------------------------------------------------------------


@pytest.fixture
def digest_env(db: Database, tmp_path: Path) -> Iterator[Env]:
    with FakeSlack() as fake:
        yield build_env(db, fake, tmp_path)


LATE = {
    "late.md": (
        "Late word on the river plan",
        "Harbour Gazette",
        "https://harbour.example.net/river-late",
        # Published five minutes before the first digest, fetched only after it.
        (DAY1 - timedelta(minutes=5)).isoformat(),
        "The regional government agreed to co-fund the second phase of the river plan with "
        "2 million euros.\n\n"
        "The funding agreement will be signed at the regional assembly on 20 March.",
    ),
}


def test_an_article_fetched_after_a_digest_but_published_before_it_is_in_the_next(
    digest_env: Env,
) -> None:
    env = digest_env
    first = run_digest(env.core, env.poster, env.subscription_id)
    assert first.status == "sent"
    assert "co-fund the second phase of the river plan with" not in env.posted_texts()[0]

    env.clock.now = DAY1 + timedelta(hours=2)
    env.ingest(LATE, "late")  # the feed refresh after the digest brings it in
    env.clock.now = DAY1 + timedelta(days=1)
    second = run_digest(env.core, env.poster, env.subscription_id)

    assert second.status == "sent", f"the late article was not sent: {second}"
    text_of_second = env.posted_texts()[1]
    assert "2 million euros" in text_of_second
    assert "Nothing new" not in text_of_second
    assert "New and updated since the last digest (Tue 10 Mar, 08:00)" in text_of_second
    # And it is told once: the digest after that has nothing new.
    env.clock.now = DAY1 + timedelta(days=2)
    third = run_digest(env.core, env.poster, env.subscription_id)
    assert third.status == "nothing_new"
    assert "2 million euros" not in env.posted_texts()[2]


def test_the_first_digests_articles_are_not_sent_again(digest_env: Env) -> None:
    env = digest_env
    assert run_digest(env.core, env.poster, env.subscription_id).status == "sent"
    env.clock.now = DAY1 + timedelta(days=1)
    second = run_digest(env.core, env.poster, env.subscription_id)
    assert second.status == "nothing_new"
    assert second.new == 0 and second.updated == 0
    assert "4 million" not in env.posted_texts()[1]
    assert TOPIC  # the subscription's topic, for the reader


# -- more ids than the database takes parameters ----------------------------------------------


def test_a_thread_question_over_seventy_thousand_articles_is_answered(
    running_app: RunningApp,
) -> None:
    app, fake = running_app, running_app.fake
    _brief(app, "river plan", "r3")
    [posted] = fake.wait_for("chat.postMessage", timeout=20)
    root_ts = posted.response["ts"]
    root = _thread_root(app, root_ts)  # recorded just after the post returns
    assert root is not None and root.brief_id is not None
    brief_id = root.brief_id
    with app.core.factory() as session:
        real = list(session.scalar(select(Brief.article_ids).where(Brief.id == brief_id)) or [])
    # The brief's article list as it would be after the topic gained 70,000 newer articles
    # (the thread searches the brief's articles plus the newer ones; only the count matters),
    # or more than this SQLite build's own limit on parameters.
    count = max(70_000, _parameter_limit(app) + 1_000)
    padded = real + list(range(10_000_000, 10_000_000 + count))
    with app.core.factory() as session, session.begin():
        session.execute(update(Brief).where(Brief.id == brief_id).values(article_ids=padded))

    answer = _ask_in_thread(app, root_ts, "When will construction begin?", 3)
    assert "September" in answer, "no answer: the id list broke the query"


def _parameter_limit(app: RunningApp) -> int:
    """Most bound parameters one statement may have: PostgreSQL's protocol allows 65,535;
    SQLite's is a build option (32,766 by default, 250,000 in Debian's build)."""
    if app.core.engine.dialect.name != "sqlite":
        return 65_535
    with app.core.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


@pytest.mark.slow
def test_search_and_lookups_take_id_lists_past_the_parameter_limit(
    running_app: RunningApp,
) -> None:
    """Every query that takes an id list (search within ids, rows by id, outlets, topic links)
    is given more ids than the database allows parameters, and still answers."""
    core = running_app.core
    with core.factory() as session:
        real = [a.id for a in article_store.for_topic(session, _topic_id(core, "river plan"))]
    assert real
    count = max(70_000, _parameter_limit(running_app) + 1_000)
    many = list(range(10_000_000, 10_000_000 + count)) + real
    with core.factory() as session:
        hits = search.search(session, ["river"], article_ids=many, limit=10)
        assert {h.article_id for h in hits} == set(real)
        assert [a.id for a in article_store.by_ids(session, many)] == real
        outlets = article_store.outlets_of(session, many)
        assert {i for i, found in outlets.items() if found} == set(real)
    with core.factory() as session, session.begin():
        # Linking only links what exists: the made-up ids are left out, not an error.
        assert article_store.link_topic(session, real, _topic_id(core, "river plan")) == 0


def _topic_id(core: Briefbot, name: str) -> int:
    with core.factory() as session:
        row = topic_store.get(session, name)
        assert row is not None
        return row.id
