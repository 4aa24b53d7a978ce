"""Storage behaviour on SQLite and PostgreSQL: migrations, dedup, windows, search, cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from storage import articles, briefs, llm_calls, search, sources, topics
from storage.db import downgrade, make_engine, transaction, upgrade
from storage.models import Base
from tests.conftest import Database


def _article(n: int, text: str, **kw: object) -> articles.NewArticle:
    return articles.NewArticle(
        url=f"https://news.example.com/{n}",
        title=str(kw.pop("title", f"Article {n}")),
        text=text,
        content_hash=f"{n:064d}"[-64:] if "content_hash" not in kw else str(kw.pop("content_hash")),
        **kw,  # type: ignore[arg-type]
    )


def _expected_schema() -> MetaData:
    """Our models plus the tables slack_sdk's OAuth stores define for themselves (created by
    our migration 0004, so they must match what the stores read and write)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def test_migrations_from_blank_match_models_and_downgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), _expected_schema())
    # Allowed differences: the FTS objects (outside the models, per database) and APScheduler's
    # job table (owned by APScheduler's code, created by our migration).
    allowed = ("fts", "search", "apscheduler")
    assert [d for d in diff if not any(a in str(d) for a in allowed)] == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)  # and up again from blank
    assert "articles" in inspect(engine).get_table_names()
    engine.dispose()


def test_dedup_by_url_and_by_content(db: Database) -> None:
    with transaction(db.factory) as session:
        first = articles.add(session, _article(1, "Talks ended.", content_hash="a" * 64))
        again = articles.add(session, _article(1, "Changed text", content_hash="b" * 64))
        copy = articles.add(
            session,
            articles.NewArticle(
                url="https://wire.example.org/copy",
                title="Copy",
                text="Talks ended.",
                content_hash="a" * 64,
                outlet="Wire",
            ),
        )
        assert first.created and first.reason == "new"
        assert not again.created and again.reason == "same-url"
        assert again.article.text == "Talks ended."  # stored text never overwritten
        assert not copy.created and copy.reason == "same-content"
        assert copy.article.id == first.article.id
        assert articles.known_url(session, "https://wire.example.org/copy") is not None
        assert articles.outlets_of(session, [first.article.id])[first.article.id] == ["Wire"]
        assert articles.count(session) == 1


def test_window_and_topic_links(db: Database) -> None:
    now = datetime(2025, 3, 14, 12, tzinfo=UTC)
    with transaction(db.factory) as session:
        topic = topics.get_or_create(session, "  Ukraine ")
        assert topic.name == "ukraine" and topic.keywords == ["ukraine"]
        old = articles.add(
            session, _article(1, "old", published_at=now - timedelta(days=3))
        ).article
        new = articles.add(
            session, _article(2, "new", published_at=now - timedelta(hours=2))
        ).article
        assert articles.link_topic(session, [old.id, new.id], topic.id) == 2
        assert articles.link_topic(session, [new.id], topic.id) == 0
        recent = articles.for_topic(session, topic.id, since=now - timedelta(hours=24))
        assert [a.id for a in recent] == [new.id]
        assert recent[0].published_at == now - timedelta(hours=2)
        assert recent[0].published_at.tzinfo is not None


def test_full_text_search_phrases_and_filters(db: Database) -> None:
    with transaction(db.factory) as session:
        topic = topics.get_or_create(session, "ukraine")
        a = articles.add(
            session,
            _article(1, "Ukraine accepted a 30-day ceasefire proposal in Jeddah talks."),
        ).article
        b = articles.add(
            session, _article(2, "The central bank cut interest rates by a quarter point.")
        ).article
        articles.link_topic(session, [a.id], topic.id)
        assert [h.article_id for h in search.search(session, ["ceasefire"])] == [a.id]
        # stemming: "talk" finds "talks"; OR across phrases
        hits = search.search(session, ["talk", "interest rates"])
        assert {h.article_id for h in hits} == {a.id, b.id}
        assert search.search(session, ["interest rates"], topic_id=topic.id) == []
        assert [h.article_id for h in search.search(session, ["rates"], article_ids=[b.id])] == [
            b.id
        ]
        # user text with query syntax is treated as words, never as operators
        hits = search.search(session, ['ceasefire"', "NEAR(", "*", "a:b OR"])
        assert [h.article_id for h in hits] == [a.id]
        assert search.search(session, ["", "  "]) == []


def test_search_within_a_thread_ranks_only_its_articles(db: Database) -> None:
    """A thread's question searches its own articles: the rarer word and the title count
    more, articles outside the set, the topic or the window never come back."""
    now = datetime.now(UTC)
    texts = [
        ("Tariffs on steel", "Tariffs on steel rise again; exporters object to tariffs."),
        ("Port strike", "The port strike enters its third day; tariffs are not discussed."),
        ("Budget", "The budget mentions tariffs once."),
        ("Tariffs and quotas", "Quotas on grain and tariffs on steel were both agreed."),
        ("Elsewhere", "Quotas and tariffs elsewhere, in an article outside the thread."),
    ]
    with transaction(db.factory) as session:
        topic = topics.get_or_create(session, "trade")
        stored = [
            articles.add(
                session, _article(n, body, title=title, published_at=now - timedelta(hours=n))
            ).article
            for n, (title, body) in enumerate(texts, start=1)
        ]
        thread = [a.id for a in stored[:4]]
        articles.link_topic(session, thread, topic.id)
    with db.factory() as session:
        hits = search.search(session, ["quota", "tariffs"], topic_id=topic.id, article_ids=thread)
        ids = [h.article_id for h in hits]
        # "quota" is in one thread article (rare: weighs most), "tariffs" in all four; the
        # outside article holds both words but is not in the thread.
        assert ids[0] == stored[3].id
        assert set(ids) == set(thread)
        # a title hit beats a body hit for the same word
        assert ids.index(stored[0].id) < ids.index(stored[2].id)
        assert hits == sorted(hits, key=lambda h: -h.score)
        assert len(search.search(session, ["tariffs"], article_ids=thread, limit=2)) == 2
        recent = search.search(
            session, ["tariffs"], article_ids=thread, since=now - timedelta(hours=2, minutes=30)
        )
        assert {h.article_id for h in recent} == {stored[0].id, stored[1].id}
        assert search.search(session, ["grain"], article_ids=[stored[0].id]) == []
        assert search.search(session, ['steel" OR "port', "NEAR("], article_ids=thread) == []


