"""Analysed sentences of articles (`article_sentences`) and the analyzer version per article
(`article_analyses`). Written once per article at ingestion, read by briefs and answers.

Rows are plain tuples (position, paragraph, text, features dict): what the features mean is
`bot.nlp.features.SentenceFeatures`'s business, not storage's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from storage.idlists import id_in
from storage.models import Article, ArticleAnalysis, ArticleSentence, utcnow

# Ids per IN (...) query: well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 500

SentenceRow = tuple[int, int, str, dict[str, Any]]


def replace(session: Session, article_id: int, version: str, rows: Sequence[SentenceRow]) -> None:
    """Store an article's analysed sentences, replacing any earlier analysis of it."""
    replace_many(session, {article_id: (version, rows)})


def replace_many(
    session: Session,
    analyses: Mapping[int, tuple[str, Sequence[SentenceRow]]],
    ledes: Mapping[int, str | None] | None = None,
) -> None:
    """`replace` for many articles ({article id: (version, rows)}) in a few statements per
    chunk of articles, whatever their number of sentences: one DELETE per table and one
    multi-row INSERT per table (plain Core inserts: no ORM objects to build and flush).
    Ingest stores every new article this way, so statements per article are what PostgreSQL
    spends its CPU on (issue 18). `ledes`: each article's encoded lede terms (`lede_stamps`;
    absent or None: none stored)."""
    ids = list(analyses)
    ledes = ledes or {}
    at = utcnow()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        # Any earlier analysis goes first (a re-analysis; for a new article these find
        # nothing, through the primary keys' indexes).
        session.execute(
            delete(ArticleSentence).where(id_in(session, ArticleSentence.article_id, chunk))
        )
        session.execute(
            delete(ArticleAnalysis).where(id_in(session, ArticleAnalysis.article_id, chunk))
        )
        session.execute(
            insert(ArticleAnalysis),
            [
                {
                    "article_id": i,
                    "version": analyses[i][0],
                    "analyzed_at": at,
                    "ledes": ledes.get(i),
                }
                for i in chunk
            ],
        )
        sentences = [
            {"article_id": i, "position": p, "paragraph": g, "text": t, "features": f}
            for i in chunk
            for p, g, t, f in analyses[i][1]
        ]
        if sentences:
            session.execute(insert(ArticleSentence), sentences)


def versions(session: Session, article_ids: Sequence[int]) -> dict[int, str]:
    """Article id -> the analyzer version its stored analysis was made by (absent: none)."""
    out: dict[int, str] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for article_id, version in session.execute(
            select(ArticleAnalysis.article_id, ArticleAnalysis.version).where(
                ArticleAnalysis.article_id.in_(chunk)
            )
        ):
            out[article_id] = version
    return out


def stamps(session: Session, article_ids: Sequence[int]) -> dict[int, tuple[str, datetime]]:
    """Article id -> (analyzer version, analysed at) of its stored analysis (absent: none).

    The pair changes whenever an article is re-analysed: readers key caches of decoded
    sentences by it."""
    out: dict[int, tuple[str, datetime]] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for article_id, version, analyzed_at in session.execute(
            select(
                ArticleAnalysis.article_id, ArticleAnalysis.version, ArticleAnalysis.analyzed_at
            ).where(id_in(session, ArticleAnalysis.article_id, chunk))
        ):
            out[article_id] = (version, analyzed_at)
    return out


def lede_stamps(
    session: Session, article_ids: Sequence[int]
) -> dict[int, tuple[str, datetime, str | None]]:
    """`stamps` with each analysis' stored lede terms (None: stored before they were, or a
    failed analysis): one short row per article, what a large window is grouped by."""
    out: dict[int, tuple[str, datetime, str | None]] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for article_id, version, analyzed_at, ledes in session.execute(
            select(
                ArticleAnalysis.article_id,
                ArticleAnalysis.version,
                ArticleAnalysis.analyzed_at,
                ArticleAnalysis.ledes,
            ).where(id_in(session, ArticleAnalysis.article_id, chunk))
        ):
            out[article_id] = (version, analyzed_at, ledes)
    return out


def without_ledes(session: Session, *, after: int, limit: int) -> list[int]:
    """Up to `limit` articles with ids over `after` (smallest first) whose stored analysis
    has no lede terms (stored before they were), failed analyses left out: what `briefbot db
    reindex` fills."""
    return list(
        session.scalars(
            select(ArticleAnalysis.article_id)
            .where(
                ArticleAnalysis.article_id > after,
                ArticleAnalysis.ledes.is_(None),
                ~ArticleAnalysis.version.startswith(FAILED, autoescape=True),
            )
            .order_by(ArticleAnalysis.article_id)
            .limit(limit)
        )
    )


def fill_ledes(session: Session, ledes: Mapping[int, tuple[datetime, str]]) -> None:
    """Store lede terms computed from stored sentences ({article id: (the analysis'
    analysed-at, encoded terms)}), for analyses still stamped so and still without them (a
    re-analysis meanwhile stored its own)."""
    if not ledes:
        return
    table = ArticleAnalysis.__table__
    session.execute(
        update(table)
        .where(
            table.c.article_id == bindparam("b_id"),
            table.c.analyzed_at == bindparam("b_at"),
            table.c.ledes.is_(None),
        )
        .values(ledes=bindparam("b_ledes")),
        [{"b_id": i, "b_at": at, "b_ledes": text} for i, (at, text) in ledes.items()],
    )


