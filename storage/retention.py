"""Removing old articles (ARTICLE_RETENTION_DAYS) a batch at a time, with everything that
points at them, so no row is left referring to a removed article.

Dependent rows are deleted explicitly rather than left to ON DELETE CASCADE: a SQLite
connection made without `PRAGMA foreign_keys=ON` (an operator's sqlite3 shell, an old copy)
would otherwise leave them behind. Briefs whose whole window is older than the cutoff go too
(their citations would point at nothing); a delivery that showed one keeps its thread and
loses only the link (`deliveries.brief_id` NULL, as its foreign key says). The FTS5 index on
SQLite follows by its own delete trigger; PostgreSQL's tsvector is a column of the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Article,
    ArticleAnalysis,
    ArticleBand,
    ArticleSentence,
    ArticleTopic,
    ArticleUrl,
    Brief,
    Delivery,
)

_ARTICLE_CHILDREN = (ArticleBand, ArticleSentence, ArticleAnalysis, ArticleUrl, ArticleTopic)


def old_article_ids(session: Session, cutoff: datetime, limit: int) -> list[int]:
    """Up to `limit` articles published (or, without a date, fetched) before `cutoff`."""
    when = func.coalesce(Article.published_at, Article.fetched_at)
    query = select(Article.id).where(when < cutoff).order_by(Article.id).limit(limit)
    return [int(i) for i in session.scalars(query)]


def delete_articles(session: Session, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    for model in _ARTICLE_CHILDREN:
        session.execute(delete(model).where(model.article_id.in_(ids)))
    result = session.execute(delete(Article).where(Article.id.in_(ids)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def old_brief_ids(session: Session, cutoff: datetime, limit: int) -> list[int]:
    query = select(Brief.id).where(Brief.until < cutoff).order_by(Brief.id).limit(limit)
    return [int(i) for i in session.scalars(query)]


def delete_briefs(session: Session, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    session.execute(update(Delivery).where(Delivery.brief_id.in_(ids)).values(brief_id=None))
    result = session.execute(delete(Brief).where(Brief.id.in_(ids)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
