"""`storage.overview` (plain SQL for `briefbot topic list`) says what the ORM queries say."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

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


def test_a_sqlite_file_is_read_without_sqlalchemy_as_the_orm_reads_it(
    db: Database, tmp_path: Path
) -> None:
    """`briefbot topic list` on SQLite: the standard library's sqlite3, read-only, gives the
    same summaries; a schema behind, or a URL it does not read plainly, gives None (the
    caller then opens the database the usual way, which migrates it)."""
    if db.dialect != "sqlite":
        assert overview.sqlite_topic_summaries(db.url) is None  # PostgreSQL: SQLAlchemy's
        return
    with transaction(db.factory) as session:
        topics.get_or_create(session, "ukraine", ["ukraine", "Zelensky’s"])
        topics.get_or_create(session, "empty")
    assert overview.sqlite_topic_summaries(db.url) == overview.topic_summaries(db.engine)
    assert [t.name for t in overview.sqlite_topic_summaries(db.url) or []] == ["empty", "ukraine"]
    with db.engine.begin() as connection:  # a database one migration behind
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert overview.sqlite_topic_summaries(db.url) is None
    assert overview.sqlite_topic_summaries(f"sqlite:///{tmp_path / 'nothing-here.db'}") is None
    for url in ("sqlite://", "sqlite:///:memory:", f"{db.url}?timeout=5", "postgresql://x/y"):
        assert overview.sqlite_topic_summaries(url) is None, url
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not a database\n")
    assert overview.sqlite_topic_summaries(f"sqlite:///{not_a_database}") is None
