"""The brief cache: a brief is computed once per (topic, window, article set, summarizer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Brief, utcnow


def get(session: Session, cache_key: str) -> Brief | None:
    return session.scalar(select(Brief).where(Brief.cache_key == cache_key))


def get_by_id(session: Session, brief_id: int) -> Brief | None:
    return session.get(Brief, brief_id)


class BriefFields(TypedDict):
    """What a stored brief holds besides its key: `put` and `replace` take the same."""

    topic_id: int
    since: datetime
    until: datetime
    summarizer: str
    prompt_version: str | None
    article_ids: Sequence[int]
    payload: dict[str, Any]


def _columns(fields: BriefFields) -> dict[str, Any]:
    # The column is a JSON list: a tuple or other sequence would not compare or load as one.
    return {**fields, "article_ids": list(fields["article_ids"]), "created_at": utcnow()}


def put(session: Session, *, cache_key: str, **fields: Unpack[BriefFields]) -> Brief:
    """Store a brief; if another process stored the same key meanwhile, return theirs."""
    row = Brief(cache_key=cache_key, **_columns(fields))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = get(session, cache_key)
        if existing is None:
            raise
        return existing
    return row


def replace(session: Session, *, cache_key: str, **fields: Unpack[BriefFields]) -> Brief:
    """Store a brief under `cache_key`, over what an earlier one stored there (same row: a
    thread under the earlier one keeps its articles, which a key fixes)."""
    row = get(session, cache_key)
    if row is None:
        return put(session, cache_key=cache_key, **fields)
    for column, value in _columns(fields).items():
        setattr(row, column, value)
    return row


def latest(session: Session, topic_id: int | None = None, limit: int = 10) -> list[Brief]:
    query = select(Brief).order_by(Brief.id.desc()).limit(limit)
    if topic_id is not None:
        query = query.where(Brief.topic_id == topic_id)
    return list(session.scalars(query))
