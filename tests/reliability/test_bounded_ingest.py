"""Issue 11, high 1 and medium 6: an ingest round is bounded, whatever its sources do.

One slow host holds at most FETCH_PER_HOST workers; a round stops waiting when it is told to
(shutdown) or runs out of time; a feed is read FEED_MAX_ITEMS entries deep, newest first, with
at most FEED_MAX_PAGE_FETCHES page fetches; a bare title is not stored as an article.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.core import Briefbot
from bot.ingest.fetch import Fetcher
from bot.ingest.pipeline import IngestLimits, SourceSpec, ingest
from bot.settings import Settings
from storage.models import Article
from testkit.hostile_http import HostileServer, endless_headers
from tests.conftest import Database
from tests.ingest.conftest import (
    LocalServer,
    LoopbackOnlyTransport,
    article_html,
    article_text,
    rss_feed,
)


@pytest.fixture
def transport() -> Iterator[LoopbackOnlyTransport]:
    t = LoopbackOnlyTransport()
    yield t
    t.close()


@pytest.fixture
def fetcher(transport: LoopbackOnlyTransport) -> Iterator[Fetcher]:
    with Fetcher(transport=transport, allow_private=True, timeout=2.0) as f:
        yield f


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    h = HostileServer(endless_headers(interval=0.05))
    yield h
    h.close()


def _titles(db: Database) -> list[str]:
    with db.factory() as session:
        return sorted(session.scalars(select(Article.title)))


def _article_count(db: Database) -> int:
    with db.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Article)) or 0)


def _item(n: int, **extra: str) -> dict[str, str]:
    item = {
        "title": f"Harbour story {n:02d}",
        "link": f"http://127.0.0.1/harbour/{n}",
        "pubDate": f"Fri, {n + 1:02d} Mar 2025 09:00:00 +0000",
    }
    item.update(extra)
    return item


def test_a_slow_host_cannot_take_every_worker(
    db: Database, server: LocalServer, hostile: HostileServer, transport: LoopbackOnlyTransport
) -> None:
    item = {**_item(1), "content": article_text("Harbour")}
    good = server.add(
        "/good.xml", rss_feed("Port news", [item]), content_type="application/rss+xml"
    )
    # Another host name for the healthy server (both listen on loopback).
    good = good.replace("127.0.0.1", "localhost")
    slow = [hostile.url(f"/feed{i}.xml") for i in range(4)]
    lines: list[str] = []
    slow_requests_when_good_was_in: list[int] = []

    def progress(line: str) -> None:
        lines.append(line)
        if line.startswith(f"ok {good}"):
            slow_requests_when_good_was_in.append(len(hostile.requests))
            hostile.close()  # the slow sources may fail now (at once): the healthy one is in

    # The slow sources hang until the healthy one is stored, or for their whole deadline (6 s)
    # if it queued behind them: the order does not depend on how loaded the machine is.
    with Fetcher(transport=transport, allow_private=True, timeout=2.0) as fetcher:
        report = ingest(
            db.factory,
            fetcher,
            [SourceSpec("feed", url) for url in [*slow, good]],
            topic="harbour",
            progress=progress,
            max_workers=4,
            limits=IngestLimits(per_host=2),
        )
    # The healthy source did not queue behind four slow ones on the four workers: at most
    # two of them (the per-host limit) had been asked for when it was in.
    assert lines[0].startswith(f"ok {good}"), lines
    assert slow_requests_when_good_was_in[0] <= 2
    assert len(report.failures()) == 4


def test_feed_read_newest_first_up_to_the_item_cap(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    items = [_item(n, content=article_text(f"Harbour {n}")) for n in range(25)]
    url = server.add("/big.xml", rss_feed("Port news", items), content_type="application/rss+xml")
    report = ingest(
        db.factory, fetcher, [SourceSpec("feed", url)], limits=IngestLimits(feed_max_items=5)
    )
    assert report.new_articles == 5
    assert _titles(db) == [f"Harbour story {n:02d}" for n in range(20, 25)]


def test_bare_titles_are_not_articles(db: Database, server: LocalServer, fetcher: Fetcher) -> None:
    bare = [{"title": f"Headline {n}", "guid": f"urn:h:{n}"} for n in range(40)]
    real = {**_item(1), "content": article_text("Harbour")}
    url = server.add(
        "/titles.xml", rss_feed("Titles", [*bare, real]), content_type="application/rss+xml"
    )
    report = ingest(db.factory, fetcher, [SourceSpec("feed", url)])
    (result,) = report.sources
    assert result.ok and result.new_articles == 1 and result.too_short == 40
    assert _titles(db) == ["Harbour story 01"]


def test_page_fetches_per_feed_are_capped(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    items = []
    for n in range(12):
        page = server.add(f"/story/{n}", article_html(f"Story {n}", article_text(f"Harbour {n}")))
        teaser = f"Teaser {n}: the harbour cranes were restarted this week, officials said."
        items.append({**_item(n, link=page), "description": teaser})
    url = server.add("/teasers.xml", rss_feed("Teasers", items), content_type="application/rss+xml")
    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("feed", url)],
        limits=IngestLimits(feed_max_page_fetches=3),
    )
    assert sum(server.hits(f"/story/{n}") for n in range(12)) == 3
    # the newest three were fetched in full; the other nine are stored as their teasers
    assert [server.hits(f"/story/{n}") for n in (11, 10, 9)] == [1, 1, 1]
    (result,) = report.sources
    assert result.new_articles == 12 and result.teasers_kept == 9


def test_a_stop_ends_the_round_and_its_fetches(
    db: Database, hostile: HostileServer, transport: LoopbackOnlyTransport
) -> None:
    stop = threading.Event()
    url = hostile.url("/feed.xml")
    done: list[object] = []
    # FETCH_TIMEOUT of 30 s: only the stop can end this fetch quickly.
    with Fetcher(transport=transport, allow_private=True, timeout=30, stop=stop) as fetcher:
        worker = threading.Thread(
            target=lambda: done.append(
                ingest(db.factory, fetcher, [SourceSpec("feed", url)], stop=stop)
            )
        )
        worker.start()
        assert _wait_for(lambda: len(hostile.requests) == 1)
        stop.set()
        worker.join(timeout=15)  # far less than the 30 s fetch; slack for a loaded machine
        assert not worker.is_alive()
        (report,) = done
        assert report.failures() == [f"{url}: not finished: ingestion was stopped (shutting down)"]  # type: ignore[attr-defined]
        # the fetch thread itself let go of the connection too
        assert _wait_for(lambda: not _ingest_threads_alive())


def test_a_round_ends_by_its_deadline(
    db: Database, hostile: HostileServer, transport: LoopbackOnlyTransport
) -> None:
    url = hostile.url("/feed.xml")
    with Fetcher(transport=transport, allow_private=True, timeout=30) as fetcher:
        report = ingest(
            db.factory, fetcher, [SourceSpec("feed", url)], until=time.monotonic() + 0.5
        )
    assert report.failures() == [f"{url}: not finished: the ingest round ran out of time"]


def test_shutdown_stops_an_ingest_in_progress(
    db: Database, hostile: HostileServer, server: LocalServer
) -> None:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "FETCH_TIMEOUT": "30", "FETCH_ALLOW_PRIVATE": "true"},
        dotenv_path=None,
    )
    core = Briefbot(settings, engine=db.engine, http_transport=LoopbackOnlyTransport())
    url = hostile.url("/feed.xml")
    worker = threading.Thread(target=lambda: core.ingest([url], topic="harbour"))
    worker.start()
    assert _wait_for(lambda: len(hostile.requests) == 1)
    core.stop_ingesting()
    worker.join(timeout=15)  # far less than the 30 s fetch; slack for a loaded machine
    assert not worker.is_alive()
    assert _wait_for(lambda: not _ingest_threads_alive())


def _ingest_threads_alive() -> bool:
    return any(t.name.startswith("ingest") and t.is_alive() for t in threading.enumerate())


def _wait_for(predicate: object, timeout: float = 30.0) -> bool:
    # Returns as soon as it holds: the deadline only bounds a failure (a loaded machine may
    # take seconds to start the extraction workers that store the article).
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return bool(predicate())  # type: ignore[operator]


def test_slow_topics_cannot_starve_a_healthy_topics_fresh_ingest(
    db: Database,
    server: LocalServer,
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.slack import brief_command
    from bot.slack.posting import SlackPoster

    monkeypatch.setattr(brief_command, "FRESH_INGEST_SECONDS", 0.2)
    settings = Settings.from_env(
        environ={
            "DATABASE_URL": db.url,
            "FETCH_TIMEOUT": "5",
            "FETCH_ALLOW_PRIVATE": "true",
            # the feed's entries are dated March 2025: older than the default retention, which
            # ingest now skips
            "ARTICLE_RETENTION_DAYS": "0",
        },
        dotenv_path=None,
    )
    core = Briefbot(settings, engine=db.engine, http_transport=LoopbackOnlyTransport())
    item = {**_item(1), "content": article_text("Harbour")}
    good = server.add(
        "/good.xml", rss_feed("Port news", [item]), content_type="application/rss+xml"
    )
    core.add_source("harbour", good)
    for name in ("slow a", "slow b"):
        core.add_source(name, hostile.url(f"/{name.replace(' ', '-')}.xml"))
    actions = brief_command.BriefCommand(core, SlackPoster(lambda team: None))  # type: ignore[arg-type,return-value]
    try:
        # /brief for each slow topic, twice (as a user retrying would): each waits 0.2 s.
        for name in ("slow a", "slow a", "slow b", "slow b"):
            actions._ensure_fresh(name)
        actions._ensure_fresh("harbour")
        # Started at once, on a free worker: its fetch arrives well before the slow fetches'
        # 5 s deadline would free one (the 0.2 s wait above can end first on a loaded
        # machine; a starved refresh could not arrive within 3 s).
        assert _wait_for(lambda: server.hits("/good.xml") == 1, timeout=3.0)
        assert _wait_for(lambda: _article_count(db) == 1)
        assert len(hostile.requests) == 2  # one refresh per slow topic, not one per /brief
    finally:
        core.stop_ingesting()
        assert _wait_for(lambda: not actions._fresh)  # every refresh returned
        actions._pool.shutdown(wait=False)
