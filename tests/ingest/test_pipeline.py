"""The ingest pipeline end to end: a real local HTTP server, a real database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set), nothing mocked in between."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.errors import FetchError
from bot.ingest import (
    Fetcher,
    FetchResult,
    SourceSpec,
    canonical_url,
    ingest,
    search_source_url,
)
from bot.ingest.article_text import content_hash, word_count
from bot.ingest.decide import Candidate, plan_candidates
from storage import articles, sources, topics
from storage.db import transaction
from storage.models import Article, ArticleTopic, ArticleUrl
from tests.conftest import Database
from tests.ingest.conftest import (
    LocalServer,
    LoopbackOnlyTransport,
    article_html,
    article_text,
    atom_feed,
    rss_feed,
)

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def _count(db: Database, model: type) -> int:
    with db.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _article_by_url(db: Database, url: str) -> Article | None:
    with db.factory() as session:
        return articles.known_url(session, url)


def _serve_news(server: LocalServer) -> dict[str, str]:
    """An RSS feed of teasers (pages on the server, one on a real site), and an Atom feed."""
    for n, topic in ((1, "Ceasefire"), (2, "Budget")):
        server.add(f"/news/{n}", article_html(f"Story {n}", article_text(topic)))
    rss = server.add(
        "/rss.xml",
        rss_feed(
            "Local Gazette",
            [
                {
                    "title": "Story 1",
                    "link": server.url("/news/1?utm_source=rss&utm_medium=feed"),
                    "description": "Ceasefire talks: a short teaser.",
                    "pubDate": "Fri, 14 Mar 2025 08:00:00 GMT",
                },
                {
                    "title": "Story 2",
                    "link": server.url("/news/2"),
                    "description": "Budget teaser.",
                },
                {
                    "title": "Elsewhere",
                    "link": "https://www.reuters.com/world/some-story/",
                    "description": "A teaser whose page is on a real site, never reached.",
                },
            ],
        ),
        content_type="application/rss+xml",
        etag='"rss-v1"',
    )
    atom = server.add(
        "/atom",
        atom_feed(
            "Atom Wire",
            [
                {
                    "title": "Full text entry",
                    "id": "urn:wire:1",
                    "link": server.url("/wire/1"),
                    "content": "<p>" + article_text("Wire exclusive") + "</p>",
                }
            ],
        ),
        content_type="text/xml",  # a generic type: the body says it is a feed
    )
    return {"rss": rss, "atom": atom}


def test_rss_and_atom_with_full_text_for_teasers(
    db: Database, server: LocalServer, fetcher: Fetcher, transport: LoopbackOnlyTransport
) -> None:
    urls = _serve_news(server)
    seen: list[str] = []
    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("feed", urls["rss"]), SourceSpec("url", urls["atom"])],
        topic="World News",
        progress=seen.append,
        now=NOW,
    )
    assert report.summary_line() == "2 sources: 2 ok, 0 failed; 4 new articles, 0 duplicates"
    assert len(seen) == 2 and all(line.startswith("ok ") for line in seen)
    rss_result = next(r for r in report.sources if r.url == urls["rss"])
    assert rss_result.teasers_kept == 1  # the reuters.com page was refused, teaser kept
    assert transport.refused == ["https://www.reuters.com/world/some-story/"]

    story1 = _article_by_url(db, server.url("/news/1"))  # stored under the canonical URL
    assert story1 is not None
    assert "Ceasefire update 5" in story1.text  # full text from the page, not the teaser
    assert "SHOULD NOT APPEAR" not in story1.text
    assert story1.title == "Story 1" and story1.outlet == "Local Gazette"
    assert story1.published_at == datetime(2025, 3, 14, 8, 0, tzinfo=UTC)  # the feed's date
    story2 = _article_by_url(db, server.url("/news/2"))
    assert story2 is not None and story2.published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    elsewhere = _article_by_url(db, "https://www.reuters.com/world/some-story/")
    assert elsewhere is not None and elsewhere.text.startswith("A teaser whose page")
    wire = _article_by_url(db, server.url("/wire/1"))
    assert wire is not None and wire.outlet == "Atom Wire"
    assert server.hits("/wire/1") == 0  # full content in the feed: its page is not fetched

    with db.factory() as session:
        topic = topics.get(session, "world news")
        assert topic is not None
        rss_row = sources.get_by_url(session, urls["rss"])
        atom_row = sources.get_by_url(session, urls["atom"])
        assert rss_row is not None and atom_row is not None
        assert rss_row.kind == "feed" and atom_row.kind == "feed"  # "url" decided by content
        assert rss_row.etag == '"rss-v1"' and rss_row.last_ok_at == NOW
        assert rss_row.title == "Local Gazette" and rss_row.last_error is None
        assert {s.url for s in topic.sources} == {urls["rss"], urls["atom"]}
        linked = articles.for_topic(session, topic.id)
        assert len(linked) == 4


def test_second_run_uses_conditional_get_and_refetches_nothing(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    urls = _serve_news(server)
    specs = [SourceSpec("feed", urls["rss"]), SourceSpec("feed", urls["atom"])]
    first = ingest(db.factory, fetcher, specs, topic="news")
    assert first.new_articles == 4
    pages_before = server.hits("/news/1") + server.hits("/news/1?utm_source=rss&utm_medium=feed")

    second = ingest(db.factory, fetcher, None)  # refresh every source attached to a topic
    assert second.summary_line() == "2 sources: 2 ok, 0 failed; 0 new articles, 1 duplicate"
    rss_result = next(r for r in second.sources if r.url == urls["rss"])
    assert rss_result.not_modified  # ETag matched: 304, nothing parsed
    atom_result = next(r for r in second.sources if r.url == urls["atom"])
    assert not atom_result.not_modified and atom_result.duplicates == 1  # no ETag: known entry
    assert server.hits("/rss.xml") == 2
    after = server.hits("/news/1") + server.hits("/news/1?utm_source=rss&utm_medium=feed")
    assert after == pages_before  # known entries are never fetched again
    assert _count(db, Article) == 4


def test_dedup_by_canonical_url_and_by_content(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    text = article_text("Syndicated")
    server.add("/original", article_html("Original", text))
    # The same story on another site, with different markup, quotes and spacing.
    server.add("/copy", article_html("Copy", text.replace("  ", " ").replace("'", "\u2019")))
    feed_a = server.add(
        "/a.xml",
        rss_feed("Outlet A", [{"title": "S", "link": server.url("/original?utm_source=a")}]),
        content_type="application/rss+xml",
    )
    feed_b = server.add(
        "/b.xml",
        rss_feed(
            "Outlet B",
            [
                {"title": "S", "link": server.url("/original?fbclid=zzz&utm_campaign=b")},
                {"title": "S copy", "link": server.url("/copy")},
            ],
        ),
        content_type="application/rss+xml",
    )
    report = ingest(
        db.factory, fetcher, [SourceSpec("feed", feed_a), SourceSpec("feed", feed_b)], max_workers=1
    )
    assert report.new_articles == 1 and report.duplicates == 2
    assert _count(db, Article) == 1
    assert server.hits("/original?fbclid=zzz&utm_campaign=b") == 0  # known by canonical URL
    with db.factory() as session:
        copy = articles.known_url(session, server.url("/copy"))
        original = articles.known_url(session, server.url("/original"))
        assert copy is not None and original is not None and copy.id == original.id
        assert articles.outlets_of(session, [original.id])[original.id] == ["Outlet A", "Outlet B"]
    assert _count(db, ArticleUrl) == 2


class _ExplodingFetcher(Fetcher):
    """A fetcher with a bug for one URL: an unexpected exception must not stop the batch."""

    def fetch(self, url: str, **kwargs: object) -> FetchResult:  # type: ignore[override]
        if url.endswith("/explode"):
            raise RuntimeError("boom")
        return super().fetch(url, **kwargs)  # type: ignore[arg-type]


def test_failing_sources_do_not_stop_the_batch(
    db: Database, server: LocalServer, transport: LoopbackOnlyTransport
) -> None:
    urls = _serve_news(server)
    missing = server.url("/missing.xml")
    garbage = server.add("/garbage", b"\x00\x01\x02 not html, not a feed", content_type="text/html")
    broken_feed = server.add("/broken.xml", "<rss><channel><title>cut off", content_type="text/xml")
    explode = server.add("/explode", "never served")
    fetcher = _ExplodingFetcher(transport=transport, allow_private=True, timeout=2)
    specs = [
        SourceSpec("feed", urls["rss"]),
        SourceSpec("feed", missing),
        SourceSpec("url", garbage),
        SourceSpec("feed", broken_feed),
        SourceSpec("page", explode),
        SourceSpec("feed", "not a url"),
    ]
    progress: list[str] = []
    report = ingest(db.factory, fetcher, specs, topic="mixed", progress=progress.append, now=NOW)
    assert report.summary_line() == "6 sources: 1 ok, 5 failed; 3 new articles, 0 duplicates"
    assert len(progress) == 6
    errors = dict(line.split(": ", 1) for line in report.failures())
    assert errors[missing] == "HTTP 404 Not Found"
    assert errors[garbage] == "not a feed or article page: no article text found"
    assert errors[broken_feed].startswith("not a valid feed:")
    assert errors[explode] == "internal error: RuntimeError: boom"
    assert "not an http:// or https:// URL" in errors["not a url"]
    with db.factory() as session:
        for url in (missing, garbage, broken_feed, explode):
            row = sources.get_by_url(session, url)
            assert row is not None, url
            assert row.last_error == errors[url] and row.error_count == 1
            assert row.last_error_at == NOW and row.last_ok_at is None
        assert sources.get_by_url(session, garbage).kind == "page"  # type: ignore[union-attr]
        topic = topics.get(session, "mixed")
        assert topic is not None and len(topic.sources) == 5  # the failed ones are attached too
    fetcher.close()


def test_blocked_address_recorded_without_request(db: Database) -> None:
    requests: list[httpx.Request] = []
    fetcher = Fetcher(
        transport=httpx.MockTransport(lambda r: requests.append(r) or httpx.Response(200)),
        resolver=lambda host, port: {"intranet.example": ["10.0.0.5"]}[host],
    )
    report = ingest(
        db.factory,
        fetcher,
        [
            SourceSpec("feed", "http://intranet.example/feed"),
            SourceSpec("url", "http://[::ffff:127.0.0.1]/"),
        ],
    )
    assert report.failures() == [
        "http://intranet.example/feed: blocked address 10.0.0.5 (private)",
        "http://[::ffff:127.0.0.1]/: blocked address ::ffff:127.0.0.1 (loopback)",
    ]
    assert requests == []
    with db.factory() as session:
        row = sources.get_by_url(session, "http://intranet.example/feed")
        assert row is not None and row.last_error == "blocked address 10.0.0.5 (private)"


def test_page_source_and_local_files(
    db: Database, server: LocalServer, fetcher: Fetcher, tmp_path: Path
) -> None:
    server.add("/story.html", article_html("A page", article_text("Summit")))
    page = server.url("/story.html?utm_source=x")  # fetched as its canonical URL
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\ntitle: Saved story\noutlet: The Wire\npublished: 2025-03-10\n"
        f"url: {server.url('/story.html')}\n---\nThis copy dedups against the page by URL.\n"
    )
    (folder / "b.txt").write_bytes(
        ("Caf\u00e9 summit \u2013 notes\n" + article_text("Café")).encode("cp1252")
    )
    (folder / "c.htm").write_text(article_html("Local HTML", article_text("Harbour")))
    (folder / "ignored.docx").write_bytes(b"PK")
    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("url", page), SourceSpec("file", str(folder))],
        topic="summit",
        max_workers=1,
    )
    assert report.summary_line() == "2 sources: 2 ok, 0 failed; 3 new articles, 1 duplicate"
    with db.factory() as session:
        page_row = sources.get_by_url(session, server.url("/story.html"))
        assert page_row is not None and page_row.kind == "page"
        file_row = sources.get_by_url(session, folder.resolve().as_uri())
        assert file_row is not None and file_row.kind == "file"
        stored = articles.known_url(session, server.url("/story.html"))
        assert stored is not None and stored.title == "A page" and "Summit update 2" in stored.text
        txt = articles.known_url(session, (folder / "b.txt").resolve().as_uri())
        assert txt is not None and txt.title == "Café summit – notes" and "Café update" in txt.text
        html = articles.known_url(session, (folder / "c.htm").resolve().as_uri())
        assert html is not None and html.title == "Local HTML"
        topic = topics.get(session, "summit")
        assert topic is not None and len(articles.for_topic(session, topic.id)) == 3

    again = ingest(db.factory, fetcher, None, topic="summit")  # refresh that topic's sources
    assert again.summary_line() == "2 sources: 2 ok, 0 failed; 0 new articles, 4 duplicates"


class _TopicRemovingFetcher(Fetcher):
    """Fetches as usual; the first page it fetches, it removes a topic first (someone runs
    `/brief remove` while the round is reading that topic's new source)."""

    def __init__(self, db: Database, topic: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.db, self.topic = db, topic

    def fetch(self, url: str, **kwargs: object) -> FetchResult:  # type: ignore[override]
        if self.topic:
            with transaction(self.db.factory) as session:
                row = topics.get(session, self.topic)
                assert row is not None
                session.delete(row)
            self.topic = ""
        return super().fetch(url, **kwargs)  # type: ignore[arg-type]


def test_a_new_source_is_stored_with_its_topics_without_reading_links_it_cannot_have(
    db: Database, server: LocalServer, transport: LoopbackOnlyTransport
) -> None:
    """A source seen for the first time is stored, attached to its topics and its articles
    linked to them, without looking for topic or article links: the transaction that creates
    the source and its articles is the only one that can have made any. A topic removed while
    its new source was being read is left out, and the source's article is stored all the
    same (it was linked to the removed topic, which failed the store on the foreign key)."""
    from sqlalchemy import event

    first = server.add("/first.html", article_html("First page", article_text("Summit")))
    second = server.add("/second.html", article_html("Second page", article_text("Harbour")))
    with transaction(db.factory) as session:
        topics.get_or_create(session, "ports")
    reads: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            reads.extend(t for t in ("topic_sources", "article_topics") if t in statement)

    fetcher = Fetcher(transport=transport, allow_private=True, timeout=5)
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        report = ingest(db.factory, fetcher, [SourceSpec("url", first)], topic="ports")
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert report.summary_line() == "1 source: 1 ok, 0 failed; 1 new article, 0 duplicates"
    assert reads == []
    with db.factory() as session:
        ports = topics.get(session, "ports")
        assert ports is not None and [s.url for s in ports.sources] == [first]
        assert [a.title for a in articles.for_topic(session, ports.id)] == ["First page"]

    removing = _TopicRemovingFetcher(db, "ports", transport=transport, allow_private=True)
    report = ingest(db.factory, removing, [SourceSpec("url", second)], topic="ports")
    assert report.summary_line() == "1 source: 1 ok, 0 failed; 1 new article, 0 duplicates"
    with db.factory() as session:
        assert topics.get(session, "ports") is None
        stored = articles.known_url(session, second)
        assert stored is not None and stored.title == "Second page"
    fetcher.close()
    removing.close()


def test_topics_linked_by_keyword(db: Database, server: LocalServer, fetcher: Fetcher) -> None:
    with transaction(db.factory) as session:
        topics.get_or_create(session, "ukraine", ["ceasefire", "prisoner exchange"])
        topics.get_or_create(session, "fiscal", ["budget"])
        topics.get_or_create(session, "sports", ["football"])
    urls = _serve_news(server)
    report = ingest(db.factory, fetcher, [SourceSpec("feed", urls["rss"])])  # no topic given
    assert report.new_articles == 3
    with db.factory() as session:
        by_name = {t.name: t for t in topics.list_all(session)}
        ukraine = [a.url for a in articles.for_topic(session, by_name["ukraine"].id)]
        fiscal = [a.url for a in articles.for_topic(session, by_name["fiscal"].id)]
        assert ukraine == [server.url("/news/1")]
        assert server.url("/news/2") in fiscal
        assert articles.for_topic(session, by_name["sports"].id) == []
    assert report.topic_links == _count(db, ArticleTopic)
    # Not attached to any topic: a refresh leaves it alone.
    assert ingest(db.factory, fetcher, None).sources == []


def test_search_source_url_and_search_kind(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    template = server.url("/search?q={query}&hl=en")
    url = search_source_url(template, "  ukraine  ceasefire & talks ")
    assert url == server.url("/search?q=ukraine%20ceasefire%20%26%20talks&hl=en")
    server.add(
        "/search",  # the server ignores the query string
        rss_feed(
            '"ukraine" - News search',
            [
                {
                    "title": "Hit",
                    "link": "https://apnews.com/article/x",
                    "description": "Ceasefire teaser",
                    "source": "AP News",
                }
            ],
        ),
        content_type="application/rss+xml",
    )
    report = ingest(db.factory, fetcher, [SourceSpec("search", url)], topic="ukraine")
    assert report.new_articles == 1
    stored = _article_by_url(db, "https://apnews.com/article/x")
    assert stored is not None and stored.outlet == "AP News"  # the entry's outlet, not the query
    with db.factory() as session:
        row = sources.get_by_url(session, canonical_url(url))  # parameters sorted
        assert row is not None and row.kind == "search"


def test_plan_candidates_is_pure() -> None:
    a = Candidate("https://x/1", "A", "t", None, None)
    b = Candidate("https://x/2", "B", "t", None, None, wants_full_text=True)
    plan = plan_candidates([a, b, a], {"https://x/1": 7})
    assert plan.new == [b] and plan.known_ids == [7] and plan.duplicates == 2


def test_fetch_error_text_never_contains_secrets(db: Database, server: LocalServer) -> None:
    url = server.url("/feed?key=xoxb-secret-token-123")
    with Fetcher(transport=LoopbackOnlyTransport(), allow_private=True, timeout=1) as fetcher:
        report = ingest(db.factory, fetcher, [SourceSpec("feed", url)])
    assert "xoxb-secret" not in report.failures()[0]
    with pytest.raises(FetchError):
        raise FetchError(url, "x")


def test_a_long_feed_is_stored_in_bounded_batches(
    db: Database, server: LocalServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed with many new entries is stored in several short transactions: every article is
    stored once and linked to the topic, a teaser's page is extracted in worker processes, and a
    second run finds every entry known."""
    from bot.ingest import pipeline
    from bot.ingest.extract_pool import ExtractionPool

    monkeypatch.setattr(pipeline, "STORE_BATCH", 4)
    server.add("/page/teased", article_html("Teased story", article_text("Harbour")))
    items = [
        {
            "title": f"Entry {n}",
            "link": server.url(f"/entry/{n}"),
            "content": "<p>" + article_text(f"Entry{n}topic", 4) + "</p>",
        }
        for n in range(10)
    ]
    items.append(
        {"title": "Teased", "link": server.url("/page/teased"), "description": "Short teaser."}
    )
    feed = server.add("/long.xml", rss_feed("Long Feed", items), content_type="application/rss+xml")
    work = ExtractionPool(2)
    try:
        # Workers started first, as `serve` warms them: on a loaded machine their start (a
        # fork server importing trafilatura) could outlast this feed's 5 s source deadline,
        # and the teaser would be kept (and dropped as too short) rather than extracted.
        work.extract(article_html("Warm-up", article_text("Warm")), "https://warm.example/")
        report = ingest(
            db.factory,
            fetcher,
            [SourceSpec("feed", feed)],
            topic="harbour",
            now=NOW,
            page_work=work,
        )
    finally:
        work.close()
    assert report.new_articles == 11 and report.ok_count == 1
    assert _count(db, Article) == 11
    with db.factory() as session:
        topic = topics.get(session, "harbour")
        assert topic is not None
        assert articles.count(session, topic.id) == 11
        teased = articles.known_url(session, canonical_url(server.url("/page/teased")))
        assert teased is not None and "Harbour" in teased.text  # the page's full text
    again = ingest(db.factory, fetcher, [SourceSpec("feed", feed)], topic="harbour", now=NOW)
    assert again.new_articles == 0 and _count(db, Article) == 11


def test_the_store_step_reads_a_page_s_word_count_from_its_worker(
    db: Database, server: LocalServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words of an extracted page are counted by the worker that extracted it: the ingest
    thread (serial, holding the GIL) counted them three times a page (is it more than the
    teaser, is it an article, is it long enough to hash alone). Same article stored."""
    from bot.ingest import decide
    from bot.ingest.extract_pool import ExtractionPool

    server.add("/page/teased", article_html("Teased story", article_text("Harbour")))
    item = {"title": "Teased", "link": server.url("/page/teased"), "description": "A teaser."}
    feed = server.add("/one.xml", rss_feed("One", [item]), content_type="application/rss+xml")
    counted: list[str] = []

    def counting(text: str) -> int:
        counted.append(text)
        return word_count(text)

    monkeypatch.setattr(decide, "word_count", counting)
    work = ExtractionPool(1)
    try:
        report = ingest(db.factory, fetcher, [SourceSpec("feed", feed)], now=NOW, page_work=work)
    finally:
        work.close()
    assert report.new_articles == 1
    with db.factory() as session:
        stored = articles.known_url(session, canonical_url(server.url("/page/teased")))
        assert stored is not None and "Harbour" in stored.text
        assert stored.content_hash == content_hash(stored.text)
    assert counted == ["A teaser."]  # the teaser only, never the page's text


def test_a_page_listed_by_two_sources_in_one_run_is_fetched_once(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """Two feeds ingested together both tease the same story: its page is fetched and
    extracted once, both sources get its full text, and it is stored once."""
    server.add("/story", article_html("Shared story", article_text("Lighthouse")))
    feeds = [
        server.add(
            f"/feed{n}.xml",
            rss_feed(
                f"Feed {n}",
                [
                    {
                        "title": "Shared story",
                        "link": server.url("/story"),
                        "description": f"Teaser {n}.",
                    }
                ],
            ),
            content_type="application/rss+xml",
        )
        for n in (1, 2, 3)
    ]
    report = ingest(
        db.factory, fetcher, [SourceSpec("feed", f) for f in feeds], topic="coast", now=NOW
    )
    assert report.ok_count == 3
    assert [path for path, _ in server.requests].count("/story") == 1
    assert report.new_articles == 1 and _count(db, Article) == 1
    stored = _article_by_url(db, canonical_url(server.url("/story")))
    assert stored is not None and "Lighthouse" in stored.text
    assert sum(s.teasers_kept for s in report.sources) == 0


def test_a_page_given_as_a_source_and_teased_by_a_feed_is_fetched_once(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """A page given by its URL that a feed of the same run also teases: the feed's entry
    waits for the page source's page instead of fetching it again (the page answers slowly,
    so the feed is read and planned while the page is still on its way); stored once, under
    the page's own title, with its full text, and linked to the topic through both."""
    server.add("/story", article_html("Harbour story", article_text("Lighthouse")), delay=0.5)
    feed = server.add(
        "/feed.xml",
        rss_feed(
            "Coast feed",
            [{"title": "Feed headline", "link": server.url("/story"), "description": "Teaser."}],
        ),
        content_type="application/rss+xml",
    )
    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("feed", feed), SourceSpec("url", server.url("/story"))],
        topic="coast",
        now=NOW,
    )
    assert report.ok_count == 2
    assert server.hits("/story") == 1
    assert report.new_articles == 1 and _count(db, Article) == 1
    stored = _article_by_url(db, canonical_url(server.url("/story")))
    assert stored is not None and "Lighthouse" in stored.text
    assert stored.title == "Harbour story"
    assert sum(s.teasers_kept for s in report.sources) == 0
    assert all(len(s.article_ids) == 1 for s in report.sources)


def test_feed_entries_older_than_the_retention_are_not_stored(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """ARTICLE_RETENTION_DAYS (issue 16 item 4): an entry the prune job would delete at once
    is not stored; an undated entry is (it counts from when it is fetched)."""
    from bot.ingest.report import IngestLimits

    def entry(n: int, date: str | None) -> dict[str, str]:
        item = {
            "title": f"Entry {n}",
            "link": server.url(f"/entry/{n}"),
            "content": "<p>" + article_text(f"Entry{n}topic", 4) + "</p>",
        }
        if date:
            item["pubDate"] = date
        return item

    items = [
        entry(1, "Fri, 14 Mar 2025 08:00:00 GMT"),  # today
        entry(2, "Mon, 10 Feb 2025 08:00:00 GMT"),  # 32 days ago
        entry(3, "Sun, 01 Sep 2024 08:00:00 GMT"),  # 194 days ago
        entry(4, None),
    ]
    feed = server.add("/aged.xml", rss_feed("Aged", items), content_type="application/rss+xml")
    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("feed", feed)],
        topic="aged",
        now=NOW,
        limits=IngestLimits(max_age_days=30),
    )
    assert report.new_articles == 2
    with db.factory() as session:
        titles = set(session.scalars(select(Article.title)))
    assert titles == {"Entry 1", "Entry 4"}


def test_a_pages_extraction_does_not_hold_its_hosts_fetch_slot(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """With one fetch at a time per host, the next page of the host is fetched while the
    page before it is being extracted (extraction holds no connection), so the extraction
    processes are not left idle behind one host's fetches."""
    import time

    from bot.ingest.pipeline import InlinePageWork
    from bot.ingest.report import IngestLimits

    paths = [f"/story/{n}" for n in range(3)]
    for n, path in enumerate(paths):
        server.add(path, article_html(f"Story {n}", article_text(f"Topic{n}word")))
    feed = server.add(
        "/one-host.xml",
        rss_feed(
            "One Host",
            [{"title": f"Story {n}", "link": server.url(p)} for n, p in enumerate(paths)],
        ),
        content_type="application/rss+xml",
    )
    seen_during_extraction: list[bool] = []

    class WatchingWork(InlinePageWork):
        def extract(self, body, url, encoding=None, title=None, **options):  # type: ignore[no-untyped-def]
            if not seen_during_extraction:
                # The first page's extraction waits (at most 5 s) for another page's request.
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if sum(server.hits(p) for p in paths) > 1:
                        break
                    time.sleep(0.01)
                seen_during_extraction.append(sum(server.hits(p) for p in paths) > 1)
            return super().extract(body, url, encoding, title, **options)

    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("feed", feed)],
        topic="hosts",
        now=NOW,
        page_work=WatchingWork(),
        limits=IngestLimits(per_host=1, max_age_days=0),
    )
    assert seen_during_extraction == [True]
    assert report.new_articles == 3 and report.ok_count == 1
    assert all(server.hits(p) == 1 for p in paths)  # each page fetched once


def test_a_page_source_s_extraction_does_not_hold_its_hosts_fetch_slot(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """Pages given as sources, one fetch at a time per host: the second page is fetched
    while the first is being extracted, as a feed's teasers are (a site's pages and feeds
    are often one topic's sources; extracting in the fetch's slot kept the host waiting)."""
    import time

    from bot.ingest.pipeline import InlinePageWork
    from bot.ingest.report import IngestLimits

    paths = [f"/page/{n}" for n in range(2)]
    for n, path in enumerate(paths):
        server.add(path, article_html(f"Page {n}", article_text(f"Page{n}word")))
    seen_during_extraction: list[bool] = []

    class WatchingWork(InlinePageWork):
        def extract(self, body, url, encoding=None, title=None, **options):  # type: ignore[no-untyped-def]
            if not seen_during_extraction:
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and server.hits(paths[1]) == 0:
                    time.sleep(0.01)
                seen_during_extraction.append(server.hits(paths[1]) == 1)
            return super().extract(body, url, encoding, title, **options)

    report = ingest(
        db.factory,
        fetcher,
        [SourceSpec("page", server.url(p)) for p in paths],
        topic="pages",
        now=NOW,
        page_work=WatchingWork(),
        limits=IngestLimits(per_host=1, max_age_days=0),
    )
    assert seen_during_extraction == [True]
    assert report.new_articles == 2 and report.ok_count == 2
    stored = {a.title for a in map(lambda p: _article_by_url(db, server.url(p)), paths) if a}
    assert stored == {"Page 0", "Page 1"}


def test_a_feed_s_pages_are_read_before_the_sources_after_it(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """One site, one fetch at a time: a feed's pages are fetched (and extracted) before the
    sources listed after it are read, so extraction starts with the first feed; a page
    source that the feed lists comes first of all, as the feed's entry waits for it. Before,
    every source was read first: no page was extracted until the last feed was in, and a
    feed listing a page source was stored only at the end of the round."""
    from bot.ingest.report import IngestLimits

    for path, topic in (("/a1", "Alpha"), ("/b1", "Bravo"), ("/p", "Papa")):
        server.add(path, article_html(f"Story {topic}", article_text(topic)))
    feed_a = server.add(
        "/a.xml",
        rss_feed(
            "A",
            [
                {"title": "Story Alpha", "link": server.url("/a1"), "description": "T."},
                {"title": "Story Papa", "link": server.url("/p"), "description": "T."},
            ],
        ),
        content_type="application/rss+xml",
    )
    feed_b = server.add(
        "/b.xml",
        rss_feed("B", [{"title": "Story Bravo", "link": server.url("/b1"), "description": "T."}]),
        content_type="application/rss+xml",
    )
    report = ingest(
        db.factory,
        fetcher,
        [
            SourceSpec("feed", feed_a),
            SourceSpec("feed", feed_b),
            SourceSpec("page", server.url("/p")),
        ],
        topic="order",
        now=NOW,
        limits=IngestLimits(per_host=1, max_age_days=0),
    )
    assert report.ok_count == 3 and report.new_articles == 3
    assert [path for path, _ in server.requests] == ["/a.xml", "/p", "/a1", "/b.xml", "/b1"]


class _CountingWork:
    """Inline page work that counts the languages it is asked to detect, by title."""

    def __init__(self) -> None:
        from bot.ingest.pipeline import InlinePageWork

        self.inner = InlinePageWork()
        self.extract = self.inner.extract
        self.signature = self.inner.signature
        self.content_hash = self.inner.content_hash
        self.word_count = self.inner.word_count
        self.detected: list[str] = []

    def language(self, title: str, text: str) -> str | None:
        self.detected.append(title)
        return self.inner.language(title, text)


def _three_headlines(server: LocalServer) -> list[str]:
    """Three feeds that tease one page, each under a headline of its own."""
    server.add("/story", article_html("Harbour story", article_text("Lighthouse")))
    return [
        server.add(
            f"/feed{n}.xml",
            rss_feed(
                f"Feed {n}",
                [{"title": f"Headline {n}", "link": server.url("/story"), "description": "T."}],
            ),
            content_type="application/rss+xml",
        )
        for n in (1, 2, 3)
    ]


def test_a_page_stored_this_run_is_not_language_detected_again(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    """The sources that list a page this run has stored already store it as a duplicate: its
    language is detected for the stored article only, not once per headline (serial CPU of
    the ingest thread, ~3 ms each)."""
    from bot.nlp.language import detect_language

    work = _CountingWork()
    feeds = _three_headlines(server)
    report = ingest(
        db.factory, fetcher, [SourceSpec("feed", f) for f in feeds], topic="coast", page_work=work
    )
    assert report.ok_count == 3 and report.new_articles == 1 and report.duplicates == 2
    stored = _article_by_url(db, canonical_url(server.url("/story")))
    assert stored is not None and stored.language == "en"
    assert work.detected == [stored.title]
    assert stored.language == detect_language(stored.title, stored.text)


def test_an_article_new_after_all_gets_its_language(
    db: Database, server: LocalServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL the run stored that turns out new when stored again (its row deleted meanwhile,
    as retention may) is stored with its language, detected then."""
    from bot.ingest import pipeline

    monkeypatch.setattr(pipeline._Pipeline, "_languages", lambda self, candidates: {})
    work = _CountingWork()
    feeds = _three_headlines(server)
    report = ingest(db.factory, fetcher, [SourceSpec("feed", feeds[0])], page_work=work)
    assert report.new_articles == 1
    stored = _article_by_url(db, canonical_url(server.url("/story")))
    assert stored is not None and stored.language == "en"
    assert work.detected == ["Headline 1"]
