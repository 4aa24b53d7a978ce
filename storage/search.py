"""Full-text search over articles: SQLite FTS5 or PostgreSQL tsvector, same results shape.

Callers pass plain words and phrases; this module builds the engine's query syntax itself, so
user text (a Slack question, a topic keyword) can never inject query operators.
"""

from __future__ import annotations

import functools
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
# The same within a topic's own index (`topic_fts`): between two of a thread's ids it holds only
# the topic's articles (at 50 topics, 1 in 50 of the ids), not the whole store's, so a wider
# gap still costs less to read through than one more range per phrase and column (each
# range a statement of its own: 6-8 ranges were 2.7 of a thread search's 3.4 ms CPU at
# 100,000 articles; one range 0.7 ms, the same hits).
TOPIC_MIN_GAP = 5_000
MAX_PHRASES = 12
# The per-topic index (migration 0015): a topic's entries are rowids topic_id * 2^32 +
# article_id in SQLite's `topic_fts`, and carry the lexeme `~t<topic_id>` in PostgreSQL's
# `topic_search`.
TOPIC_ROWIDS = 1 << 32
# A topic-wide search reads at most this many of the newest articles holding each phrase
# (SQLite): the cost is bounded however large the topic grows; a phrase that common weighs
# almost nothing in the ranking anyway.
MAX_MATCHES_PER_PHRASE = 5_000


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
    if not clean or (article_ids is not None and not article_ids):
        return []
    dialect = session.get_bind().dialect.name
    within = article_ids is not None and len(article_ids) <= MAX_PREFILTER_IDS
    if dialect == "sqlite" and topic_id is not None and (article_ids is None or within):
        # The topic's own index (migration 0015): only its articles are matched.
        base = topic_id * TOPIC_ROWIDS
        ids = None if article_ids is None else [base + int(i) for i in article_ids]
        return _sqlite_ranges(
            session, clean, "topic_fts", base, ids, since, limit, min_gap=TOPIC_MIN_GAP
        )
    if dialect == "sqlite" and within and article_ids is not None:
        ids = [int(i) for i in article_ids]
        return _sqlite_ranges(session, clean, "articles_fts", 0, ids, since, limit)
    if dialect == "postgresql" and topic_id is not None and article_ids is None:
        return _pg_topic(session, clean, topic_id, since, limit)
    return _whole_index(session, dialect, clean, topic_id, since, article_ids, limit)


