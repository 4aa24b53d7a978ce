"""Storing a batch of articles (ingest's path) gives what storing them one at a time gives,
in a number of statements that does not grow with the batch (issue 18: PostgreSQL's CPU per
page was mostly statements per article)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bot.ingest import near_dup
from storage import articles, sentences
from storage.db import transaction
from storage.models import Article, ArticleBand, ArticleUrl
from tests.conftest import Database


def _text(seed: int, words: int = 120) -> str:
    """A text of its own: no other seed's shares its words."""
    return " ".join(f"word{seed}x{i}" for i in range(words))


def _new(url: str, text: str, title: str = "A title") -> articles.NewArticle:
    signature = near_dup.signature(text)
    return articles.NewArticle(
        url=url,
        title=title,
        text=text,
        content_hash=str(abs(hash((title, text)))).rjust(64, "0"),
        outlet="Example",
        minhash=signature,
        band_keys=tuple(near_dup.band_keys(signature)) if signature else (),
    )


def _outcome(results: list[articles.StoreResult]) -> list[tuple[str, bool, str]]:
    """Each result as (reason, created, the URL of the article it is or is a copy of)."""
    return [(r.reason, r.created, r.article.url) for r in results]


def _rows(session: Session) -> tuple[list[tuple[str, str]], int]:
    """Every stored URL with the URL of the article it leads to, and how many LSH bands."""
    urls = session.execute(
        select(ArticleUrl.url, Article.url)
        .join(Article, Article.id == ArticleUrl.article_id)
        .order_by(ArticleUrl.url)
    ).all()
    bands = int(session.scalar(select(func.count()).select_from(ArticleBand)) or 0)
    return [(a, b) for a, b in urls], bands


def test_a_batch_is_stored_as_one_add_at_a_time_would_store_it(db: Database) -> None:
    base = _text(1)
    edited = base.replace("word1x7 ", "changed ")  # a lightly edited copy of `base`
    with transaction(db.factory) as session:
        articles.add(session, _new("https://a.example/stored", _text(2)))
    batch = [
        _new("https://a.example/1", base),
        _new("https://a.example/1", _text(3)),  # the same URL again: not stored twice
        _new("https://b.example/copy", base),  # the same text elsewhere: an alias
        _new("https://c.example/edited", edited, title="Another title"),  # a near-duplicate
        _new("https://a.example/stored", _text(4)),  # a URL stored before the batch
        _new("https://d.example/old-text", _text(2)),  # a text stored before the batch
        _new("https://a.example/2", _text(5)),
    ]
    with transaction(db.factory) as session:
        results = _outcome(
            articles.add_many(session, batch, near_duplicates=near_dup.is_near_duplicate)
        )
    first, stored = "https://a.example/1", "https://a.example/stored"
    assert results == [
        ("new", True, first),
        ("same-url", False, first),
        ("same-content", False, first),
        ("near-duplicate", False, first),
        ("same-url", False, stored),
        ("same-content", False, stored),
        ("new", True, "https://a.example/2"),
    ]
    bands = sum(len(set(n.band_keys)) for n in (batch[0], batch[6], _new(stored, _text(2))))
    with db.factory() as session:
        assert _rows(session) == (
            [
                (first, first),
                ("https://a.example/2", "https://a.example/2"),
                (stored, stored),
                ("https://b.example/copy", first),
                ("https://c.example/edited", first),
                ("https://d.example/old-text", stored),
            ],
            bands,
        )


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_storing_a_batch_takes_the_same_statements_whatever_its_size(db: Database) -> None:
    if db.dialect != "postgresql":
        # SQLite runs in the process (no round trips), and SQLAlchemy inserts its articles
        # one row at a time to read their ids back in order.
        pytest.skip("statements per batch matter on PostgreSQL")
    counts = []
    for first, size in ((0, 4), (100, 30)):
        batch = [_new(f"https://e.example/{first + i}", _text(first + i)) for i in range(size)]
        with _statements(db) as seen, transaction(db.factory) as session:
            results = articles.add_many(session, batch, near_duplicates=near_dup.is_near_duplicate)
            analyses = {
                r.article.id: ("v1", [(0, 0, "One.", {}), (1, 0, "Two.", {"k": 1})])
                for r in results
            }
            sentences.replace_many(session, analyses)
        assert all(r.created for r in results)
        counts.append(len(seen))
    assert counts[0] == counts[1]
    with db.factory() as session:
        stored = sentences.load(session, [r.article.id for r in results])
    assert [len(rows) for rows in stored.values()] == [2] * 30