def load(session: Session, article_ids: Sequence[int]) -> dict[int, list[SentenceRow]]:
    """Article id -> its stored sentences in order (articles with none are absent)."""
    out: dict[int, list[SentenceRow]] = {}
    for article_id, position, paragraph, text, features in _rows(
        session, article_ids, ArticleSentence.features
    ):
        out.setdefault(article_id, []).append((position, paragraph, text, features or {}))
    return out


def load_entities(session: Session, article_ids: Sequence[int]) -> dict[int, list[SentenceRow]]:
    """`load` with only each sentence's "kind" and "ents" features, extracted by the database
    (SQLite `json_extract`, PostgreSQL `->`): what answers read. Decoding every feature of
    every sentence of a question's ~50 candidate articles (term vectors, cues, dates...) was
    about a third of a thread question's CPU beside the answer itself."""
    kind = ArticleSentence.features["kind"].as_string()
    ents = ArticleSentence.features["ents"]
    out: dict[int, list[SentenceRow]] = {}
    for article_id, position, paragraph, text, kind_of, ents_of in _rows(
        session, article_ids, kind, ents
    ):
        features: dict[str, Any] = {}
        if kind_of is not None:
            features["kind"] = kind_of
        if ents_of is not None:
            features["ents"] = ents_of
        out.setdefault(article_id, []).append((position, paragraph, text, features))
    return out


def load_lede_terms(
    session: Session, article_ids: Sequence[int], per_article: int
) -> dict[int, list[list[Any]]]:
    """Article id -> the stored term counts (`[[term, count], ...]`) of its first
    `per_article` prose sentences, in order, extracted by the database: what a window too
    large to read whole is grouped into stories by. Decoding every feature of every sentence
    of 5,000 articles took 5 s of a brief's CPU; articles with no prose sentence are absent."""
    kind = ArticleSentence.features["kind"].as_string()
    out: dict[int, list[list[Any]]] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), _CHUNK):
        ranked = (
            select(
                ArticleSentence.article_id.label("article_id"),
                ArticleSentence.position.label("position"),
                ArticleSentence.features["terms"].label("terms"),
                func.row_number()
                .over(partition_by=ArticleSentence.article_id, order_by=ArticleSentence.position)
                .label("nth"),
            )
            .where(
                ArticleSentence.article_id.in_(ids[start : start + _CHUNK]),
                or_(kind.is_(None), kind == "prose"),  # no kind stored reads as prose
            )
            .subquery()
        )
        rows = session.execute(
            select(ranked.c.article_id, ranked.c.terms)
            .where(ranked.c.nth <= per_article)
            .order_by(ranked.c.article_id, ranked.c.position)
        )
        for article_id, terms in rows:
            out.setdefault(article_id, []).append(terms or [])
    return out


def _rows(session: Session, article_ids: Sequence[int], *columns: Any) -> Iterator[Row[Any]]:
    """(article id, position, paragraph, text, *columns) of these articles' sentences, in
    article and sentence order, read in chunks of ids (bounded statements)."""
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        yield from session.execute(
            select(
                ArticleSentence.article_id,
                ArticleSentence.position,
                ArticleSentence.paragraph,
                ArticleSentence.text,
                *columns,
            )
            .where(ArticleSentence.article_id.in_(chunk))
            .order_by(ArticleSentence.article_id, ArticleSentence.position)
        )


# The version stored for an analysis that failed: "failed:<attempts>". Readers treat it like a
# missing analysis (stale for every analyzer: a brief analyses the article on demand).
FAILED = "failed:"


def record_failures(session: Session, failed: Mapping[int, int]) -> None:
    """Record that the analysis of these articles ({article id: attempts so far}) failed: the
    article stays stored and searchable; `pending` offers it again after a wait."""
    ids = list(failed)
    at = utcnow()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            delete(ArticleAnalysis).where(id_in(session, ArticleAnalysis.article_id, chunk))
        )
        session.execute(
            insert(ArticleAnalysis),
            [
                {"article_id": i, "version": f"{FAILED}{failed[i]}", "analyzed_at": at}
                for i in chunk
            ],
        )


def attempts(version: str | None) -> int:
    """How many analyses of an article failed so far, from its stored version."""
    if not version or not version.startswith(FAILED):
        return 0
    try:
        return int(version[len(FAILED) :])
    except ValueError:
        return 1


def pending(
    session: Session, *, limit: int, failed_before: datetime, max_attempts: int
) -> list[tuple[int, int]]:
    """Articles waiting for their first analysis, or whose last one failed before
    `failed_before` fewer than `max_attempts` times: [(article id, attempts so far)], the
    oldest ids first, at most `limit`. (Analyses by an older analyzer are `reindex`'s.)"""
    failed = [f"{FAILED}{n}" for n in range(1, max_attempts)]
    rows = session.execute(
        select(Article.id, ArticleAnalysis.version)
        .outerjoin(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .where(
            or_(
                ArticleAnalysis.article_id.is_(None),
                ArticleAnalysis.version.in_(failed) & (ArticleAnalysis.analyzed_at < failed_before),
            )
        )
        .order_by(Article.id)
        .limit(limit)
    )
    return [(article_id, attempts(version)) for article_id, version in rows]


__all__ = [
    "FAILED",
    "SentenceRow",
    "attempts",
    "fill_ledes",
    "lede_stamps",
    "load",
    "pending",
    "record_failures",
    "replace",
    "replace_many",
    "stamps",
    "versions",
    "without_ledes",
]
