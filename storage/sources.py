"""Sources: feeds, pages, files and news searches, with their fetch state and last error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Article, Source, Topic, TopicSource, utcnow

SOURCE_KINDS = ("feed", "page", "file", "search")


def get_or_create(session: Session, kind: str, url: str, title: str | None = None) -> Source:
    return get_or_create_marked(session, kind, url, title)[0]


def get_or_create_marked(
    session: Session, kind: str, url: str, title: str | None = None
) -> tuple[Source, bool]:
    """`get_or_create`, and whether this session created the row (so nothing can refer to
    it yet: no topic is attached to it, no article came from it)."""
    if kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {kind!r}")
    source = session.scalar(select(Source).where(Source.url == url))
    if source is not None:
        return source, False
    source = Source(kind=kind, url=url, title=title, error_count=0, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(source)
    except IntegrityError:
        # Another session stored this URL between our look-up and this insert (two
        # ingests of one new feed at once): the source is theirs.
        theirs = session.scalar(select(Source).where(Source.url == url))
        if theirs is None:
            raise
        return theirs, False
    return source, True


def get_by_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(Source.url == url))


def list_all(session: Session, topic: Topic | None = None) -> list[Source]:
    query = select(Source).order_by(Source.id)
    if topic is not None:
        query = query.join(TopicSource).where(TopicSource.topic_id == topic.id)
    return list(session.scalars(query))


def article_counts(session: Session, source_ids: Sequence[int]) -> dict[int, int]:
    """How many stored articles came from each source (one grouped query)."""
    if not source_ids:
        return {}
    rows = session.execute(
        select(Article.source_id, func.count(Article.id))
        .where(Article.source_id.in_(list(source_ids)))
        .group_by(Article.source_id)
    )
    return {int(source_id): int(count) for source_id, count in rows}


def record_ok(
    session: Session,
    source: Source,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    title: str | None = None,
    at: datetime | None = None,
) -> None:
    now = at or utcnow()
    source.last_fetched_at = now
    source.last_ok_at = now
    source.last_error = None
    source.error_count = 0
    if source.failing_since is not None:  # an outage ends: remembered for the digests
        source.outage_since, source.recovered_at = source.failing_since, now
        source.failing_since = None
    if etag is not None:
        source.etag = etag
    if last_modified is not None:
        source.last_modified = last_modified
    if title and not source.title:
        source.title = title[:512]


def record_error(
    session: Session, source: Source, message: str, at: datetime | None = None
) -> None:
    now = at or utcnow()
    source.last_fetched_at = now
    source.last_error = message[:2000]
    source.last_error_at = now
    source.error_count = (source.error_count or 0) + 1
    if source.failing_since is None:
        source.failing_since = now
