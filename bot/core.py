"""The public core of briefbot: topics, ingestion, briefs and answers over one database.

The CLI and the Slack app are thin faces on `Briefbot`. It owns the I/O edges (database, HTTP
fetcher, LLM client) and hands plain data to the pure parts (`bot.summarize`, `bot.answer`
ranking, `bot.render`). Everything that talks to the outside can be injected, so tests pass a
loopback-only HTTP transport and a local LLM server, and benchmarks pass counters.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import metrics
from bot.answer.model import AnswerDraft, AnswerSentence
from bot.answer.result import Answer
from bot.errors import BriefbotError, LLMError, NotFoundError, UserInputError
from bot.ingest.report import IngestLimits, IngestReport, SourceSpec, search_source_url
from bot.ingest.urls import canonical_url, classify_source
from bot.settings import Settings
from bot.summarize.model import ArticleInput, Brief, SourceRef, Summarizer
from storage import articles as article_store
from storage import briefs as brief_store
from storage import llm_calls, search
from storage import sources as source_store
from storage import topics as topic_store
from storage.db import make_engine, session_factory, transaction, upgrade
from storage.models import Article, Source

if TYPE_CHECKING:  # imported where used: a CLI command that needs neither starts faster
    import httpx

    from bot.answer.offline import OfflineAnswerer
    from bot.ingest.fetch import Fetcher
    from bot.llm.client import LLMCallRecord, LLMClient
    from bot.nlp.features import ArticleAnalysis
    from bot.summarize.extractive import ExtractiveSummarizer

log = logging.getLogger(__name__)

# A brief reads at most this many of the window's newest articles.
MAX_ARTICLES_PER_BRIEF = 200
# A brief waiting for the same brief in another thread gives up after OPENAI_TIMEOUT plus
# this (the other's LLM call is over by then), or after the offline figure without an LLM.
FLIGHT_WAIT_GRACE_SECONDS = 10.0
FLIGHT_WAIT_OFFLINE_SECONDS = 60.0
# Full-text search narrows a question to this many candidate articles before sentence ranking.
MAX_CANDIDATES_PER_QUESTION = 25
# Sentences of those articles handed to the answerer, best first.
MAX_PASSAGES = 40
# Newly ingested articles are analysed (and committed) this many at a time.
_ANALYZE_CHUNK = 100


@dataclass(frozen=True)
class TopicInfo:
    name: str
    keywords: tuple[str, ...]
    source_count: int
    article_count: int


@dataclass(frozen=True)
class SourceInfo:
    url: str
    kind: str
    last_ok_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class BriefResult:
    brief: Brief
    brief_id: int
    cached: bool
    article_ids: tuple[int, ...]


def _windowed(result: BriefResult, in_window: int | None) -> BriefResult:
    """The result with its brief saying how many articles its window held (`Brief.capped`)."""
    return replace(result, brief=replace(result.brief, articles_in_window=in_window))


@dataclass
class _Flight:
    """A brief being computed; callers wanting the same cache key wait for its result."""

    done: threading.Event = field(default_factory=threading.Event)
    result: BriefResult | None = None


class Briefbot:
    """One instance per process; thread-safe (each call uses its own session)."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        http_transport: httpx.BaseTransport | None = None,
        resolver: Callable[[str, int], list[str]] | None = None,
        llm_http_client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
        migrate: bool = True,
    ) -> None:
        self.settings = settings
        if settings.fetch_allow_private:
            # Here, not in one entry point: serve, worker and the CLI's ingest all build a
            # Briefbot, and each of them fetches with the address guard off.
            log.warning(
                "FETCH_ALLOW_PRIVATE is on: sources may point at private and loopback addresses "
                "(for local development and tests only)"
            )
        self.engine = engine or make_engine(
            settings.database_url,
            create_dir=settings.uses_default_database,
        )
        self.factory = session_factory(self.engine)
        self.clock = clock or (lambda: datetime.now(UTC))
        if migrate:
            upgrade(self.engine)
        self._http_transport = http_transport
        self._resolver = resolver
        # Set on shutdown: ingest rounds in progress stop waiting for their sources.
        self.stopping = threading.Event()
        self._llm_http_client = llm_http_client
        self._llm_client: LLMClient | None = None
        self._flights: dict[str, _Flight] = {}  # briefs being computed, by cache key
        self._flights_lock = threading.Lock()
        if settings.llm_enabled:
            from bot.llm.client import LLMClient

            self._llm_client = LLMClient(
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url,
                model=settings.openai_model,
                timeout=settings.openai_timeout,
                http_client=llm_http_client,
                recorder=self._record_llm_call,
                secrets=settings.secrets(),
            )

    @functools.cached_property
    def _extractive(self) -> ExtractiveSummarizer:
        # Built on first use: commands that brief nothing skip importing the summarizer.
        from bot.summarize.extractive import ExtractiveSummarizer

        return ExtractiveSummarizer()

    def stop_ingesting(self) -> None:
        """Make every ingest in progress return at once, its unfinished sources reported as
        not finished (for shutdown: their fetch threads end at their own deadlines)."""
        self.stopping.set()

    def close(self) -> None:
        self.stopping.set()
        self.engine.dispose()

    # -- topics and sources ------------------------------------------------------------------

    def add_topic(
        self, name: str, keywords: Sequence[str] = (), feeds: Sequence[str] = ()
    ) -> TopicInfo:
        name = _topic_name(name)
        clean_keywords = [k.strip() for k in keywords if k.strip()]
        fetcher = self._fetcher()
        for url in feeds:
            fetcher.check_url_allowed(url)  # refuse private addresses before storing anything
        with transaction(self.factory) as session:
            topic = topic_store.get_or_create(session, name, clean_keywords or None)
            for url in feeds:
                source = source_store.get_or_create(session, "feed", canonical_url(url))
                topic_store.attach_source(session, topic, source)
        return self._topic_info(name)

    def list_topics(self) -> list[TopicInfo]:
        with self.factory() as session:
            names = [t.name for t in topic_store.list_all(session)]
        return [self._topic_info(n) for n in names]

    def _topic_info(self, name: str) -> TopicInfo:
        with self.factory() as session:
            topic = self._require_topic(session, name)
            return TopicInfo(
                name=topic.name,
                keywords=tuple(topic.keywords),
                source_count=len(source_store.list_all(session, topic)),
                article_count=article_store.count(session, topic.id),
            )

    def topic_sources(self, name: str) -> list[SourceInfo]:
        with self.factory() as session:
            topic = self._require_topic(session, name)
            return [_source_info(s) for s in source_store.list_all(session, topic)]

    def add_source(self, topic_name: str, url: str) -> SourceInfo:
        """Attach a feed or page URL to a topic (created if needed); fetched on next ingest."""
        classify_source(url)
        if not url.lower().startswith(("http://", "https://")):
            raise UserInputError("A source must be an http:// or https:// URL.")
        self._fetcher().check_url_allowed(url)
        with transaction(self.factory) as session:
            topic = topic_store.get_or_create(session, _topic_name(topic_name))
            source = source_store.get_or_create(session, "feed", canonical_url(url))
            topic_store.attach_source(session, topic, source)
            return _source_info(source)

    def remove_source(self, topic_name: str, url: str) -> bool:
        with transaction(self.factory) as session:
            topic = self._require_topic(session, topic_name)
            source = source_store.get_by_url(session, canonical_url(url))
            return source is not None and topic_store.detach_source(session, topic, source)

    # -- ingestion ---------------------------------------------------------------------------

    @metrics.counts_ingest
    def ingest(
        self,
        locations: Sequence[str] | None = None,
        *,
        topic: str | None = None,
        progress: Callable[[str], None] | None = None,
        until: float | None = None,
    ) -> IngestReport:
        """Ingest the given sources (URLs, files, directories), or refresh every known source.

        `until` (time.monotonic()) ends the round: sources not finished by then are reported
        as not finished."""
        specs = None
        if locations:
            specs = [SourceSpec(classify_source(loc), loc) for loc in locations]
        from bot.ingest.pipeline import ingest as run_ingest

        report = run_ingest(
            self.factory,
            self._fetcher(),
            specs,
            topic=_topic_name(topic) if topic else None,
            progress=progress,
            now=self.clock(),
            secrets=self.settings.secrets(),
            page_work=self._page_work(),
            limits=self._ingest_limits(),
            stop=self.stopping,
            until=until,
        )
        self.analyze_articles(report.new_article_ids)
        return report

    @metrics.counts_ingest
    def refresh_topic(self, name: str, *, until: float | None = None) -> IngestReport:
        """Fetch a topic's sources; a topic with none gets the news-search feed for its name."""
        name = _topic_name(name)
        with self.factory() as session:
            topic = topic_store.get(session, name)
            has_sources = bool(topic and source_store.list_all(session, topic))
        specs = (
            None
            if has_sources
            else [SourceSpec("search", search_source_url(self.settings.news_search_feed_url, name))]
        )
        from bot.ingest.pipeline import ingest as run_ingest

        report = run_ingest(
            self.factory,
            self._fetcher(),
            specs,
            topic=name,
            now=self.clock(),
            secrets=self.settings.secrets(),
            page_work=self._page_work(),
            limits=self._ingest_limits(),
            stop=self.stopping,
            until=until,
        )
        self.analyze_articles(report.new_article_ids)
        return report

    def _ingest_limits(self) -> IngestLimits:
        return IngestLimits(
            per_host=self.settings.fetch_per_host,
            feed_max_items=self.settings.feed_max_items,
            feed_max_page_fetches=self.settings.feed_max_page_fetches,
        )

    def analyze_articles(self, article_ids: Sequence[int]) -> None:
        """Sentence analysis of newly stored articles (once per article; briefs read it).

        A failure here loses nothing: an article without an analysis is analysed when a brief
        or an answer first reads it.
        """
        from bot.ingest import analyze as sentence_analysis

        pool = self._page_work()
        for start in range(0, len(article_ids), _ANALYZE_CHUNK):
            chunk = list(article_ids[start : start + _ANALYZE_CHUNK])
            try:
                done: dict = {}  # type: ignore[type-arg]
                if pool.processes:
                    # The CPU work in the ingest worker processes, outside any transaction;
                    # then one short write. What a worker could not do is done below.
                    with self.factory() as session:
                        rows = article_store.by_ids(session, chunk)
                        material = [(r.title, r.text, r.published_at) for r in rows]
                        ids = [r.id for r in rows]
                    results = pool.analyze_many(material, self.settings.nlp_model)
                    done = {i: a for i, a in zip(ids, results, strict=True) if a is not None}
                    with transaction(self.factory) as session:
                        sentence_analysis.store_analyses(session, done)
                if len(done) < len(chunk):
                    with transaction(self.factory) as session:
                        sentence_analysis.load(session, chunk, self.settings.nlp_model)
            except Exception:
                log.exception(
                    "analysing %d new articles failed; they are analysed on first use", len(chunk)
                )

    def reindex(self, *, force: bool = False) -> int:
        """Re-analyse stored articles whose analysis is missing or made by an older analyzer."""
        from bot.ingest import analyze as sentence_analysis

        with transaction(self.factory) as session:
            return sentence_analysis.reindex(session, self.settings.nlp_model, force=force)

    def _page_work(self):  # type: ignore[no-untyped-def]
        """Page extraction: in this process's pool of INGEST_PROCESSES workers, if any."""
        from bot.ingest.extract_pool import shared_pool

        return shared_pool(self.settings.ingest_processes)

    def _fetcher(self) -> Fetcher:
        from bot.ingest.fetch import Fetcher

        return Fetcher(
            transport=self._http_transport,
            timeout=self.settings.fetch_timeout,
            max_bytes=self.settings.fetch_max_bytes,
            allow_private=self.settings.fetch_allow_private,
            resolver=self._resolver,
            secrets=self.settings.secrets(),
            stop=self.stopping,
        )

    # -- briefs ------------------------------------------------------------------------------

    def summarizer(self) -> Summarizer:
        if self._llm_client is None:
            return self._extractive
        from bot.summarize.llm import LLMSummarizer

        return LLMSummarizer(self._llm_client, fallback=self._extractive)

    @metrics.counts_briefs
    def brief(
        self,
        topic: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        arrived_since: datetime | None = None,
        arrived_except: Sequence[int] = (),
    ) -> BriefResult:
        """The brief of `topic` over [since, until] (default: the last BRIEF_WINDOW_HOURS).

        `arrived_since`/`arrived_except`: also the articles that reached the topic since then
        (wall clock) whatever their publication time, except those ids (a digest's late
        arrivals; see `storage.articles.for_topic`).

        Cached by (topic, exact article set, summarizer and prompt version): the same articles
        are never summarized twice, and one new article makes a new brief.
        """
        now = self.clock()
        until = until or now
        since = since or until - timedelta(hours=self.settings.brief_window_hours)
        if since >= until:
            raise UserInputError("The window's start must be before its end.")
        summarizer = self.summarizer()
        with self.factory() as session:
            topic_row = self._require_topic(session, topic)
            rows = article_store.for_topic(
                session,
                topic_row.id,
                since=since,
                until=until,
                limit=MAX_ARTICLES_PER_BRIEF,
                arrived_since=arrived_since,
                arrived_except=arrived_except,
            )
            # Over the cap: the brief says it read the newest N of how many.
            in_window = (
                article_store.count_for_topic(
                    session,
                    topic_row.id,
                    since=since,
                    until=until,
                    arrived_since=arrived_since,
                    arrived_except=arrived_except,
                )
                if len(rows) >= MAX_ARTICLES_PER_BRIEF
                else None
            )
            key = _cache_key(topic_row.name, rows, summarizer)
            cached = brief_store.get(session, key)
            if cached is not None:
                stored = Brief.from_dict(cached.payload)
                # Same articles, same summary; only the requested window and time differ.
                brief = replace(stored, since=since, until=until, generated_at=now)
                brief = replace(brief, articles_in_window=in_window)
                return BriefResult(brief, cached.id, True, tuple(cached.article_ids))
            topic_id, topic_name = topic_row.id, topic_row.name
            # The sentences ingestion analysed (an article stored before that is analysed
            # now, once, and kept: the commit below).
            from bot.ingest import analyze as sentence_analysis

            analyses = sentence_analysis.load(
                session, [r.id for r in rows], self.settings.nlp_model
            )
            session.commit()
            inputs = _inputs(session, rows, analyses)

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
                log.warning("brief of %s: still being made elsewhere; briefing offline", topic)
                offline = self._extractive
                offline_key = _cache_key(topic_name, rows, offline)
                return _windowed(
                    self._summarize_and_store(
                        offline, offline_key, topic_id, topic_name, rows, inputs, since, until, now
                    ),
                    in_window,
                )
            shared = flight.result
            if shared is not None:  # the same articles: reuse it, as from the cache
                brief = replace(shared.brief, since=since, until=until, generated_at=now)
                brief = replace(brief, articles_in_window=in_window)
                return BriefResult(brief, shared.brief_id, True, shared.article_ids)
            # The first caller failed: try again, on our own.
        try:
            result = self._summarize_and_store(
                summarizer, key, topic_id, topic_name, rows, inputs, since, until, now
            )
            if leading:
                flight.result = result
            return _windowed(result, in_window)
        finally:
            if leading:
                with self._flights_lock:
                    del self._flights[key]
                flight.done.set()

    def _flight_wait_seconds(self) -> float:
        """How long a brief waits for the same brief being made by another thread."""
        if self._llm_client is None:
            return FLIGHT_WAIT_OFFLINE_SECONDS
        return self.settings.openai_timeout + FLIGHT_WAIT_GRACE_SECONDS

    def _summarize_and_store(
        self,
        summarizer: Summarizer,
        key: str,
        topic_id: int,
        topic_name: str,
        rows: Sequence[Article],
        inputs: list[ArticleInput],
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> BriefResult:
        with self.factory() as session:  # stored meanwhile (between our lookup and our flight)?
            cached = brief_store.get(session, key)
            if cached is not None:
                stored = Brief.from_dict(cached.payload)
                brief = replace(stored, since=since, until=until, generated_at=now)
                return BriefResult(brief, cached.id, True, tuple(cached.article_ids))
        brief = None
        if summarizer is self._extractive and self.settings.brief_processes:
            from bot.brief_pool import shared_pool

            # In a worker process: this process's GIL stays free for Slack acks.
            brief = shared_pool(self.settings.brief_processes).summarize(
                topic_name, inputs, since=since, until=until, now=now
            )
        if brief is None:
            brief = summarizer.summarize(topic_name, inputs, since=since, until=until, now=now)
        if brief.summarizer != summarizer.name:
            # The LLM failed and the offline summarizer stood in: don't let the stand-in be
            # served from the cache once the LLM is back. Kept as an uncached brief row so a
            # thread under it still knows its articles.
            key = hashlib.sha256(f"{key}:{now.isoformat()}".encode()).hexdigest()
        with transaction(self.factory) as session:
            row = brief_store.put(
                session,
                cache_key=key,
                topic_id=topic_id,
                since=since,
                until=until,
                summarizer=brief.summarizer,
                prompt_version=summarizer.version,
                article_ids=[r.id for r in rows],
                payload=brief.to_dict(),
            )
            return BriefResult(brief, row.id, False, tuple(r.id for r in rows))

    def article_span(self, topic: str) -> tuple[datetime, datetime] | None:
        """The first and last publication time of the topic's articles (None when it has none)."""
        with self.factory() as session:
            topic_row = self._require_topic(session, topic)
            dates = [
                a.published_at or a.fetched_at
                for a in article_store.for_topic(session, topic_row.id)
            ]
        return (min(dates), max(dates)) if dates else None

    # -- answers -----------------------------------------------------------------------------

    def ask(
        self,
        topic: str,
        question: str,
        *,
        since: datetime | None = None,
        article_ids: Sequence[int] | None = None,
        prefer_ids: Sequence[int] = (),
        previous_question: str | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Answer:
        """Answer `question` from the topic's stored articles, citing them sentence by sentence.

        `article_ids` and `since` widen nothing: they restrict the articles searched.
        `prefer_ids` (a thread's brief) win over the topic's other articles when both answer.
        `previous_question` is the thread's last question: a follow-up such as "what about
        Russia?" or "and when?" is resolved against it.
        """
        question = " ".join(question.split())
        if not question:
            raise UserInputError("Ask a question, e.g. “What did Ukraine agree to?”")
        # Imported here: the answer modules' word lists cost CLI commands that ask nothing.
        from bot.answer.question import MAX_QUESTION_CHARS, resolve_followup
        from bot.answer.retrieve import question_terms, rank_passages

        resolved = resolve_followup(question[:MAX_QUESTION_CHARS], previous_question)
        terms = question_terms(resolved)
        with self.factory() as session:
            topic_row = self._require_topic(session, topic)
            hits = search.search(
                session,
                terms,
                topic_id=topic_row.id,
                since=since,
                article_ids=article_ids,
                limit=MAX_CANDIDATES_PER_QUESTION,
            )
            wanted = [h.article_id for h in hits]
            # A thread's own articles are always candidates, even when search ranks them low.
            wanted += [i for i in prefer_ids if i not in wanted][:MAX_CANDIDATES_PER_QUESTION]
            rows = article_store.by_ids(session, wanted)
            inputs = _inputs(session, rows)
        preferred = {str(i) for i in prefer_ids}
        passages = rank_passages(resolved, inputs, limit=MAX_PASSAGES, preferred=preferred)
        draft = self._answer(resolved, passages, history)
        by_id = {a.id: a for a in inputs}
        sentences = tuple(
            AnswerSentence(s.text, tuple(i for i in s.source_ids if i in by_id))
            for s in draft.sentences
        )
        if draft.found and (not sentences or any(not s.source_ids for s in sentences)):
            # An answer sentence without a citation we can show is not an answer.
            draft = AnswerDraft.not_found()
            sentences = ()
        cited = tuple(dict.fromkeys(i for s in sentences for i in s.source_ids))
        ids = cited if draft.found else ()
        return Answer(
            question=question,
            found=draft.found,
            answer=draft.answer,
            source_ids=ids,
            sources=tuple(SourceRef.of(by_id[i]) for i in cited),
            sentences=sentences,
            resolved_question=resolved,
        )

    def _answer(self, question: str, passages: Sequence, history: Sequence) -> AnswerDraft:  # type: ignore[type-arg]
        if self._llm_client is not None and passages:
            from bot.answer.llm import LLMAnswerer

            try:
                return LLMAnswerer(self._llm_client).answer(question, passages, history)
            except LLMError as err:
                log.warning("LLM answer failed, answering offline: %s", err)
                metrics.LLM_FALLBACKS.labels("answer").inc()
        return self.offline_answerer().answer(question, passages, history)

    def offline_answerer(self) -> OfflineAnswerer:
        from bot.answer.offline import OfflineAnswerer
        from bot.nlp import load_pipeline

        return OfflineAnswerer(load_pipeline(self.settings.nlp_model))

    # -- helpers -----------------------------------------------------------------------------

    def _require_topic(self, session: Session, name: str):  # type: ignore[no-untyped-def]
        topic = topic_store.get(session, name)
        if topic is None:
            raise NotFoundError(
                f"No topic named “{topic_store.normalize_name(name)}”. "
                f"Create it with `briefbot topic add {topic_store.normalize_name(name)}` "
                "or ingest sources into it with `briefbot ingest SOURCE --topic NAME`."
            )
        return topic

    @metrics.counts_llm_calls
    def _record_llm_call(self, record: LLMCallRecord) -> None:
        try:
            with transaction(self.factory) as session:
                llm_calls.record(
                    session,
                    model=record.model,
                    prompt_name=record.prompt_name,
                    prompt_version=record.prompt_version,
                    duration_ms=record.duration_ms,
                    outcome=record.outcome,
                    tokens_in=record.tokens_in,
                    tokens_out=record.tokens_out,
                    error=record.error,
                )
        except Exception:  # logging a call must never break the call
            log.exception("could not record an LLM call")


def _topic_name(name: str) -> str:
    clean = topic_store.normalize_name(name)
    if not clean:
        raise UserInputError("A topic needs a name, e.g. `ukraine`.")
    if len(clean) > topic_store.MAX_TOPIC_NAME:
        raise UserInputError(
            f"A topic name can be at most {topic_store.MAX_TOPIC_NAME} characters."
        )
    return clean


def _source_info(source: Source) -> SourceInfo:
    return SourceInfo(source.url, source.kind, source.last_ok_at, source.last_error)


def _inputs(
    session: Session,
    rows: Sequence[Article],
    analyses: dict[int, ArticleAnalysis] | None = None,
) -> list[ArticleInput]:
    outlets = article_store.outlets_of(session, [r.id for r in rows])
    analyses = analyses or {}
    return [
        ArticleInput(
            id=str(r.id),
            title=r.title,
            text=r.text,
            url=None if r.url.startswith("file://") else r.url,
            outlet=r.outlet,
            published_at=r.published_at,
            also_in=tuple(o for o in outlets.get(r.id, []) if o != r.outlet),
            sentences=analyses[r.id].sentences if r.id in analyses else None,
        )
        for r in rows
    ]


def _cache_key(topic: str, rows: Sequence[Article], summarizer: Summarizer) -> str:
    material = {
        "topic": topic,
        "articles": sorted([r.id, r.content_hash] for r in rows),
        "summarizer": summarizer.name,
        "version": summarizer.version,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


__all__ = ["BriefResult", "Briefbot", "BriefbotError", "SourceInfo", "TopicInfo"]
