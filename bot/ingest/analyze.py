"""Sentence analysis at ingestion: stored once per article, read back by briefs and answers.

`load(session, article_ids, nlp_setting)` is the read API: the stored analyses
(`bot.nlp.features.ArticleAnalysis`) of those articles, analysing and storing on first use any
that are missing or stale (articles stored before the sentences table existed, or analysed by
an older analyzer or without a model). `reindex` redoes every stale one (`briefbot db reindex`).
The analysis itself is `bot.summarize.analysis.analyze_article` (pure).
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.nlp import analysis_cache, load_pipeline
from bot.nlp.features import ArticleAnalysis, SentenceFeatures
from bot.summarize.analysis import (
    analysis_paragraphs,
    analyze_article,
    analyzer_version,
    is_stale,
)
from storage import sentences as sentence_store
from storage.models import Article

if TYPE_CHECKING:
    from spacy.language import Language
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

__all__ = [
    "analyze_and_store",
    "analyze_batch",
    "is_transient",
    "load",
    "load_ledes",
    "reindex",
    "store_analyses",
]

# A reader (a brief) meeting articles not analysed yet (the analysis stage is behind, or failed
# on them) analyses them itself, bounded: at most this many with the model, within this many
# seconds (spaCy takes about a fifth of a second per article on one core; a brief reads up
# to 1,000 in full). The rest get the plain rules' analysis for this read only (not stored:
# the stage stores the model's).
ON_DEMAND_MAX = 200
# Marks the version of such a read-only analysis: a brief made from one is not cached as the
# brief of its articles (`is_transient`), so the next brief reads the model's analysis.
TRANSIENT = "+transient"
ON_DEMAND_DEADLINE_S = 60.0
_ON_DEMAND_CHUNK = 16

# Paragraphs spaCy parses together: full batches cost about a tenth less CPU per word than
# one article's paragraphs at a time (measured on the article-extraction pages).
_PIPE_BATCH = 256


def analyze_batch(
    articles: Sequence[tuple[str, str, datetime | None]], nlp: Language | None
) -> list[ArticleAnalysis]:
    """The analyses of (title, text, published_at) articles, the same as `analyze_article`
    of each, with every article's paragraphs parsed in one `nlp.pipe` (streamed: one batch of
    paragraphs is held at a time, whatever the number of articles)."""
    if nlp is None:
        return [
            analyze_article(title, text, published, None) for title, text, published in articles
        ]
    paragraphs = [analysis_paragraphs(text) for _, text, _ in articles]
    docs = iter(nlp.pipe(itertools.chain.from_iterable(paragraphs), batch_size=_PIPE_BATCH))
    return [
        analyze_article(title, text, published, nlp, docs=list(itertools.islice(docs, len(paras))))
        for (title, text, published), paras in zip(articles, paragraphs, strict=True)
    ]


# -- storage: the read API and reindex ------------------------------------------------------


def _database(session: Session) -> str:
    """Which database a session reads (part of the cache key: one process may open several)."""
    return str(session.get_bind().url)


def _store(session: Session, analyses: dict[int, ArticleAnalysis]) -> None:
    """Store analyses by article id: a few statements per chunk, not per article."""
    database = _database(session)
    for article_id in analyses:
        analysis_cache.forget(database, article_id)
    sentence_store.replace_many(
        session,
        {
            article_id: (
                analysis.version,
                [(s.position, s.paragraph, s.text, s.features_json()) for s in analysis.sentences],
            )
            for article_id, analysis in analyses.items()
        },
        {article_id: encode_ledes(analysis) for article_id, analysis in analyses.items()},
    )


# -- lede terms: what a window too large to read whole is grouped into stories by -----------
#
# Stored beside each analysis as one short text (`article_analyses.ledes`): the number of
# lede sentences they cover, the terms in first-seen order, their counts, separated by tabs
# ("8\tjeddah talk u.s\t2 1 1"). Terms are word tokens (`bot.summarize.sentences.terms`),
# never blank or holding whitespace; an analysis with one that does stores none (None), and
# is read from its sentences instead, as is one stored with another LEDE_SENTENCES.


def _lede_counts(sentences: Any) -> dict[str, int]:
    """The term counts of the first LEDE_SENTENCES prose sentences of `sentences`
    ((kind, terms) pairs), first-seen order, counts added."""
    from bot.summarize.stories import LEDE_SENTENCES

    counts: dict[str, int] = {}
    for terms in itertools.islice((t for kind, t in sentences if kind == "prose"), LEDE_SENTENCES):
        for term, count in terms:
            counts[term] = counts.get(term, 0) + int(count)
    return counts


def _encode(counts: dict[str, int]) -> str | None:
    from bot.summarize.stories import LEDE_SENTENCES

    if any(term.split() != [term] for term in counts):  # blank, or holding whitespace
        return None
    values = " ".join(map(str, counts.values()))
    return f"{LEDE_SENTENCES}\t{' '.join(counts)}\t{values}"


def encode_ledes(analysis: ArticleAnalysis) -> str | None:
    """An analysis' lede terms as `article_analyses.ledes` keeps them (None: not encodable)."""
    return _encode(_lede_counts((s.kind, s.terms) for s in analysis.sentences))