def test_search_within_ids_skips_the_articles_between_them(db: Database) -> None:
    """The thread's ids are matched over the rowid ranges they span: an article stored
    between two of them (another topic's) holds the word but is not the thread's."""
    with transaction(db.factory) as session:
        stored = [
            articles.add(session, _article(n, f"Levee plan number {n}: the levee vote.")).article
            for n in range(1, 7)
        ]
    thread = [a.id for a in stored[::2]]  # 1st, 3rd, 5th: the 2nd and 4th lie between
    with db.factory() as session:
        hits = search.search(session, ["levee"], article_ids=thread)
    assert sorted(h.article_id for h in hits) == sorted(thread)


def test_thread_search_skips_the_topics_other_articles_between_its_ids(db: Database) -> None:
    """Within a topic's own index a thread's ids are matched over one wide range: the topic's
    articles lying between them hold the word too but are not the thread's."""
    with transaction(db.factory) as session:
        topic = topics.get_or_create(session, "levees")
        stored = [
            articles.add(session, _article(n, f"Levee plan number {n}: the levee vote.")).article
            for n in range(1, 7)
        ]
        articles.link_topic(session, [a.id for a in stored], topic.id)
    thread = [a.id for a in stored[::2]]
    with db.factory() as session:
        hits = search.search(session, ["levee", "vote"], topic_id=topic.id, article_ids=thread)
    assert sorted(h.article_id for h in hits) == sorted(thread)


def test_search_within_ids_reads_every_phrase(db: Database) -> None:
    """A topic's many keywords (ingestion links new articles by them) are all searched, in
    statements of MAX_PHRASES each: the article only the last keyword matches is found."""
    words = [f"keyword{n}" for n in range(search.MAX_PHRASES + 3)]
    with transaction(db.factory) as session:
        stored = articles.add(session, _article(1, f"An article about {words[-1]}.")).article
    with db.factory() as session:
        hits = search.search(session, words, article_ids=[stored.id])
    assert [h.article_id for h in hits] == [stored.id]


def test_id_runs_split_at_the_widest_gaps() -> None:
    assert search._id_runs([1, 2, 3, 5_000, 5_001, 90_000]) == [
        (1, 3),
        (5_000, 5_001),
        (90_000, 90_000),
    ]
    assert search._id_runs(list(range(1, 5_000, 50))) == [(1, 4_951)]  # close: one range
    # at most `max_runs`: the widest gaps are cut, the narrower ones kept inside a range
    assert search._id_runs([1, 2, 10_000, 10_001, 50_000, 50_001, 200_000], max_runs=3) == [
        (1, 10_001),
        (50_000, 50_001),
        (200_000, 200_000),
    ]
    assert search._id_runs([]) == []
    # in a topic's own index the gaps hold only the topic's articles: wider ones stay inside
    assert search._id_runs([1, 2, 3_000, 3_001], min_gap=search.TOPIC_MIN_GAP) == [(1, 3_001)]
    assert len(search._id_runs([1, 2, 3_000, 3_001])) == 2


def test_source_errors_are_data(db: Database) -> None:
    with transaction(db.factory) as session:
        source = sources.get_or_create(session, "feed", "https://feeds.example.com/rss")
        sources.record_error(session, source, "HTTP 404 Not Found")
        sources.record_error(session, source, "HTTP 404 Not Found")
        assert source.error_count == 2 and source.last_error == "HTTP 404 Not Found"
        sources.record_ok(session, source, etag='"v1"')
        assert source.error_count == 0 and source.last_error is None and source.etag == '"v1"'


def test_brief_cache_put_is_idempotent(db: Database) -> None:
    now = datetime(2025, 3, 14, tzinfo=UTC)
    with transaction(db.factory) as session:
        topic = topics.get_or_create(session, "ukraine")
        kwargs = dict(
            cache_key="k" * 64,
            topic_id=topic.id,
            since=now - timedelta(days=1),
            until=now,
            summarizer="extractive",
            prompt_version=None,
            article_ids=[1, 2],
            payload={"topic": "ukraine"},
        )
        first = briefs.put(session, **kwargs)  # type: ignore[arg-type]
        second = briefs.put(session, **kwargs)  # type: ignore[arg-type]
        assert first.id == second.id
        assert briefs.get(session, "k" * 64) is not None
        llm_calls.record(
            session, model="m", prompt_name="brief", prompt_version="1", duration_ms=5, outcome="ok"
        )
        assert llm_calls.count(session) == 1


def test_schema_head_read_from_the_files_is_alembics_head(db: Database) -> None:
    """The start-up check reads the newest migration from the version files without Alembic;
    it must name the head Alembic itself computes, and the migrated database must be there."""
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, head_revision, is_at_head

    expected = ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    assert head_revision() == expected
    assert is_at_head(db.engine)
