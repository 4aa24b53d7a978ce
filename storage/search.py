"""Full-text search over articles: SQLite FTS5 or PostgreSQL tsvector, same results shape.

Callers pass plain words and phrases; this module builds the engine's query syntax itself, so
user text (a Slack question, a topic keyword) can never inject query operators.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.models import UTCDateTime

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float  # higher is better, comparable only within one result list


def _terms(phrase: str) -> list[str]:
    return _WORD.findall(phrase.lower())


def search(
    session: Session,
    phrases: Sequence[str],
    *,
    topic_id: int | None = None,
    since: datetime | None = None,
    article_ids: Sequence[int] | None = None,
    limit: int = 50,
) -> list[Hit]:
    """Articles matching ANY of `phrases` (each phrase's words must appear together), best first.

    `topic_id` restricts to the topic's linked articles, `article_ids` to an explicit set,
    `since` to articles published (or fetched) since then.
    """
    clean = [" ".join(_terms(p)) for p in phrases]
    clean = [p for p in dict.fromkeys(clean) if p]
    if not clean:
        return []
    dialect = session.get_bind().dialect.name
    params: dict[str, object] = {"limit": limit}
    filters: list[str] = []
    if topic_id is not None:
        filters.append("a.id IN (SELECT article_id FROM article_topics WHERE topic_id = :topic_id)")
        params["topic_id"] = topic_id
    if since is not None:
        filters.append("COALESCE(a.published_at, a.fetched_at) >= :since")
        params["since"] = UTCDateTime().process_bind_param(since, session.get_bind().dialect)
    if article_ids is not None:
        if not article_ids:
            return []
        names = []
        for n, article_id in enumerate(article_ids):
            params[f"id{n}"] = int(article_id)
            names.append(f":id{n}")
        filters.append(f"a.id IN ({', '.join(names)})")
    where = "".join(f" AND {f}" for f in filters)

    if dialect == "postgresql":
        parts = []
        for n, phrase in enumerate(clean):
            params[f"p{n}"] = phrase
            # Single words match their stem; several words must be adjacent.
            parts.append(f"phraseto_tsquery('english', :p{n})")
        query = " || ".join(parts)
        sql = (
            f"SELECT a.id, ts_rank_cd(a.search_vector, q) AS score "
            f"FROM articles a, ({_pg_select(query)}) AS s(q) "
            f"WHERE a.search_vector @@ q{where} ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    else:
        # FTS5: quoted strings are phrases; OR between them. Quotes inside are doubled.
        params["match"] = " OR ".join('"' + p.replace('"', '""') + '"' for p in clean)
        sql = (
            "SELECT a.id, -bm25(articles_fts, 2.0, 1.0) AS score "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH :match{where} ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    rows = session.execute(text(sql), params)
    return [Hit(int(article_id), float(score)) for article_id, score in rows]


def _pg_select(query: str) -> str:
    return f"SELECT {query}"
