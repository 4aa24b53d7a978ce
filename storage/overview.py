"""Read-only summaries in one plain SQL statement each (SQLAlchemy Core, no ORM, no models).

For commands that must answer at once: importing the ORM and the models costs more CPU
than `briefbot topic list` may spend in all (issue 14: 300 ms), while the statement itself
takes a millisecond. The results match the ORM queries of `storage.topics`/`articles`/
`sources` (tests/storage/test_overview.py compares them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

__all__ = ["TopicSummary", "topic_summaries"]


@dataclass(frozen=True)
class TopicSummary:
    name: str
    keywords: tuple[str, ...]
    source_count: int
    article_count: int


# Counts joined to the rows they count, as `sources.list_all(topic)` and `articles.count`
# do, so a dangling link row could never be counted here and not there.
_TOPICS = text(
    """
    SELECT t.name, t.keywords,
        (SELECT count(*) FROM topic_sources ts JOIN sources s ON s.id = ts.source_id
         WHERE ts.topic_id = t.id),
        (SELECT count(*) FROM article_topics atp JOIN articles a ON a.id = atp.article_id
         WHERE atp.topic_id = t.id)
    FROM topics t
    ORDER BY t.name
    """
)


def _keywords(value: Any) -> tuple[str, ...]:
    """The JSON column as stored: text on SQLite, already decoded by psycopg."""
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return tuple(str(k) for k in value or ())


def topic_summaries(engine: Engine) -> list[TopicSummary]:
    """Every topic with its keywords and how many sources and articles it has, by name."""
    with engine.connect() as connection:
        rows = connection.execute(_TOPICS).all()
    return [TopicSummary(name, _keywords(kw), int(ns), int(na)) for name, kw, ns, na in rows]
