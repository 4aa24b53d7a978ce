"""The per-topic search index (migration 0015) on SQLite and PostgreSQL: a topic-wide search
finds exactly the articles linked to the topic now, after links come and go, articles are
edited or deleted, and the migration fills it from links stored before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text, update

from storage import articles, retention, search, topics
from storage.db import downgrade, make_engine, session_factory, transaction, upgrade
from storage.models import Article, ArticleTopic
from tests.conftest import Database

_T = "2026-11-01 08:00:00"


def _new(n: int, body: str, title: str = "", hours_ago: int = 1) -> articles.NewArticle:
    return articles.NewArticle(
        url=f"https://news.example.com/{n}",
        title=title or f"Report {n}",
        text=body,
        content_hash=f"{n:064d}",
        published_at=datetime.now(UTC) - timedelta(hours=hours_ago),
    )


def _found(db: Database, words: list[str], topic_id: int, **kw: object) -> list[int]:
    with db.factory() as session:
        return [h.article_id for h in search.search(session, words, topic_id=topic_id, **kw)]


def _index_entries(db: Database) -> int:
    """Rows of the per-topic index itself (not what a search returns)."""
    table = "topic_search" if db.dialect == "postgresql" else "topic_fts"
    with db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def test_topic_search_follows_links_edits_and_deletions(db: Database) -> None:
    with transaction(db.factory) as session:
        dams = topics.get_or_create(session, "dams").id
        ports = topics.get_or_create(session, "ports").id
        levee, quay, both = (
            articles.add(session, _new(n, body)).article.id
            for n, body in enumerate(
                (
                    "The levee vote passed; the floodgate opens in May.",
                    "The quay strike ended; the floodgate story is elsewhere.",
                    "A floodgate at the harbour levee, shared by both topics.",
                ),
                start=1,
            )
        )
        articles.link_topic(session, [levee, both], dams)
        articles.link_topic(session, [quay, both], ports)
    assert sorted(_found(db, ["floodgate"], dams)) == sorted([levee, both])
    assert sorted(_found(db, ["floodgate"], ports)) == sorted([quay, both])
    assert _found(db, ["strike"], dams) == []  # the word is stored, in the other topic

    with transaction(db.factory) as session:  # unlinked: gone from that topic only
        session.execute(
            delete(ArticleTopic).where(
                ArticleTopic.article_id == both, ArticleTopic.topic_id == dams
            )
        )
    assert _found(db, ["floodgate"], dams) == [levee]
    assert sorted(_found(db, ["floodgate"], ports)) == sorted([quay, both])
    with transaction(db.factory) as session:  # linked again: back (the index is not corrupt)
        articles.link_topic(session, [both], dams)
    assert sorted(_found(db, ["floodgate"], dams)) == sorted([levee, both])

    with transaction(db.factory) as session:  # edited: the new words, not the old
        session.execute(
            update(Article).where(Article.id == levee).values(text="The spillway was widened.")
        )
    assert _found(db, ["spillway"], dams) == [levee]
    assert _found(db, ["levee"], dams) == [both]

    with transaction(db.factory) as session:  # the retention job's way: links first
        retention.delete_articles(session, [quay])
    assert _found(db, ["floodgate"], ports) == [both]
    with transaction(db.factory) as session:  # an article deleted alone: its links cascade
        session.execute(delete(Article).where(Article.id == both))
    assert _found(db, ["floodgate"], ports) == []
    assert _found(db, ["floodgate", "spillway"], dams) == [levee]
    assert _index_entries(db) == 1  # no entry left behind for a removed link or article


def test_topic_wide_search_ranks_within_the_topic_and_keeps_filters(db: Database) -> None:
    """The rarer word and the title count more; `since` and `limit` hold; another topic's
    articles holding the same words never come back."""
    with transaction(db.factory) as session:
        trade = topics.get_or_create(session, "trade").id
        other = topics.get_or_create(session, "other").id
        stored = [
            articles.add(session, _new(n, body, title, hours_ago=n)).article.id
            for n, (title, body) in enumerate(
                (
                    ("Tariffs on steel", "Exporters object to the new duties."),
                    ("Port strike", "The strike enters its third day; tariffs are not discussed."),
                    ("Budget", "The budget mentions tariffs once."),
                    ("Quotas agreed", "Quotas on grain and tariffs on steel were both agreed."),
                ),
                start=1,
            )
        ]
        outside = articles.add(session, _new(9, "Quotas and tariffs in another topic.")).article
        articles.link_topic(session, stored, trade)
        articles.link_topic(session, [outside.id], other)
    ids = _found(db, ["quota", "tariffs"], trade)
    assert ids[0] == stored[3]  # "quota": one article of the topic, weighs most
    assert set(ids) == set(stored)
    assert ids.index(stored[0]) < ids.index(stored[2])  # title hit before body hit
    assert len(_found(db, ["tariffs"], trade, limit=2)) == 2
    since = datetime.now(UTC) - timedelta(hours=2, minutes=30)
    assert set(_found(db, ["tariffs"], trade, since=since)) == {stored[0], stored[1]}
    assert _found(db, ["quota"], other) == [outside.id]


def test_migration_fills_the_index_from_links_stored_before(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0014")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO topics (name, keywords, created_at) VALUES ('dams', '[]', :t)"),
            {"t": _T},
        )
        topic_id = conn.execute(text("SELECT id FROM topics")).scalar()
        for n, body in enumerate(("The levee vote passed.", "An unlinked levee report."), 1):
            conn.execute(
                text(
                    "INSERT INTO articles (url, title, text, content_hash, fetched_at) "
                    "VALUES (:u, 'Old', :b, :h, :t)"
                ),
                {"u": f"https://a.example/{n}", "b": body, "h": f"h{n}", "t": _T},
            )
        linked = conn.execute(text("SELECT min(id) FROM articles")).scalar()
        conn.execute(
            text(
                "INSERT INTO article_topics (article_id, topic_id, linked_at) VALUES (:a, :b, :t)"
            ),
            {"a": linked, "b": topic_id, "t": _T},
        )
    upgrade(engine)
    factory = session_factory(engine)
    table = "topic_search" if engine.dialect.name == "postgresql" else "topic_fts"
    with factory() as session:
        assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1
        hits = search.search(session, ["levee"], topic_id=topic_id)
        assert [h.article_id for h in hits] == [linked]
    downgrade(engine, "0014")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM article_topics")).scalar() == 1
        assert table not in {
            r
            for (r,) in conn.execute(
                text(
                    "SELECT name FROM sqlite_master"
                    if engine.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        }
    upgrade(engine)
    engine.dispose()
