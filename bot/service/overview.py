"""Answers for commands that must start at once (`briefbot topic list`): one plain SQL
statement on a database already at the newest schema, without the ORM or the other services
(and, on a plain SQLite file, without SQLAlchemy at all).

`topic_list` returns None when the database is behind (or new): the caller then opens it the
usual way (`bot.core.Briefbot`), which migrates it, and asks `Topics.list`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from storage import overview

__all__ = ["TopicInfo", "topic_list"]


@dataclass(frozen=True)
class TopicInfo:
    name: str
    keywords: tuple[str, ...]
    source_count: int
    article_count: int


def topic_list(settings: Settings) -> list[TopicInfo] | None:
    """Every topic with its counts, by name; None when the schema is not the newest."""
    summaries = overview.sqlite_topic_summaries(settings.database_url)
    if summaries is None:  # not a plain SQLite file, or not one we could read as is
        summaries = _through_sqlalchemy(settings)
    if summaries is None:
        return None
    return [TopicInfo(t.name, t.keywords, t.source_count, t.article_count) for t in summaries]


def _through_sqlalchemy(settings: Settings) -> list[overview.TopicSummary] | None:
    from storage.db import is_at_head, make_engine

    engine = make_engine(settings.database_url, create_dir=settings.uses_default_database)
    try:
        return overview.topic_summaries(engine) if is_at_head(engine) else None
    finally:
        engine.dispose()