def decode_ledes(stored: str | None) -> analysis_cache.Ledes | None:
    """(terms, counts) of stored lede terms, the terms interned (shared by every article that
    has them); None when there are none, or they cover another number of sentences."""
    from bot.summarize.stories import LEDE_SENTENCES

    if not stored:
        return None
    sentences, terms, counts = stored.split("\t")
    if sentences != str(LEDE_SENTENCES):
        return None
    return tuple(map(sys.intern, terms.split())), tuple(map(int, counts.split()))


def store_analyses(session: Session, analyses: dict[int, ArticleAnalysis]) -> None:
    """Store analyses computed elsewhere (the ingest worker processes), by article id."""
    _store(session, analyses)


def analyze_and_store(session: Session, rows: Sequence[Any], nlp: Language | None) -> None:
    """Analyse stored article rows (id, title, text, published_at) and store the results."""
    analyses = analyze_batch([(r.title, r.text, r.published_at) for r in rows], nlp)
    _store(session, {row.id: a for row, a in zip(rows, analyses, strict=True)})


def load(
    session: Session,
    article_ids: Sequence[int],
    nlp_setting: str = "auto",
    *,
    max_fresh: int | None = None,
    deadline_s: float | None = None,
) -> dict[int, ArticleAnalysis]:
    """The analyses of these articles; missing or stale ones are analysed now and stored
    (at most `max_fresh` of them within `deadline_s`; see `ON_DEMAND_MAX`).

    Commits nothing itself when all are stored; otherwise writes through `session` (the
    caller commits).
    """
    stamps = sentence_store.stamps(session, article_ids)
    versions = {i: version for i, (version, _) in stamps.items()}
    nlp = None
    current: str | None = None
    stale = [i for i in article_ids if is_stale(versions.get(i), analyzer_version(None))]
    if stale or any(v.endswith("+plain") for v in versions.values()):
        nlp = load_pipeline(nlp_setting)
        current = analyzer_version(nlp)
        stale = [i for i in article_ids if is_stale(versions.get(i), current)]
    stale_set = set(stale)
    # Decoded analyses are cached per stored stamp (see bot.nlp.analysis_cache): only the
    # articles missing from it are read back and decoded.
    database = _database(session)
    out: dict[int, ArticleAnalysis] = {}
    keys: dict[int, analysis_cache.Key] = {}
    for article_id in article_ids:
        if article_id in stale_set or article_id in out:
            continue
        version, analyzed_at = stamps.get(article_id, ("", None))
        key = (database, article_id, version, analyzed_at)
        cached = analysis_cache.get(key) if analyzed_at is not None else None
        if cached is not None:
            out[article_id] = cached
        else:
            keys[article_id] = key
    stored = sentence_store.load(session, list(keys)) if keys else {}
    for article_id, key in keys.items():
        rows = stored.get(article_id, [])
        analysis = ArticleAnalysis(
            key[2], tuple(SentenceFeatures.from_json(p, g, t, f) for p, g, t, f in rows)
        )
        if key[3] is not None:
            analysis_cache.put(key, analysis)
        out[article_id] = analysis
    out = {i: out[i] for i in article_ids if i in out}  # the callers' order, as before
    if stale:
        # All analysed first, then stored: on SQLite the write lock is taken by the first
        # write and held to the commit, so the CPU work must come before it.
        rows = session.query(Article).filter(Article.id.in_(stale)).all()
        # In the callers' order: the bound keeps the articles they listed first (PostgreSQL
        # returns rows in heap order, which an update of a row changes).
        order = {article_id: n for n, article_id in enumerate(stale)}
        rows.sort(key=lambda row: order[row.id])
        most = ON_DEMAND_MAX if max_fresh is None else max_fresh
        seconds = ON_DEMAND_DEADLINE_S if deadline_s is None else deadline_s
        fresh, passing = _on_demand(rows, nlp, most, time.monotonic() + seconds)
        _store(session, fresh)
        out.update(fresh)
        out.update(passing)
    return out


def load_ledes(session: Session, article_ids: Sequence[int]) -> dict[int, analysis_cache.Ledes]:
    """Of these articles, those with a stored analysis, as the (terms, counts) of their first
    LEDE_SENTENCES prose sentences (first-seen order, counts added; `ArticleInput.lede_terms`):
    all that `ExtractiveSummarizer.choose` reads of them, for a fraction of decoding every
    feature of every sentence. Nothing is analysed here: an article without an analysis is
    left out (the summarizer reads its words instead)."""
    stamps = sentence_store.lede_stamps(session, article_ids)
    database = _database(session)
    out: dict[int, analysis_cache.Ledes] = {}
    keys: dict[int, analysis_cache.Key] = {}
    for article_id in article_ids:
        stamp = stamps.get(article_id)
        if stamp is None or stamp[0].startswith(sentence_store.FAILED):
            continue
        key = (database, article_id, stamp[0], stamp[1])
        ledes = analysis_cache.get_ledes(key)
        if ledes is None:
            # Stored with the analysis (one short text); else (an analysis stored before
            # migration 0017) read from its sentences' features below.
            ledes = decode_ledes(stamp[2])
            if ledes is None:
                keys[article_id] = key
                continue
            if key[3] is not None:
                analysis_cache.put_ledes(key, ledes)
        out[article_id] = ledes
    for article_id, ledes in _ledes_from_sentences(session, list(keys)).items():
        key = keys[article_id]
        if key[3] is not None:
            analysis_cache.put_ledes(key, ledes)
        out[article_id] = ledes
    return out


