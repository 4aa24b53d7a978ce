"""Read-only summaries in one plain SQL statement each (no ORM, no models).

For commands that must answer at once: importing the ORM and the models costs more CPU
than `briefbot topic list` may spend in all (issue 14: 300 ms), while the statement itself
takes a millisecond. On a plain SQLite file even SQLAlchemy's Core is skipped (its import
alone is about 0.25 s of CPU): the standard library's sqlite3 reads the schema version and
the summaries, read-only. The results match the ORM queries of `storage.topics`/`articles`/
`sources` (tests/storage/test_overview.py compares them).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.schema import VERSION_QUERY, head_revision

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["TopicSummary", "sqlite_topic_summaries", "topic_summaries"]


@dataclass(frozen=True)
class TopicSummary:
    name: str
    keywords: tuple[str, ...]
    source_count: int
    article_count: int


# Counts joined to the rows they count, as `sources.list_all(topic)` and `articles.count`
# do, so a dangling link row could never be counted here and not there.
_TOPICS = """
    SELECT t.name, t.keywords,
        (SELECT count(*) FROM topic_sources ts JOIN sources s ON s.id = ts.source_id
         WHERE ts.topic_id = t.id),
        (SELECT count(*) FROM article_topics atp JOIN articles a ON a.id = atp.article_id
         WHERE atp.topic_id = t.id)
    FROM topics t
    ORDER BY t.name
    """

# How long the read-only reader waits for a lock (in WAL mode readers are not blocked by a
# writer; a checkpoint or recovery in progress is the rare wait).
_SQLITE_WAIT_S = 5.0
_SQLITE_SCHEMES = ("sqlite:///", "sqlite+pysqlite:///")


def _keywords(value: Any) -> tuple[str, ...]:
    """The JSON column as stored: text on SQLite, already decoded by psycopg."""
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return tuple(str(k) for k in value or ())


def _summaries(rows: list[Any]) -> list[TopicSummary]:
    return [TopicSummary(name, _keywords(kw), int(ns), int(na)) for name, kw, ns, na in rows]


def topic_summaries(engine: Engine) -> list[TopicSummary]:
    """Every topic with its keywords and how many sources and articles it has, by name."""
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text(_TOPICS)).all()
    return _summaries(list(rows))


def sqlite_file(database_url: str) -> Path | None:
    """The file a plain SQLite URL names (`sqlite:///relative.db`, `sqlite:////abs.db`, as
    SQLAlchemy reads them), or None for anything else: another database, in memory, a URI
    file name, query options, escapes. Those are left to SQLAlchemy."""
    for scheme in _SQLITE_SCHEMES:
        if database_url.startswith(scheme):
            database = database_url[len(scheme) :]
            unusual = not database or database == ":memory:" or database.startswith("file:")
            if unusual or any(c in database for c in "?%#~"):
                return None
            return Path(database)
    return None


def sqlite_topic_summaries(database_url: str) -> list[TopicSummary] | None:
    """`topic_summaries` read with the standard library's sqlite3, read-only, when
    `database_url` is a plain SQLite file at the newest schema. None otherwise (not such a
    URL, no such file, a schema behind, anything the driver refuses): the caller then opens
    the database the usual way, which migrates it or reports the error in its own words."""
    path = sqlite_file(database_url)
    head = head_revision()
    if path is None or head is None or not path.is_file():
        return None
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=_SQLITE_WAIT_S)) as db:
            if [row[0] for row in db.execute(VERSION_QUERY)] != [head]:
                return None
            rows = db.execute(_TOPICS).fetchall()
    except sqlite3.Error:
        return None
    return _summaries(rows)
