"""Briefs: a topic's brief over a window, cached by its exact article set, made once at a time.

The cache key is (topic, exact article set, summarizer and prompt version): the same articles
are never summarized twice, and one new article makes a new brief. Callers wanting
the same key while it is being made wait for it (a digest round briefs one topic for many
channels at once) rather than each paying for the same LLM call: threads of one process on an
in-process flight, worker processes on a PostgreSQL advisory lock (`storage.locks`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UserInputError
from bot.llm import usage
from bot.service.material import article_inputs, require_topic
from bot.settings import Settings
from bot.summarize.filters import Filters, apply_filters
from bot.summarize.gc_pause import gc_paused
from bot.summarize.model import ArticleInput, Brief, Summarizer
from bot.summarize.writing import written_in
from storage import articles as article_store
from storage import briefs as brief_store
from storage import llm_calls as llm_call_store
from storage import locks as lock_store
from storage.db import transaction
from storage.models import Article

log = logging.getLogger(__name__)

# A brief reads at most this many of the window's newest articles: a bound on the rows one
# brief loads, not on what it reads of them. Past 1,000 articles the summarizer groups the
# window into stories and reads the largest (`ExtractiveSummarizer.choose`, chosen from
# the articles' lede terms: `_chosen`), and the brief says how many it read of how many.
# 5,000 articles: 0.47 s CPU a cache-missing brief on SQLite after the first (0.95 s, cold
# caches; 0.75 and 2.7 s before the lede terms were stored per analysis and the read held
# off garbage collection), `bench/brief_speed.py --product-sizes 1000,5000`; it was 200
# until 2 Dec.
MAX_ARTICLES_PER_BRIEF = 5000
# With a subscription's filters, up to this many times the cap are read, filtered, then
# capped, and never more than MAX_FILTERED_ROWS rows (each row holds an article's text).
FILTER_HEADROOM = 5
MAX_FILTERED_ROWS = 10_000
# A brief waiting for the same brief in another thread gives up after OPENAI_TIMEOUT plus
# this (the other's LLM call is over by then), or after the offline figure without an LLM.
FLIGHT_WAIT_GRACE_SECONDS = 10.0
FLIGHT_WAIT_OFFLINE_SECONDS = 60.0
# When the LLM fails (an error, or output that does not hold up) the offline brief stands in.
# It is kept under a key of its own (`stand_in_key`) and served to every caller wanting the
# same LLM brief for this long: a digest round briefs one topic-window for many channels in
# many workers within minutes, and each would otherwise call the failing LLM again. After it,
# the same articles get one new LLM attempt.
STAND_IN_SECONDS = 3600.0


@dataclass(frozen=True)
class BriefResult:
    brief: Brief
    brief_id: int
    cached: bool
    article_ids: tuple[int, ...]
    # LLM tokens this call used (0: cached, offline, or made for another caller), and whether
    # the workspace's monthly token budget made it offline (`bot.render.cost`).
    tokens_in: int = 0
    tokens_out: int = 0
    over_budget: bool = False
    # The language an LLM wrote it in, as asked (`lang:de`, BRIEF_LANGUAGE); None: offline, or
    # no language asked for. The footer says so (`bot.render.cost.written_line`).
    written_in: str | None = None
    # The languages of the articles it read, most articles first (unknown ones left out):
    # an LLM writes the language asked for from articles in any language, and says which.
    read_in: tuple[str, ...] = ()


@dataclass
class _Flight:
    """A brief being computed; callers wanting the same cache key wait for its result."""

    done: threading.Event = field(default_factory=threading.Event)
    result: BriefResult | None = None


@dataclass(frozen=True)
class _Request:
    """One brief asked for: what it reads and the window it is shown for."""

    topic_id: int
    topic_name: str
    rows: Sequence[Article]
    inputs: list[ArticleInput]
    since: datetime
    until: datetime
    now: datetime
    # How many articles the window held when that is more than a brief reads (None: all read);
    # the brief says "the newest 5,000 of 6,340" (`Brief.capped`).
    in_window: int | None = None
    # The language asked for (ISO 639-1; None: any). An LLM brief reads every language; an
    # offline stand-in for it reads only this one (`offline_rows`).
    language: str | None = None

    def offline_rows(self) -> Sequence[Article]:
        """The articles an offline brief standing in for the LLM reads: those in the
        language asked for, or of unknown language (the articles' own sentences are quoted)."""
        if self.language is None:
            return self.rows
        return [r for r in self.rows if r.language in (None, self.language)]

    def shown(self, result: BriefResult) -> BriefResult:
        """A brief made for the same articles, shown for this request's window and time (a
        cache hit, or another thread's result): same articles, same summary."""
        brief = replace(
            result.brief,
            since=self.since,
            until=self.until,
            generated_at=self.now,
            articles_in_window=self._in_window(result),
        )
        return BriefResult(brief, result.brief_id, True, result.article_ids)

    def windowed(self, result: BriefResult) -> BriefResult:
        """A brief just made for this request, saying how many articles its window held."""
        return replace(
            result, brief=replace(result.brief, articles_in_window=self._in_window(result))
        )

    def _in_window(self, result: BriefResult) -> int | None:
        """The window's count when it was capped, else the summarizer's own (a brief that read
        only the largest stories of a large window says so)."""
        return self.in_window if self.in_window is not None else result.brief.articles_in_window


class Briefs:
    """Thread-safe; one per process (the single-flight map is per process)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        summarizer: Callable[[], Summarizer],
        offline: Callable[[], Summarizer],
        llm_enabled: bool,
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._clock = clock
        self._summarizer = summarizer
        self._offline = offline
        self._llm_enabled = llm_enabled
        self._flights: dict[str, _Flight] = {}  # briefs being computed, by cache key
        self._flights_lock = threading.Lock()

    def brief(
        self,
        topic: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        arrived_since: datetime | None = None,
        arrived_except: Sequence[int] = (),
        filters: Filters | None = None,
        team_id: str | None = None,
        language: str | None = None,
    ) -> BriefResult:
        """The brief of `topic` over [since, until] (default: the last BRIEF_WINDOW_HOURS).

        `team_id`: the workspace it is for. Its LLM calls are charged to it, and past its
        LLM_MONTHLY_TOKEN_BUDGET this month the brief is made offline (`over_budget`).

        `filters`: a subscription's (`bot.summarize.filters`), applied to the articles before
        summarizing: what they leave out is neither cited nor counted, and the cache key is
        the set they keep.

        `language`: only articles in that language (ISO 639-1) or of unknown language, before
        the MAX_ARTICLES_PER_BRIEF cap (None: every language).

        `arrived_since`/`arrived_except`: also the articles that reached the topic since then
        (wall clock) whatever their publication time, except those ids (a digest's late
        arrivals; see `storage.articles.for_topic`).
        """
        now = self._clock()
        until = until or now
        since = since or until - timedelta(hours=self._settings.brief_window_hours)
        if since >= until:
            raise UserInputError("The window's start must be before its end.")
        over_budget = self._over_budget(team_id, now)
        summarizer = self._offline() if over_budget else self._summarizer()
        # An LLM writes the language asked for from articles in any language (issue 16 item
        # 9); the offline summarizer quotes sentences, so it reads only that language's.
        translating = language is not None and _by_llm(summarizer)
        # Reading the window builds tens of thousands of short-lived objects without cycles
        # (rows, decoded terms): collection is held off meanwhile (`gc_paused`), as during the
        # summary itself. Each collection they triggered walked every object of the process.
        with gc_paused(), self._factory() as session:
            topic_row = require_topic(session, topic)
            cap = MAX_ARTICLES_PER_BRIEF
            # Filters before the cap: a filtered digest reads the newest `cap` articles its
            # filters keep, not what is left of the newest `cap` (which could be none). Read
            # at most FILTER_HEADROOM times the cap for that, so the query stays bounded.
            limit = cap if filters is None else min(cap * FILTER_HEADROOM, MAX_FILTERED_ROWS)
            window = {
                "since": since,
                "until": until,
                "arrived_since": arrived_since,
                "arrived_except": arrived_except,
                "language": None if translating else language,
            }
            fetched = article_store.for_topic(session, topic_row.id, limit=limit, **window)
            kept = fetched if filters is None else apply_filters(fetched, filters)
            rows = kept[:cap]
            # Over the cap: the brief says it read the newest N of how many (with filters:
            # how many they keep, when all were read; else the window's own count).
            in_window: int | None = None
            if len(kept) > cap or len(fetched) >= limit:
                in_window = (
                    len(kept)
                    if len(fetched) < limit
                    else article_store.count_for_topic(session, topic_row.id, **window)
                )
            key = cache_key(topic_row.name, rows, summarizer, language)
            request = _Request(
                topic_row.id,
                topic_row.name,
                rows,
                [],
                since,
                until,
                now,
                in_window,
                language if translating else None,
            )
            cached = _cached(session, key, stand_in=summarizer is not self._offline())
            if cached is not None:
                return replace(
                    request.shown(cached),
                    over_budget=over_budget,
                    written_in=_written(cached.brief, language),
                    read_in=_read_in(cached.brief, rows),
                )
        # The articles' sentences are loaded by whichever caller makes the brief
        # (`_summarize_and_store`), not here: a digest round misses the cache for one topic in
        # ten channels at once, and each loading every sentence only to wait for the first
        # caller's brief was most of the round's CPU in the serving process.
        with usage.metered(team_id) as meter, written_in(language):
            result = self._single_flight(summarizer, key, request)
        return replace(
            result,
            tokens_in=meter.tokens_in,
            tokens_out=meter.tokens_out,
            over_budget=over_budget,
            written_in=_written(result.brief, language),
            read_in=_read_in(result.brief, _result_rows(request, result)),
        )

    def _over_budget(self, team_id: str | None, now: datetime) -> bool:
        """Has the workspace used its LLM_MONTHLY_TOKEN_BUDGET this (UTC) month?"""
        budget = self._settings.llm_monthly_token_budget
        if team_id is None or budget <= 0 or not self._llm_enabled:
            return False
        month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        with self._factory() as session:
            return llm_call_store.tokens_since(session, team_id, month) >= budget

    def _single_flight(self, summarizer: Summarizer, key: str, request: _Request) -> BriefResult:
        # One computation per cache key at a time in this process: a digest round briefs the
        # same topic for many channels at once, and each would otherwise miss the cache while
        # the first is still summarizing, and pay for the same LLM call again.
        with self._flights_lock:
            flight = self._flights.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leading:
            # Bounded: the first caller's LLM call ends by OPENAI_TIMEOUT; should it still be
            # busy well past that, answer now with the offline brief rather than wait on.
            if not flight.done.wait(self._flight_wait_seconds()):
                log.warning(
                    "brief of %s: still being made elsewhere; briefing offline", request.topic_name
                )
                return self._stand_in(request)
            if flight.result is not None:  # the same articles: reuse it, as from the cache
                return request.shown(flight.result)
            # The first caller failed: try again, on our own.
        try:
            result = self._across_processes(summarizer, key, request)
            if leading:
                flight.result = result
            return result
        finally:
            if leading:
                with self._flights_lock:
                    del self._flights[key]
                flight.done.set()

    def _across_processes(self, summarizer: Summarizer, key: str, request: _Request) -> BriefResult:
        """The same single flight across worker processes (PostgreSQL): the first holds the
        key's lock while it summarizes; the others wait, then find its brief in the cache
        (`_summarize_and_store` looks first), so a topic-window costs one LLM call however
        many workers deliver its digests. Still held elsewhere past the wait: offline."""
        wait = self._flight_wait_seconds()
        with lock_store.across_processes(self._factory, f"brief:{key}", wait_seconds=wait) as got:
            if got:
                return self._summarize_and_store(summarizer, key, request)
        log.warning(
            "brief of %s: being made in another process; briefing offline", request.topic_name
        )
        return self._stand_in(request)

    def _stand_in(self, request: _Request) -> BriefResult:
        """The offline brief, when the LLM's is still being made elsewhere past the wait."""
        offline = self._offline()
        rows = request.offline_rows()
        narrowed = replace(request, rows=rows, language=None)
        return self._summarize_and_store(
            offline, cache_key(request.topic_name, rows, offline), narrowed
        )

    def _flight_wait_seconds(self) -> float:
        """How long a brief waits for the same brief being made by another thread."""
        if not self._llm_enabled:
            return FLIGHT_WAIT_OFFLINE_SECONDS
        return self._settings.openai_timeout + FLIGHT_WAIT_GRACE_SECONDS

    def _summarize_and_store(
        self, summarizer: Summarizer, key: str, request: _Request
    ) -> BriefResult:
        # (Collection held off while the articles are read back and decoded: see `brief`.)
        with gc_paused(), self._factory() as session:  # stored meanwhile (since our lookup)?
            cached = _cached(session, key, stand_in=summarizer is not self._offline())
            if cached is not None:
                return request.shown(cached)
            # The sentences ingestion analysed (an article stored before that is analysed
            # now, once, and kept: the commit below).
            from bot.ingest import analyze as sentence_analysis

            read = _chosen(session, summarizer, request)
            analyses = sentence_analysis.load(
                session, [r.id for r in read], self._settings.nlp_model
            )
            session.commit()
            # Articles the analysis stage has not reached, past what a brief analyses on
            # demand, were read with the plain rules: such a brief is not cached as theirs.
            partial = any(sentence_analysis.is_transient(a) for a in analyses.values())
            request = replace(request, inputs=article_inputs(session, read, analyses))
        since, until, now = request.since, request.until, request.now
        brief = None
        if summarizer is self._offline() and self._settings.brief_processes:
            from bot.brief_pool import shared_pool

            # In a worker process: this process's GIL stays free for Slack acks.
            brief = shared_pool(self._settings.brief_processes).summarize(
                request.topic_name, request.inputs, since=since, until=until, now=now
            )
        if brief is None:
            brief = summarizer.summarize(
                request.topic_name, request.inputs, since=since, until=until, now=now
            )
        if len(request.inputs) < len(request.rows):  # said: "600 of 5,000 articles (...)"
            brief = replace(brief, articles_in_window=len(request.rows), read="largest stories")
        store = brief_store.put
        if brief.summarizer != summarizer.name:
            # The LLM failed and the offline summarizer stood in: kept under its own key, for
            # every caller wanting this LLM brief until STAND_IN_SECONDS have passed (then the
            # LLM is tried again, and its brief, or the next stand-in, replaces this one).
            key, store = stand_in_key(key), brief_store.replace
        if partial:
            key, store = partial_key(key), brief_store.replace
        # The articles it read (a large window's chosen stories, not every row): what a
        # thread's questions search first, and what a digest's brief covered.
        article_ids = [r.id for r in read]
        with transaction(self._factory) as session:
            row = store(
                session,
                cache_key=key,
                topic_id=request.topic_id,
                since=since,
                until=until,
                summarizer=brief.summarizer,
                prompt_version=summarizer.version,
                article_ids=article_ids,
                payload=brief.to_dict(),
            )
            return request.windowed(BriefResult(brief, row.id, False, tuple(article_ids)))

    def article_ids(self, brief_id: int) -> tuple[int, ...]:
        """The articles a stored brief read (empty when it is gone)."""
        with self._factory() as session:
            row = brief_store.get_by_id(session, brief_id)
            return tuple(int(i) for i in (row.article_ids or [])) if row is not None else ()


def _chosen(session: Session, summarizer: Summarizer, request: _Request) -> Sequence[Article]:
    """The rows the summarizer reads of a window too large for it to read whole (its largest
    stories: `ExtractiveSummarizer.choose`), chosen from their lede terms alone; else all.
    Decoding every stored sentence of a 5,000-article window to read 600 of them was 5 s of
    the brief's 6 s CPU (2 Dec, bench/brief_speed.py --product-sizes 5000); the lede terms
    are one short stored text per article (`load_ledes`)."""
    narrows = getattr(summarizer, "narrows", None)
    choose = getattr(summarizer, "choose", None)
    if narrows is None or choose is None or not narrows(len(request.rows)):
        return request.rows
    from bot.ingest import analyze as sentence_analysis

    ledes = sentence_analysis.load_ledes(session, [r.id for r in request.rows])
    inputs = article_inputs(session, request.rows, ledes=ledes)
    picked = {a.id for a in choose(request.topic_name, inputs)}
    return [r for r in request.rows if str(r.id) in picked]


def _cached(session: Session, key: str, *, stand_in: bool = False) -> BriefResult | None:
    """The stored brief of this cache key, as it was stored; with `stand_in` (an LLM's key),
    else the offline brief that stood in for it less than STAND_IN_SECONDS ago."""
    row = brief_store.get(session, key)
    if row is None and stand_in:
        row = brief_store.get(session, stand_in_key(key))
        if row is not None and _age_seconds(row.created_at) >= STAND_IN_SECONDS:
            row = None  # the LLM gets another attempt
    if row is None:
        return None
    return BriefResult(Brief.from_dict(row.payload), row.id, True, tuple(row.article_ids))


def _by_llm(summarizer: Summarizer) -> bool:
    return summarizer.name.startswith("llm")


def _age_seconds(stamp: datetime) -> float:
    # Stamped with the wall clock (`storage.models.utcnow`), read back naive on SQLite.
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (datetime.now(UTC) - stamp).total_seconds()


def partial_key(key: str) -> str:
    """Where a brief made while some of its articles' analysis was still to come is kept
    (never found by a later brief's look-up: that one reads the stored analysis)."""
    return hashlib.sha256(f"{key}:partial".encode()).hexdigest()


def stand_in_key(key: str) -> str:
    """Where the offline brief that stood in for the LLM brief of `key` is kept."""
    return hashlib.sha256(f"{key}:stand-in".encode()).hexdigest()


def _written(brief: Brief, language: str | None) -> str | None:
    """The language an LLM wrote `brief` in (None: made offline, or none asked for)."""
    return language if language and brief.summarizer.startswith("llm") else None


def _result_rows(request: _Request, result: BriefResult) -> Sequence[Article]:
    """The rows a brief result read (an offline stand-in reads fewer than were asked for)."""
    ids = set(result.article_ids)
    return [r for r in request.rows if r.id in ids] if ids else request.rows


def _read_in(brief: Brief, rows: Sequence[Article]) -> tuple[str, ...]:
    """The languages of the articles an LLM brief read, most articles first (empty: offline,
    or no article's language known)."""
    if not brief.summarizer.startswith("llm"):
        return ()
    counts = Counter(r.language for r in rows if r.language)
    return tuple(code for code, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def cache_key(
    topic: str, rows: Sequence[Article], summarizer: Summarizer, language: str | None = None
) -> str:
    material = {
        "topic": topic,
        "articles": sorted([r.id, r.content_hash] for r in rows),
        "summarizer": summarizer.name,
        "version": summarizer.version,
        # An LLM writes the brief in the language asked for: one cached brief per language.
        # The offline brief is the articles' own sentences whatever was asked (the language
        # already chose the articles), so a digest and a plain `brief` share it.
        "language": language if _by_llm(summarizer) else None,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