def _ledes_from_sentences(
    session: Session, article_ids: Sequence[int]
) -> dict[int, analysis_cache.Ledes]:
    """The lede terms of these articles read from their stored sentences' features (every
    article listed: one without a prose sentence has none)."""
    from bot.summarize.stories import LEDE_SENTENCES

    if not article_ids:
        return {}
    stored = sentence_store.load_lede_terms(session, article_ids, LEDE_SENTENCES)
    out: dict[int, analysis_cache.Ledes] = {}
    for article_id in article_ids:
        counts = _lede_counts(("prose", terms) for terms in stored.get(article_id, []))
        out[article_id] = (tuple(map(sys.intern, counts)), tuple(counts.values()))
    return out


def _fill_ledes(session: Session) -> int:
    """Store the lede terms of analyses stored before migration 0017 (read from their
    sentences); returns how many were filled."""
    done = 0
    after = 0
    while ids := sentence_store.without_ledes(session, after=after, limit=500):
        after = ids[-1]
        stamps = sentence_store.stamps(session, ids)
        filled = {
            i: (stamps[i][1], _encode(dict(zip(*ledes, strict=True))) or "")
            for i, ledes in _ledes_from_sentences(session, ids).items()
        }
        # ("" for terms that cannot be encoded: not filled again; read as none.)
        sentence_store.fill_ledes(session, filled)
        session.flush()
        done += len(filled)
    return done


def _transient(analysis: ArticleAnalysis) -> ArticleAnalysis:
    return ArticleAnalysis(analysis.version + TRANSIENT, analysis.sentences)


def is_transient(analysis: ArticleAnalysis) -> bool:
    """Was this analysis made for one read only (the plain rules standing in for the model)?"""
    return analysis.version.endswith(TRANSIENT)


def _on_demand(
    rows: Sequence[Any], nlp: Language | None, max_fresh: int, deadline: float
) -> tuple[dict[int, ArticleAnalysis], dict[int, ArticleAnalysis]]:
    """(analyses to store, analyses for this read only) of article rows not analysed yet:
    the model's for as many as the bounds allow, the plain rules' for the rest and for any
    the model fails on (logged; the analysis stage tries those again)."""
    fresh: dict[int, ArticleAnalysis] = {}
    passing: dict[int, ArticleAnalysis] = {}
    for start in range(0, len(rows), _ON_DEMAND_CHUNK):
        chunk = rows[start : start + _ON_DEMAND_CHUNK]
        material = [(r.title, r.text, r.published_at) for r in chunk]
        if nlp is not None and (start >= max_fresh or time.monotonic() >= deadline):
            log.warning(
                "%d articles not analysed yet: briefed on the plain rules this time",
                len(rows) - start,
            )
            plain = analyze_batch([(r.title, r.text, r.published_at) for r in rows[start:]], None)
            passing.update((r.id, _transient(a)) for r, a in zip(rows[start:], plain, strict=True))
            break
        try:
            analyses = analyze_batch(material, nlp)
        except Exception:
            if nlp is None:
                raise
            log.warning("analysing %d articles on demand failed", len(chunk), exc_info=True)
            plain = analyze_batch(material, None)
            passing.update((r.id, _transient(a)) for r, a in zip(chunk, plain, strict=True))
            continue
        fresh.update((r.id, a) for r, a in zip(chunk, analyses, strict=True))
    return fresh, passing


def reindex(session: Session, nlp_setting: str = "auto", *, force: bool = False) -> int:
    """Re-analyse every article whose stored analysis is missing or stale; returns how many."""
    nlp = load_pipeline(nlp_setting)
    current = analyzer_version(nlp)
    ids = list(session.scalars(Article.__table__.select().with_only_columns(Article.id)))
    versions = sentence_store.versions(session, ids)
    todo = [i for i in ids if force or is_stale(versions.get(i), current)]
    done = 0
    for start in range(0, len(todo), 200):
        chunk = todo[start : start + 200]
        rows = session.query(Article).filter(Article.id.in_(chunk)).all()
        analyze_and_store(session, rows, nlp)
        session.flush()
        done += len(rows)
    # Analyses that are current but were stored before their lede terms were: filled from
    # their sentences, no re-analysis (not counted: their analysis is unchanged).
    _fill_ledes(session)
    return done
