"""Migration 0014 (articles.language, subscriptions.language), on SQLite and PostgreSQL: from
the previous head with rows in place (their language unknown, so kept in every brief), from a
blank database, and back down without losing rows."""

from __future__ import annotations

from sqlalchemy import inspect, text

from storage import articles, subscriptions, topics
from storage.db import downgrade, make_engine, session_factory, transaction, upgrade

_T = "2026-11-01 08:00:00"


def _has_language(engine, table: str) -> bool:  # type: ignore[no-untyped-def]
    return "language" in {c["name"] for c in inspect(engine).get_columns(table)}


def test_from_previous_head_old_rows_have_no_language_and_are_kept(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0013")
    assert not _has_language(engine, "articles")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO topics (name, keywords, created_at) VALUES ('ukraine', '[]', :t)"),
            {"t": _T},
        )
        topic_id = conn.execute(text("SELECT id FROM topics")).scalar()
        conn.execute(
            text(
                "INSERT INTO articles (url, title, text, content_hash, fetched_at, published_at) "
                "VALUES ('https://a.example/1', 'Old', 'Old text', 'h1', :t, :t)"
            ),
            {"t": _T},
        )
        article_id = conn.execute(text("SELECT id FROM articles")).scalar()
        conn.execute(
            text(
                "INSERT INTO article_topics (article_id, topic_id, linked_at) VALUES (:a, :b, :t)"
            ),
            {"a": article_id, "b": topic_id, "t": _T},
        )
        conn.execute(
            text(
                "INSERT INTO subscriptions (team_id, channel_id, topic_id, hour, minute, "
                "timezone, created_at, paused) VALUES ('T1', 'C1', :b, 8, 0, 'UTC', :t, :p)"
            ),
            {"b": topic_id, "t": _T, "p": False},
        )
    upgrade(engine)
    assert _has_language(engine, "articles") and _has_language(engine, "subscriptions")
    factory = session_factory(engine)
    with factory() as session:
        (old,) = articles.for_topic(session, topic_id, language="en")  # unknown: kept
        assert old.language is None
        (sub,) = subscriptions.for_team(session, "T1")
        assert sub.language is None

    downgrade(engine, "0013")
    assert not _has_language(engine, "articles") and not _has_language(engine, "subscriptions")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM subscriptions")).scalar() == 1
    upgrade(engine)
    engine.dispose()


def test_from_blank_languages_are_stored_and_filter_a_topic(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        topic = topics.get_or_create(session, "ukraine")
        for n, language in enumerate(("en", "de", None)):
            stored = articles.add(
                session,
                articles.NewArticle(
                    url=f"https://a.example/{n}",
                    title=f"Article {n}",
                    text=f"Text {n}",
                    content_hash=f"hash{n}",
                    language=language,
                ),
            )
            articles.link_topic(session, [stored.article.id], topic.id)
        row, _ = subscriptions.upsert(
            session,
            team_id="T1",
            channel_id="C1",
            topic=topic,
            hour=8,
            minute=0,
            timezone="UTC",
            created_by=None,
            language="de",
        )
        topic_id, sub_language = topic.id, row.language
    assert sub_language == "de"
    with factory() as session:
        english = {a.title for a in articles.for_topic(session, topic_id, language="en")}
        german = {a.title for a in articles.for_topic(session, topic_id, language="de")}
        every = {a.title for a in articles.for_topic(session, topic_id)}
        assert english == {"Article 0", "Article 2"} and german == {"Article 1", "Article 2"}
        assert len(every) == 3
        assert articles.count_for_topic(session, topic_id, language="de") == 2
    engine.dispose()
