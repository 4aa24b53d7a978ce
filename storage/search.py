"""Full-text search over articles: SQLite FTS5 or PostgreSQL tsvector, same results shape.

Callers pass plain words and phrases; this module builds the engine's query syntax itself, so
user text (a Slack question, a topic keyword) can never inject query operators.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from storage.idlists import sql_id_in
from storage.models import UTCDateTime

_WORD = re.compile(r"\w+", re.UNICODE)

# A known set of at most this many articles (a thread's brief, a chunk of new articles) is
# searched by probing each article in the FTS5 index instead of matching the whole index:
# the cost then follows the set's size, not how many of all stored articles hold the words.
MAX_PREFILTER_IDS = 1_000
# A search within known ids matches over at most this many rowid ranges (`_id_runs`), at
# most this many phrases a statement (2 x 12 x 8 SELECTs, under SQLite's 500 a compound).
MAX_RUNS = 8
MIN_GAP = 1_000  # ids this close are one range: a range query's set-up costs more than them
MAX_PHRASES = 12


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
    within = (
        dialect == "sqlite" and article_ids is not None and len(article_ids) <= MAX_PREFILTER_IDS
    )
    if topic_id is not None:
        # Within known ids, one look-up in the link table's key per matching row (SQLite
        # would list the topic's every article for `IN`); over the index, the topic's list.
        filters.append(
            "EXISTS (SELECT 1 FROM article_topics t"
            " WHERE t.article_id = a.id AND t.topic_id = :topic_id)"
            if within
            else "a.id IN (SELECT article_id FROM article_topics WHERE topic_id = :topic_id)"
        )
        params["topic_id"] = topic_id
    if since is not None:
        filters.append("COALESCE(a.published_at, a.fetched_at) >= :since")
        params["since"] = UTCDateTime().process_bind_param(since, session.get_bind().dialect)
    if article_ids is not None:
        if not article_ids:
            return []
        if within:
            return _sqlite_within(session, clean, article_ids, filters, params, limit)
        # One bound value however many ids (a thread's brief plus 67,500 newer articles once
        # broke PostgreSQL's 65,535-parameter limit).
        condition, params["ids"] = sql_id_in(dialect, "a.id", "ids", article_ids)
        filters.append(condition)
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


def _fts5_phrase(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _sqlite_within(
    session: Session,
    phrases: list[str],
    article_ids: Sequence[int],
    filters: list[str],
    params: dict[str, object],
    limit: int,
) -> list[Hit]:
    """FTS5 search within a known set of ids, ranked by a BM25-style weight local to the set.

    Each phrase is matched over the few rowid ranges the ids fall in (`_id_runs`), which FTS5
    answers by seeking each term's doclist to the range, then kept to the ids. Two slower
    plans it replaces: `bm25()` over the whole index counts every stored article holding each
    word on every query (tens of milliseconds for common words at 100,000 articles), and
    `rowid IN (...)` sets the phrase query up again for every id (3-180 ms a phrase over 100
    ids). The ranking is the sum, over the phrases an article holds, of the phrase's inverse
    document frequency within the set, doubled for a phrase in the title (bm25's title weight
    here): a second, title-only match over the same ranges.
    """
    wanted = {int(i) for i in article_ids}
    runs = _id_runs(sorted(wanted))
    holders: dict[str, set[int]] = {p: set() for p in phrases}
    in_title: set[tuple[str, int]] = set()
    for start in range(0, len(phrases), MAX_PHRASES):
        batch = phrases[start : start + MAX_PHRASES]
        for tag, rowid in session.execute(*_within_statement(batch, runs, wanted)):
            if int(rowid) in wanted:
                phrase = batch[int(tag) // 2]
                if tag % 2:
                    in_title.add((phrase, int(rowid)))
                else:
                    holders[phrase].add(int(rowid))
    matched = sorted({i for found in holders.values() for i in found})
    if not matched:
        return []
    listed = ",".join(map(str, matched))
    if filters:
        # topic and date restrictions, on the few matching rows only
        where = "".join(f" AND {f}" for f in filters)
        allowed = session.execute(
            text(f"SELECT a.id FROM articles a WHERE a.id IN ({listed}){where}"), params
        )
        keep = {int(r) for (r,) in allowed}
        matched = [i for i in matched if i in keep]
    n = len(wanted)
    scores: dict[int, float] = dict.fromkeys(matched, 0.0)
    for phrase, found in holders.items():
        df = len(found)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i in found:
            if i in scores:
                scores[i] += idf * (2.0 if (phrase, i) in in_title else 1.0)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    return [Hit(i, round(score, 6)) for i, score in ranked]


def _within_statement(
    phrases: Sequence[str], runs: Sequence[tuple[int, int]], wanted: set[int]
) -> tuple[TextClause, dict[str, object]]:
    """One statement for every phrase: its matches anywhere and in the title, per range (an
    OR of ranges would not reach FTS5 as a rowid constraint), each row tagged 2n (phrase n
    anywhere) or 2n+1 (in the title). Only bound values vary: a question with as many
    phrases and ranges reuses the prepared statement. `+rowid IN` is checked by SQLite on
    each row FTS5 yields for a range, not offered to FTS5 as a constraint (which would set
    the query up again per id): the range's other articles never reach Python."""
    values: dict[str, object] = {"ids": json.dumps(sorted(wanted))}
    for r, (lo, hi) in enumerate(runs):
        values[f"lo{r}"], values[f"hi{r}"] = lo, hi
    selects: list[str] = []
    for n, phrase in enumerate(phrases):
        values[f"m{n}"] = _fts5_phrase(phrase)
        values[f"t{n}"] = "title : " + _fts5_phrase(phrase)
        for tag, key in ((2 * n, f"m{n}"), (2 * n + 1, f"t{n}")):
            selects += [
                f"SELECT {tag}, rowid FROM articles_fts WHERE articles_fts MATCH :{key}"
                f" AND rowid BETWEEN :lo{r} AND :hi{r}"
                " AND +rowid IN (SELECT value FROM json_each(:ids))"
                for r in range(len(runs))
            ]
    return text(" UNION ALL ".join(selects)), values


def _id_runs(ids: Sequence[int], max_runs: int = MAX_RUNS) -> list[tuple[int, int]]:
    """Sorted ids as at most `max_runs` (lo, hi) ranges covering them: split at the widest
    gaps wider than MIN_GAP. A thread's articles were stored close together (one window of
    one topic), so a few ranges cover them tightly; older ones mixed in add a range, not the
    ids between."""
    if not ids:
        return []
    gaps = sorted(range(1, len(ids)), key=lambda k: ids[k] - ids[k - 1], reverse=True)
    cuts = sorted(k for k in gaps[: max_runs - 1] if ids[k] - ids[k - 1] > MIN_GAP)
    bounds = [0, *cuts, len(ids)]
    return [(ids[a], ids[b - 1]) for a, b in itertools.pairwise(bounds)]


def _pg_select(query: str) -> str:
    return f"SELECT {query}"
