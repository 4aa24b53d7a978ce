"""Ingestion: fetch sources (URLs, files, folders) into stored articles, and analyse their
sentences once so briefs and answers read them ready-made."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
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

# Newly ingested articles are analysed (and committed) this many at a time.
_ANALYZE_CHUNK = 100
# New articles of a round whose text is kept for detection and analysis (~5 kB each);
# beyond it they are read back from the database.
_MATERIAL_CAP = 2000


def _texts(
    factory: sessionmaker[Session],
    ids: Sequence[int],
    material: Mapping[int, tuple[str, str, datetime | None]] | None,
) -> dict[int, tuple[str, str, datetime | None]]:
    """(title, text, published_at) of stored articles by id, in `ids`' order: from
    `material` where it has them, the rest read in one query (deleted ones are absent)."""
    material = material or {}
    missing = [i for i in ids if i not in material]
    read: dict[int, tuple[str, str, datetime | None]] = {}
    if missing:
        with factory() as session:
            read = {
                r.id: (r.title, r.text, r.published_at)
                for r in article_store.by_ids(session, missing)
            }
    return {i: material[i] if i in material else read[i] for i in ids if i in material or i in read}


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

    def ingest(
        self,
        locations: Sequence[str] | None = None,
        *,
        topic: str | None = None,
        progress: Callable[[str], None] | None = None,
        until: float | None = None,
        only_topics: Collection[int] | None = None,
    ) -> IngestReport:
        """Ingest the given sources (URLs, files, directories), or refresh every known source
        (with `only_topics`: the sources of those topics; `bot.service.lifecycle`).

        `until` (time.monotonic()) ends the round: sources not finished by then are reported
        as not finished."""
        specs = None
        if locations:
            specs = [SourceSpec(classify_source(loc), loc) for loc in locations]
        return self._fetch(
            specs,
            topic=topic_name(topic) if topic else None,
            progress=progress,
            until=until,
            only_topics=only_topics,
        )

    def refresh_topic(self, name: str, *, until: float | None = None) -> IngestReport:
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
        return self._fetch(specs, topic=name, until=until)

    def _fetch(
        self,
        specs: list[SourceSpec] | None,
        *,
        topic: str | None,
        until: float | None,
        progress: Callable[[str], None] | None = None,
        only_topics: Collection[int] | None = None,
    ) -> IngestReport:
        """One ingest round (the pipeline) and the sentence analysis of what it stored: started
        in the worker processes as each source's articles are stored, so it overlaps the
        fetches still running; what they could not do is analysed after the round."""
        from bot.ingest.extract_pool import BackgroundAnalysis
        from bot.ingest.pipeline import ingest as ingest_round

        pool = self._page_work()
        background = BackgroundAnalysis(pool, self._settings.nlp_model) if pool.processes else None
        # What the round stores, as it stored it: detection and analysis below read these
        # instead of reading the rows just written back (bounded: past the cap, they do).
        material: dict[int, tuple[str, str, datetime | None]] = {}

        def stored(fresh: list[Any]) -> None:
            for article_id, title, text, published in fresh:
                if len(material) < _MATERIAL_CAP:
                    material[article_id] = (title, text, published)
            if background is not None:
                background.add(fresh)

        report = ingest_round(
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
        # Each new article's language was detected by the pipeline and stored with it.
        done = {}
        if background is not None:
            try:
                done = background.finish()
                self._store_analyses(done)
            except Exception:
                log.exception("storing the analyses of new articles failed; analysing them again")
                done = {}
        self.analyze_articles([i for i in report.new_article_ids if i not in done], material)
        return report

    def _store_analyses(self, analyses: dict[int, Any]) -> None:
        """Analyses computed elsewhere, stored in short transactions (SQLite's write lock)."""
        from bot.ingest import analyze as sentence_analysis

        ids = list(analyses)
        for start in range(0, len(ids), _ANALYZE_CHUNK):
            chunk = {i: analyses[i] for i in ids[start : start + _ANALYZE_CHUNK]}
            with transaction(self._factory) as session:
                sentence_analysis.store_analyses(session, chunk)

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
                    session, after_id=after, limit=_ANALYZE_CHUNK, chars=MAX_CHARS
                )
            if not page:
                return seen, found
            languages = {i: detect_language(title, text) for i, title, text in page}
            with transaction(self._factory) as session:
                article_store.set_languages(session, languages)
            after = page[-1][0]
            seen += len(page)
            found += sum(1 for code in languages.values() if code is not None)

    def analyze_articles(
        self,
        article_ids: Sequence[int],
        material: Mapping[int, tuple[str, str, datetime | None]] | None = None,
    ) -> None:
        """Sentence analysis of newly stored articles (once per article; briefs read it).

        A failure here loses nothing: an article without an analysis is analysed when a brief
        or an answer first reads it.
        """
        from bot.ingest import analyze as sentence_analysis

        pool = self._page_work()
        for start in range(0, len(article_ids), _ANALYZE_CHUNK):
            chunk = list(article_ids[start : start + _ANALYZE_CHUNK])
            try:
                done: dict[int, Any] = {}
                texts = _texts(self._factory, chunk, material)
                if pool.processes:
                    # The CPU work in the ingest worker processes, outside any transaction;
                    # then one short write. What a worker could not do is done below.
                    results = pool.analyze_many(list(texts.values()), self._settings.nlp_model)
                    done = {i: a for i, a in zip(texts, results, strict=True) if a is not None}
                else:
                    # New articles have no analysis yet: analysed here, outside any
                    # transaction, from the text just stored (what `load` would read back).
                    from bot.nlp import load_pipeline

                    nlp = load_pipeline(self._settings.nlp_model)
                    analyses = sentence_analysis.analyze_batch(list(texts.values()), nlp)
                    done = dict(zip(texts, analyses, strict=True))
                if done:
                    with transaction(self._factory) as session:
                        sentence_analysis.store_analyses(session, done)
                if len(done) < len(chunk):
                    with transaction(self._factory) as session:
                        sentence_analysis.load(session, chunk, self._settings.nlp_model)
            except Exception:
                log.exception(
                    "analysing %d new articles failed; they are analysed on first use", len(chunk)
                )

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
