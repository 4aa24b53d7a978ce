"""Topics that don't pile up (issue 16 item 4), end to end: signed /brief requests over HTTP to
the app, the fake Slack, a real feed server on 127.0.0.1 and a real database (SQLite and
PostgreSQL). A topic nobody subscribes to stops being polled after TOPIC_IDLE_DAYS (its feed
server sees no request), old articles are pruned with what points at them, and a workspace at
MAX_TOPICS_PER_WORKSPACE is told so."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import func, select

from bot.core import Briefbot
from bot.ingest.report import search_source_url
from bot.jobs.scheduler import ingest_round, prune_articles
from storage.models import Article, ArticleSentence, ArticleTopic, ArticleUrl, Brief, Delivery
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body
from tests.conftest import Database
from tests.ingest.conftest import LocalServer, article_text, rss_feed
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, OTHER_TEAM, CHANNEL, USER = "T0001", "T0002", "C0001", "U0001"
SEARCH = "/search?q={query}"


@pytest.fixture
def feeds() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


def _search_path(topic: str) -> str:
    """The news search's path and query, as the feed server records a request for it."""
    return search_source_url(SEARCH, topic)


def _serve_news(feeds: LocalServer, topic: str, published: datetime) -> str:
    """The news search for `topic` answers with two full articles published then."""
    items = [
        {
            "title": f"{topic.title()} report {i}",
            "link": feeds.url(f"/{topic.replace(' ', '-')}/{i}"),
            "pubDate": format_datetime(published - timedelta(hours=i)),
            "content": article_text(f"{topic} {i}", n=12).replace("\n\n", "<br/><br/>"),
        }
        for i in (1, 2)
    ]
    path = _search_path(topic)
    feeds.add(path, rss_feed(topic, items), content_type="application/rss+xml")
    return path


def _command(app: RunningApp, text: str, response: str, team: str = TEAM) -> str:
    """/brief `text`, signed, over HTTP; the replies posted to its response_url, as text."""
    body = slash_command_body(
        text=text,
        team_id=team,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url(response),
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
    deadline = time.monotonic() + 30
    while not app.fake.response_posts(response) and time.monotonic() < deadline:
        time.sleep(0.05)
    app.settle()  # a second reply (after "searching…") lands too
    return json.dumps(app.fake.response_posts(response))


def _count(core: Briefbot, model: type, *where: object) -> int:
    with core.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_idle_topic_stops_being_polled_and_old_articles_are_pruned(
    db: Database, fake_slack: FakeSlack, feeds: LocalServer
) -> None:
    now = datetime.now(UTC)
    settings = settings_for(
        db.url,
        fake_slack,
        NEWS_SEARCH_FEED_URL=feeds.url(SEARCH),
        TOPIC_IDLE_DAYS="7",
        ARTICLE_RETENTION_DAYS="30",
        INGEST_PROCESSES="0",  # no worker processes to start on a busy test machine
    )
    core = Briefbot(settings, engine=db.engine)
    clock = [now]
    core.clock = lambda: clock[0]
    quiet = _serve_news(feeds, "quiet topic", now)
    busy = _serve_news(feeds, "busy topic", now)

    with serve_app(settings, core, fake_slack) as app:
        # A /brief of a topic briefbot does not know: it says it is searching, then briefs.
        replies = _command(app, "quiet topic", "q1")
        assert "new topic" in replies and "searching" in replies
        assert "/brief subscribe quiet topic" in replies
        fake_slack.wait_for("chat.postMessage", timeout=60)
        assert "Quiet Topic report" in json.dumps(fake_slack.posted_messages(CHANNEL))
        assert "Subscribed" in _command(app, "subscribe busy topic at 08:00", "b1")

        ingest_round(core)  # both wanted: both polled
        assert feeds.hits(quiet) >= 2  # the /brief's own fetch, then the round
        assert feeds.hits(busy) >= 1
        polled_quiet, polled_busy = feeds.hits(quiet), feeds.hits(busy)

        # Eight days on, nobody asked for the quiet topic again; the busy one has a digest.
        clock[0] = now + timedelta(days=8)
        ingest_round(core)
        assert feeds.hits(quiet) == polled_quiet  # no longer polled
        assert feeds.hits(busy) > polled_busy

        # Thirty-one days on, the hourly prune removes every article (and the brief made of
        # them); the delivery of that brief keeps its thread, without the brief.
        assert _count(core, Article) == 4
        assert _count(core, Brief) >= 1
        clock[0] = now + timedelta(days=31)
        prune_articles(core)
        assert _count(core, Article) == 0
        for model in (ArticleSentence, ArticleTopic, ArticleUrl, Brief):
            assert _count(core, model) == 0, model
        assert _count(core, Delivery) == 1
        assert _count(core, Delivery, Delivery.brief_id.is_(None)) == 1

        # Asked for again: polled again from the next round.
        clock[0] = now + timedelta(days=32)
        assert "new topic" not in _command(app, "quiet topic", "q2")
        polled_quiet = feeds.hits(quiet)
        ingest_round(core)
        assert feeds.hits(quiet) > polled_quiet
    fake_slack.assert_clean()


def test_a_workspace_at_its_topic_cap_is_told_so(
    db: Database, fake_slack: FakeSlack, feeds: LocalServer
) -> None:
    settings = settings_for(
        db.url, fake_slack, NEWS_SEARCH_FEED_URL=feeds.url(SEARCH), MAX_TOPICS_PER_WORKSPACE="2"
    )
    core = Briefbot(settings, engine=db.engine)
    with serve_app(settings, core, fake_slack) as app:
        _command(app, "alpha", "a")
        _command(app, "subscribe beta at 09:00", "b")
        for text, response in (("gamma", "g"), ("subscribe delta at 09:00", "d")):
            reply = _command(app, text, response)
            assert "already follows 2 topics" in reply, reply
            assert "/brief unsubscribe" in reply
        assert core.topics.topic_id("gamma") is None
        assert core.topics.topic_id("delta") is None
        assert core.subscriptions.for_team(TEAM) and len(core.subscriptions.for_team(TEAM)) == 1
        # Topics already known cost nothing more; another workspace has its own cap.
        assert "already follows" not in _command(app, "alpha", "a2")
        assert "new topic" in _command(app, "gamma", "g2", team=OTHER_TEAM)
        # Its brief ("nothing found": the search feed has nothing) before the app stops.
        deadline = time.monotonic() + 30
        while len(fake_slack.response_posts("g2")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    fake_slack.assert_clean()
