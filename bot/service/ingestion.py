"""Ingestion: fetch sources (URLs, files, folders) into stored articles, and analyse their
sentences once so briefs and answers read them ready-made."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from bot.ingest.report import IngestLimits, IngestReport, SourceSpec, search_source_url
from bot.ingest.urls import classify_source
from bot.service.material import topic_name
from bot.settings import Settings
from storage import articles as article_store
from storage import sources as source_store
from storage import topics as topic_store
from storage.db import transaction

if TYPE_CHECKING:
    from bot.ingest.fetch import Fetcher

log = logging.getLogger(__name__)

# Articles per transaction of `detect_missing_languages`.
_LANGUAGE_CHUNK = 100
# How the sentence analysis of a round's new articles follows the round (`Ingestion.ingest`).
ANALYSIS_MODES = ("wait", "background", "queue")
# Longest an ingest waits for its articles' analysis (analysis="wait"): two minutes, plus two
# seconds an article (spaCy takes about a fifth of a second per article on one core; ten times
# that leaves room for a loaded machine). What is not done by then goes on in the background,
# and a brief analyses what it needs on demand.
_WAIT_BASE_S = 120.0
_WAIT_PER_ARTICLE_S = 2.0


class Ingestion:
    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        fetcher: Callable[[], Fetcher],
        clock: Callable[[], datetime],
        stopping: threading.Event,
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._fetcher = fetcher
        self._clock = clock
        self._stopping = stopping
        self._stage_lock = threading.Lock()
        self._stage: Any = None  # the AnalysisStage, started on first use
        self._rounds = 0  # ingest rounds running in this process (the stage waits for them)

    def ingest(
        self,
        locations: Sequence[str] | None = None,
        *,
        topic: str | None = None,
        progress: Callable[[str], None] | None = None,
        until: float | None = None,
        only_topics: Collection[int] | None = None,
        analysis: str = "wait",
    ) -> IngestReport:
        """Ingest the given sources (URLs, files, directories), or refresh every known source
        (with `only_topics`: the sources of those topics; `bot.service.lifecycle`).

        `until` (time.monotonic()) ends the round: sources not finished by then are reported
        as not finished. The new articles are stored and searchable when the round ends; their
        sentence analysis runs behind it (`bot.ingest.analysis_stage`), and `analysis` says
        how this call follows it: "wait" returns once it is done (with a deadline: the CLI,
        the demo), "background" returns at once (the in-process scheduler), "queue" leaves it
        to the caller (worker mode: a queued `analyze_pending`)."""
        specs = None
        if locations:
            specs = [SourceSpec(classify_source(loc), loc) for loc in locations]
        return self._fetch(
            specs,
            topic=topic_name(topic) if topic else None,
            progress=progress,
            until=until,
            only_topics=only_topics,
            analysis=analysis,
        )

    def refresh_topic(
        self, name: str, *, until: float | None = None, analysis: str = "wait"
    ) -> IngestReport:
        """Fetch a topic's sources; a topic with none gets the news-search feed for its name."""
        name = topic_name(name)
        with self._factory() as session:
            topic = topic_store.get(session, name)
            has_sources = bool(topic and source_store.list_all(session, topic))
        specs = (
            None
            if has_sources
            else [
                SourceSpec("search", search_source_url(self._settings.news_search_feed_url, name))
            ]
        )
        return self._fetch(specs, topic=name, until=until, analysis=analysis)

    def _fetch(
        self,
        specs: list[SourceSpec] | None,
        *,
        topic: str | None,
        until: float | None,
        progress: Callable[[str], None] | None = None,
        only_topics: Collection[int] | None = None,
        analysis: str = "wait",
    ) -> IngestReport:
        """One ingest round (the pipeline); each batch of new articles is handed to the
        analysis stage as it is stored, so their analysis overlaps the rest of the round."""

        if analysis not in ANALYSIS_MODES:
            raise ValueError(f"analysis must be one of {ANALYSIS_MODES}, not {analysis!r}")
        stage = self.analysis_stage() if analysis != "queue" else None
        if stage is not None:
            stage.submit([])  # running: it also catches up on what earlier rounds left

        def stored(fresh: list[Any]) -> None:
            if stage is not None:
                stage.submit(fresh)

        with self._stage_lock:
            self._rounds += 1
        try:
            report = self._round(specs, topic, until, progress, only_topics, stored)
        finally:
            with self._stage_lock:
                self._rounds -= 1
            if stage is not None:
                stage.submit([])  # the round is over: the stage looks again at once
        # Each new article's language was detected by the pipeline and stored with it.
        if stage is not None and analysis == "wait":
            self.wait_for_analysis(report.new_article_ids)
        return report

    def _round(
        self,
        specs: list[SourceSpec] | None,
        topic: str | None,
        until: float | None,
        progress: Callable[[str], None] | None,
        only_topics: Collection[int] | None,
        stored: Callable[[list[Any]], None],
    ) -> IngestReport:
        from bot.ingest.pipeline import ingest as ingest_round

        return ingest_round(
            self._factory,
            self._fetcher(),
            specs,
            topic=topic,
            progress=progress,
            now=self._clock(),
            secrets=self._settings.secrets(),
            page_work=self._page_work(),
            limits=IngestLimits(
                per_host=self._settings.fetch_per_host,
                feed_max_items=self._settings.feed_max_items,
                feed_max_page_fetches=self._settings.feed_max_page_fetches,
                max_age_days=self._settings.article_retention_days,
            ),
            stop=self._stopping,
            until=until,
            only_topics=only_topics,
            stored=stored,
        )

    def analysis_stage(self) -> Any:
        """This process's analysis stage (`bot.ingest.analysis_stage.AnalysisStage`)."""
        with self._stage_lock:
            if self._stage is None:
                from bot.ingest.analysis_stage import AnalysisStage

                self._stage = AnalysisStage(self._analyser(), lambda: self._rounds > 0)
            return self._stage

    def _analyser(self) -> Any:
        from bot.ingest.analysis_stage import Analyser, shared_analysis_pool

        processes = self._settings.ingest_processes
        return Analyser(
            self._factory,
            self._settings.nlp_model,
            lambda: shared_analysis_pool(processes) if processes else None,
        )

    def wait_for_analysis(self, article_ids: Sequence[int], timeout: float | None = None) -> bool:
        """Wait until these articles' analysis is done (or its failure recorded), at most
        `timeout` seconds (default: two minutes plus two seconds an article); whether it was."""
        if not article_ids:
            return True
        if timeout is None:
            timeout = _WAIT_BASE_S + _WAIT_PER_ARTICLE_S * len(article_ids)
        done = self.analysis_stage().wait_for(article_ids, timeout)
        if not done:
            log.warning(
                "the analysis of new articles goes on after %.0f s; briefs analyse what they "
                "need on demand meanwhile",
                timeout,
            )
        return bool(done)

    def analyze_pending(self, seconds: float) -> int:
        """Analyse stored articles left without an analysis (or due for a retry) for at most
        about `seconds`: worker mode's queued analysis task. How many were analysed."""
        return int(self._analyser().catch_up(time.monotonic() + seconds))

    def close(self) -> None:
        with self._stage_lock:
            stage, self._stage = self._stage, None
        if stage is not None:
            stage.close()

    def detect_missing_languages(self) -> tuple[int, int]:
        """The language of every stored article that has none (stored before detection, or
        when it failed): `briefbot db reindex`. Pages of ids, detection outside any
        transaction, one short write a page. Returns (articles without one, detected now);
        the rest stay unknown (too short, or unclear) and are read by every brief."""
        from bot.nlp.language import MAX_CHARS, detect_language

        after, seen, found = 0, 0, 0
        while True:
            with self._factory() as session:
                page = article_store.without_language(
                    session, after_id=after, limit=_LANGUAGE_CHUNK, chars=MAX_CHARS
                )
            if not page:
                return seen, found
            languages = {i: detect_language(title, text) for i, title, text in page}
            with transaction(self._factory) as session:
                article_store.set_languages(session, languages)
            after = page[-1][0]
            seen += len(page)
            found += sum(1 for code in languages.values() if code is not None)

    def analyze_articles(self, article_ids: Sequence[int]) -> None:
        """Sentence analysis of stored articles, now, in this thread's turn (once per
        article; briefs read it). A failure is recorded and retried: nothing is lost."""
        analyser = self._analyser()
        for start in range(0, len(article_ids), 64):
            analyser.analyse(list(article_ids[start : start + 64]))

    def reindex(self, *, force: bool = False) -> int:
        """Re-analyse stored articles whose analysis is missing or made by an older analyzer."""
        from bot.ingest import analyze as sentence_analysis

        with transaction(self._factory) as session:
            return sentence_analysis.reindex(session, self._settings.nlp_model, force=force)

    def warm(self) -> None:
        """Load, once per process, what every refresh needs and otherwise loads on first use:
        the page extractor (trafilatura's imports, about a second of CPU) and the language
        detector's model (about another). A queue worker calls it before taking tasks, so
        its first tasks are not held up behind the loading while other workers wait idle."""
        from bot.ingest import extract_pool  # noqa: F401  (the extractor's imports)
        from bot.nlp.language import detect_language

        # Enough words for the detector to load its model and run (a shorter text is
        # answered without it).
        detect_language("", "the council met on tuesday to approve the new budget plan")

    def _page_work(self):  # type: ignore[no-untyped-def]
        """Page extraction: in this process's pool of INGEST_PROCESSES workers, if any."""
        from bot.ingest.extract_pool import shared_pool

        return shared_pool(self._settings.ingest_processes)