def _whole_index(
    session: Session,
    dialect: str,
    clean: list[str],
    topic_id: int | None,
    since: datetime | None,
    article_ids: Sequence[int] | None,
    limit: int,
) -> list[Hit]:
    """One ranked statement over the whole index: searches with no topic (related articles
    across topics), and PostgreSQL's within known ids (checked per row on the key)."""
    params: dict[str, object] = {"limit": limit}
    filters = _filters(session, params, topic_id, since)
    if article_ids is not None:
        # One bound value however many ids (a thread's brief plus 67,500 newer articles once
        # broke PostgreSQL's 65,535-parameter limit).
        condition, params["ids"] = sql_id_in(dialect, "a.id", "ids", article_ids)
        filters.append(condition)
    where = "".join(f" AND {f}" for f in filters)
    if dialect == "postgresql":
        query = _pg_query(clean, params)
        sql = (
            f"SELECT a.id, ts_rank_cd(a.search_vector, q) AS score "
            f"FROM articles a, ({_pg_select(query)}) AS s(q) "
            f"WHERE a.search_vector @@ q{where} ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    else:
        # FTS5: quoted strings are phrases; OR between them. Quotes inside are doubled.
        params["match"] = " OR ".join(_fts5_phrase(p) for p in clean)
        sql = (
            "SELECT a.id, -bm25(articles_fts, 2.0, 1.0) AS score "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH :match{where} ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    rows = session.execute(text(sql), params)
    return [Hit(int(article_id), float(score)) for article_id, score in rows]


def _filters(
    session: Session, params: dict[str, object], topic_id: int | None, since: datetime | None
) -> list[str]:
    filters: list[str] = []
    if topic_id is not None:
        # One look-up in the link table's key per matching row: `IN (the topic's list)`
        # would read the topic's every link (2,000 at 100,000 articles) for a few rows.
        filters.append(
            "EXISTS (SELECT 1 FROM article_topics t"
            " WHERE t.article_id = a.id AND t.topic_id = :topic_id)"
        )
        params["topic_id"] = topic_id
    if since is not None:
        filters.append("COALESCE(a.published_at, a.fetched_at) >= :since")
        params["since"] = UTCDateTime().process_bind_param(since, session.get_bind().dialect)
    return filters


def _pg_query(clean: list[str], params: dict[str, object]) -> str:
    parts = []
    for n, phrase in enumerate(clean):
        params[f"p{n}"] = phrase
        # Single words match their stem; several words must be adjacent.
        parts.append(f"phraseto_tsquery('english', :p{n})")
    return " || ".join(parts)


def _pg_topic(
    session: Session, clean: list[str], topic_id: int, since: datetime | None, limit: int
) -> list[Hit]:
    """PostgreSQL, a topic's articles: the question's words AND the topic's lexeme in one GIN
    look-up on `topic_search` (migration 0015), so only the topic's matching rows are read
    and ranked, not every stored article holding a common word."""
    params: dict[str, object] = {"limit": limit, "topic": f"'~t{int(topic_id)}'"}
    query = _pg_query(clean, params)
    where = ""
    if since is not None:
        params["since"] = UTCDateTime().process_bind_param(since, session.get_bind().dialect)
        where = (
            " AND EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id"
            " AND COALESCE(a.published_at, a.fetched_at) >= :since)"
        )
    sql = (
        "SELECT s.article_id, ts_rank_cd(s.search_vector, q) AS score "
        f"FROM topic_search s, ({_pg_select(query)}) AS x(q) "
        f"WHERE s.search_vector @@ (q && CAST(:topic AS tsquery)){where} "
        "ORDER BY score DESC, s.article_id DESC LIMIT :limit"
    )
    rows = session.execute(text(sql), params)
    return [Hit(int(article_id), float(score)) for article_id, score in rows]


def _fts5_phrase(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _sqlite_ranges(
    session: Session,
    phrases: list[str],
    table: str,
    base: int,
    rowids: list[int] | None,
    since: datetime | None,
    limit: int,
    *,
    min_gap: int = MIN_GAP,
) -> list[Hit]:
    """FTS5 search over rowid ranges of `table`, ranked by a BM25-style weight local to the
    searched set: known rowids (a thread's articles, a chunk of new ones), or a topic's
    whole range in `topic_fts` (`rowids` None). Article id = rowid - `base`.

    Each phrase is matched over the few rowid ranges (`_id_runs`), which FTS5 answers by
    seeking each term's doclist to the range, then kept to the rowids. Two slower plans it
    replaces: `bm25()` over the whole index counts every stored article holding each word on
    every query (tens of milliseconds for common words at 100,000 articles), and `rowid IN
    (...)` sets the phrase query up again for every id (3-180 ms a phrase over 100 ids). The
    ranking is the sum, over the phrases an article holds, of the phrase's inverse document
    frequency within the set, doubled for a phrase in the title (bm25's title weight here):
    a second, title-only match over the same ranges.
    """
    if rowids is None:
        runs = [(base, base + TOPIC_ROWIDS - 1)]
        n = _topic_size(session, base // TOPIC_ROWIDS)
    else:
        runs = _id_runs(sorted(set(rowids)), min_gap=min_gap)
        n = len(set(rowids))
    holders: dict[str, set[int]] = {p: set() for p in phrases}
    in_title: set[tuple[str, int]] = set()
    for start in range(0, len(phrases), MAX_PHRASES):
        batch = phrases[start : start + MAX_PHRASES]
        for tag, rowid in session.execute(*_ranges_statement(table, batch, runs, rowids)):
            phrase, article_id = batch[int(tag) // 2], int(rowid) - base
            if tag % 2:
                in_title.add((phrase, article_id))
            else:
                holders[phrase].add(article_id)
    matched = {i for found in holders.values() for i in found}
    if matched and since is not None:
        matched = _published_since(session, matched, since)
    if not matched:
        return []
    scores: dict[int, float] = dict.fromkeys(matched, 0.0)
    for phrase, found in holders.items():
        df = len(found)
        idf = math.log(1 + (max(n, df) - df + 0.5) / (df + 0.5))
        for i in found & matched:
            scores[i] += idf * (2.0 if (phrase, i) in in_title else 1.0)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    return [Hit(i, round(score, 6)) for i, score in ranked]


def _topic_size(session: Session, topic_id: int) -> int:
    """The topic's linked articles (the set a topic-wide ranking's frequencies are within)."""
    found = session.execute(
        text("SELECT count(*) FROM article_topics WHERE topic_id = :t"), {"t": topic_id}
    ).scalar()
    return int(found or 0)


def _published_since(session: Session, ids: set[int], since: datetime) -> set[int]:
    """The date restriction, on the few matching rows only."""
    rows = session.execute(
        text(
            "SELECT a.id FROM articles a WHERE a.id IN (SELECT value FROM json_each(:ids))"
            " AND COALESCE(a.published_at, a.fetched_at) >= :since"
        ),
        {
            "ids": json.dumps(sorted(ids)),
            "since": UTCDateTime().process_bind_param(since, session.get_bind().dialect),
        },
    )
    return {int(r) for (r,) in rows}


def _ranges_statement(
    table: str,
    phrases: Sequence[str],
    runs: Sequence[tuple[int, int]],
    rowids: Sequence[int] | None,
) -> tuple[TextClause, dict[str, object]]:
    """One statement for every phrase (see `_ranges_sql`) and its bound values."""
    values: dict[str, object] = {}
    if rowids is not None:
        values["ids"] = json.dumps(sorted(set(rowids)))
    for r, (lo, hi) in enumerate(runs):
        values[f"lo{r}"], values[f"hi{r}"] = lo, hi
    for n, phrase in enumerate(phrases):
        values[f"m{n}"] = _fts5_phrase(phrase)
        values[f"t{n}"] = "title : " + _fts5_phrase(phrase)
    return _ranges_sql(table, len(phrases), len(runs), rowids is not None), values


@functools.lru_cache(maxsize=256)
def _ranges_sql(table: str, phrases: int, runs: int, known: bool) -> TextClause:
    """Each phrase's matches anywhere and in the title, per range (an OR of ranges would not
    reach FTS5 as a rowid constraint), each row tagged 2n (phrase n anywhere) or 2n+1 (in
    the title). Only bound values vary, and the statement is built once per shape: parsing a
    compound of 2 x phrases x ranges SELECTs cost more than running it (3.5 ms a search).
    With `known` rowids, `+rowid IN` is checked by SQLite on each row FTS5 yields for a
    range, not offered to FTS5 as a constraint (which would set the query up again per id):
    the range's other articles never reach Python. Over a whole topic, each phrase's newest
    MAX_MATCHES_PER_PHRASE only."""
    keep = " AND +rowid IN (SELECT value FROM json_each(:ids))" if known else ""
    selects: list[str] = []
    for n in range(phrases):
        for tag, key in ((2 * n, f"m{n}"), (2 * n + 1, f"t{n}")):
            for r in range(runs):
                select = (
                    f"SELECT {tag}, rowid FROM {table} WHERE {table} MATCH :{key}"
                    f" AND rowid BETWEEN :lo{r} AND :hi{r}{keep}"
                )
                if not known:
                    select = (
                        f"SELECT * FROM ({select} ORDER BY rowid DESC"
                        f" LIMIT {MAX_MATCHES_PER_PHRASE})"
                    )
                selects.append(select)
    return text(" UNION ALL ".join(selects))


def _id_runs(
    ids: Sequence[int], max_runs: int = MAX_RUNS, min_gap: int = MIN_GAP
) -> list[tuple[int, int]]:
    """Sorted ids as at most `max_runs` (lo, hi) ranges covering them: split at the widest
    gaps wider than `min_gap`. A thread's articles were stored close together (one window of
    one topic), so a few ranges cover them tightly; older ones mixed in add a range, not the
    ids between."""
    if not ids:
        return []
    gaps = sorted(range(1, len(ids)), key=lambda k: ids[k] - ids[k - 1], reverse=True)
    cuts = sorted(k for k in gaps[: max_runs - 1] if ids[k] - ids[k - 1] > min_gap)
    bounds = [0, *cuts, len(ids)]
    return [(ids[a], ids[b - 1]) for a, b in itertools.pairwise(bounds)]


def _pg_select(query: str) -> str:
    return f"SELECT {query}"
