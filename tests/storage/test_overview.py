"""`storage.overview` (plain SQL for `briefbot topic list`) says what the ORM queries say."""

from __future__ import annotations

from storage import articles, overview, sources, topics
from storage.db import transaction
from tests.conftest import Database


def _orm_summaries(db: Database) -> list[tuple[str, tuple[str, ...], int, int]]:
    with db.factory() as session:
        return [
            (
                t.name,
                tuple(t.keywords),
                len(sources.list_all(session, t)),
                articles.count(session, t.id),
            )
            for t in topics.list_all(session)
        ]


def test_topic_summaries_match_the_orm_queries(db: Database) -> None:
    with transaction(db.factory) as session:
        ukraine = topics.get_or_create(session, "ukraine", ["ukraine", "kyiv", "Zelensky’s"])
        topics.get_or_create(session, "empty")
        rates = topics.get_or_create(session, "central banks", ["rates"])
        feed = sources.get_or_create(session, "feed", "https://news.example.com/world.rss")
        page = sources.get_or_create(session, "page", "https://news.example.com/a")
        topics.attach_source(session, ukraine, feed)
        topics.attach_source(session, ukraine, page)
        topics.attach_source(session, rates, feed)
        ids = [
            articles.add(
                session,
                articles.NewArticle(
                    url=f"https://news.example.com/{n}",
                    title=f"Article {n}",
                    text=f"Made-up text number {n}.",
                    content_hash=f"{n:064d}",
                    source_id=feed.id,
                ),
            ).article.id
            for n in range(5)
        ]
        articles.link_topic(session, ids, ukraine.id)
        articles.link_topic(session, ids[:2], rates.id)
    expected = _orm_summaries(db)
    assert [t[0] for t in expected] == ["central banks", "empty", "ukraine"]
    got = [
        (t.name, t.keywords, t.source_count, t.article_count)
        for t in overview.topic_summaries(db.engine)
    ]
    assert got == expected
    assert got[2] == ("ukraine", ("ukraine", "kyiv", "Zelensky’s"), 2, 5)
