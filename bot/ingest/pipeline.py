"""The ingest pipeline: sources in, deduplicated articles linked to topics out.

Shaped like lemon24/reader's update: network and parsing run in worker threads and return
plain data; a pure decide step says what to store; every database read and write happens in the
calling thread, one transaction per source. One failing source never stops the batch: its
error is stored on its row and the next source goes on.

Per source the stages are:
  retrieve (worker)   fetch + parse the feed/page, or read the files
  plan (caller)       look up which entry URLs are known; the pure `plan_candidates` decides
  enrich (workers)    fetch the full text of new teaser entries, one task per entry
  store (caller)      add articles, link them to the source's topics, record ok or the error
Finally, new articles are linked to every topic whose keywords they match.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import BriefbotError, FetchError, ParseError, StorageError, UserInputError
from bot.ingest import near_dup
from bot.ingest.article_text import content_hash, word_count
from bot.ingest.decide import (
    Candidate,
    Plan,
    Retrieved,
    build_article,
    is_article,
    merge_full_text,
    newest,
    plan_candidates,
)
from bot.ingest.feeds import looks_like_feed, parse_feed
from bot.ingest.fetch import Fetcher, FetchResult
from bot.ingest.files import read_path
from bot.ingest.pages import ExtractedPage, extract_page
from bot.ingest.report import (
    SPEC_KINDS,
    IngestLimits,
    IngestReport,
    SourceResult,
    SourceSpec,
    search_source_url,
)
from bot.ingest.urls import canonical_url, is_http_url, outlet_from_url
from bot.redact import redact
from storage import articles, search, sources, topics
from storage.db import transaction
from storage.models import Article, Source, Topic

__all__ = [
    "IngestLimits",
    "IngestReport",
    "SourceResult",
    "SourceSpec",
    "StoredArticle",
    "ingest",
    "search_source_url",
]

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_SEARCH_CHUNK = 500  # article ids per keyword query, well under any SQL parameter limit
MAX_URL_LENGTH = 2048  # the URL columns' size; PostgreSQL refuses longer values
STORE_BATCH = 50  # new articles per transaction (see _Pipeline.store)

# A newly stored article as its sentence analysis reads it: (id, title, text, published_at),
# the values as stored (the title cut to the column, the date in UTC).
StoredArticle = tuple[int, str, str, datetime | None]


class PageWork(Protocol):
    """The CPU-heavy work per page, which a caller may run elsewhere (worker processes):
    extraction, and what the store step computes from a page's text (near-duplicate
    signature, dedup hash, language), each the same value wherever it is computed."""

    def extract(
        self,
        body: bytes | str,
        url: str,
        encoding: str | None = None,
        title: str | None = None,
        *,
        with_date: bool = True,
    ) -> ExtractedPage: ...

    def signature(self, text: str) -> bytes | None: ...

    def content_hash(self, text: str) -> str: ...

    def word_count(self, text: str) -> int: ...

    def language(self, title: str, text: str) -> str | None: ...


class InlinePageWork:
    """Page work in the calling thread."""

    def extract(
        self,
        body: bytes | str,
        url: str,
        encoding: str | None = None,
        title: str | None = None,
        *,
        with_date: bool = True,
    ) -> ExtractedPage:
        return extract_page(body, url, encoding, with_date=with_date)

    def signature(self, text: str) -> bytes | None:
        return near_dup.signature(text)

    def content_hash(self, text: str) -> str:
        return content_hash(text)

    def word_count(self, text: str) -> int:
        return word_count(text)

    def language(self, title: str, text: str) -> str | None:
        from bot.nlp.language import detect_language

        return detect_language(title, text)


# -- the jobs ------------------------------------------------------------------------------


@dataclass
class _Job:
    """One source being ingested; only plain data, so it can cross threads."""

    url: str  # the source row's URL: canonical http(s), or file:// for files
    kind: str | None  # the row's kind; None for a new "url" source until it is fetched
    strict: bool  # False: decide feed vs page from the response
    source_id: int | None
    etag: str | None = None
    last_modified: str | None = None
    topic_ids: set[int] = field(default_factory=set)
    result: SourceResult | None = None
    retrieved: Retrieved | None = None
    plan: Plan | None = None
    enriched: dict[str, Candidate] = field(default_factory=dict)  # by URL
    pending: int = 0
    teasers_kept: int = 0
    deadline: float | None = None  # time.monotonic() by which the source is settled


# Ingest threads with pages extracted in them (FETCH_PER_HOST of them fetch from one host).
FETCH_THREADS = 4


def default_threads(work: PageWork) -> int:
    """Ingest threads: FETCH_THREADS, plus two per extraction process. A thread waits on
    its page's extraction in a process, so with FETCH_THREADS alone a process had no next
    page queued while the scheduling thread stored a source (10-15 ms a feed), and idled:
    on 2 cores a 95-page round ran at 95 pages/s with 4 threads, 103 with 8
    (bench/ingest_speed.py's pages, interleaved)."""
    return FETCH_THREADS + 2 * max(0, int(getattr(work, "processes", 0) or 0))


@dataclass(frozen=True)
class _Fetched:
    """A page fetched by an ingest thread, and its extraction when that thread submitted it
    to the workers at once (`ExtractionPool.start`; None: the extraction task submits it)."""

    result: FetchResult
    started: Any = None


@dataclass
class _Task:
    """A task to run on the pool: the job's feed or page (`candidate` None), or a teaser's
    page: its fetch, then (`fetched` set) its extraction."""

    job: _Job
    candidate: Candidate | None
    fetched: FetchResult | None = None
    # Its extraction, submitted to the workers as the page arrived (`_Fetched.started`).
    started: Any = None

    @functools.cached_property
    def host(self) -> str:
        """The host the task fetches from ("" for local files, and for a page already
        fetched, whose extraction holds no connection): what per-host limits count.
        Cached: the scheduling loop asks for it of every waiting task on every pass (it was
        a tenth of the ingest thread's CPU with a few hundred teasers queued)."""
        if self.fetched is not None:
            return ""
        if self.candidate is None and self.job.kind == "file":
            return ""
        url = self.candidate.url if self.candidate is not None else self.job.url
        try:
            return (urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""


def _unread(task: _Task) -> bool:
    """Whether the task reads a source (its feed or page), not a page of one."""
    return task.candidate is None and task.fetched is None


def _guess_kind(url: str) -> str:
    """For a URL that failed before it could be looked at: what its address suggests."""
    path = urlsplit(url).path.lower().rstrip("/")
    feedish = ("rss", "atom", "feed", ".xml", ".rdf", "feeds")
    return "feed" if path.endswith(feedish) or "/feed" in path or "/rss" in path else "page"


def _file_path(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path))


def _error_text(exc: BaseException, source_url: str, secrets: Sequence[str]) -> str:
    if isinstance(exc, FetchError):
        # The URL is the source's own, already shown next to the error; a redirect target isn't.
        same = exc.url in (source_url, redact(source_url, secrets))
        message = exc.reason if same else str(exc)
    elif isinstance(exc, BriefbotError):
        message = str(exc)
    else:
        message = f"internal error: {type(exc).__name__}: {exc}"
    return redact(message or type(exc).__name__, secrets)


class _Pipeline:
    def __init__(
        self,
        factory: sessionmaker[Session],
        fetcher: Fetcher,
        *,
        progress: Callable[[str], None] | None,
        now: datetime | None,
        max_workers: int | None,
        secrets: Sequence[str],
        page_work: PageWork | None = None,
        limits: IngestLimits | None = None,
        stop: threading.Event | None = None,
        until: float | None = None,
        stored: Callable[[list[StoredArticle]], None] | None = None,
    ) -> None:
        self.factory = factory
        self.stored = stored
        self.page_work = page_work or InlinePageWork()
        self.extract = self.page_work.extract
        self.fetcher = fetcher
        self.progress = progress
        self.now = now
        self.max_workers = max(1, max_workers or default_threads(self.page_work))
        self.secrets = tuple(secrets)
        # Teaser pages being fetched, by URL: the other (source, entry) pairs waiting for them.
        self._inflight: dict[str, list[tuple[_Job, Candidate]]] = {}
        # Sources given as a page (or a URL yet to be told apart) by URL, and the feed entries
        # linking to one of them that wait for its page instead of fetching it a second time.
        self._page_jobs: dict[str, _Job] = {}
        self._page_followers: dict[str, list[tuple[_Job, Candidate]]] = {}
        # URLs this run has stored (new or as an alias), committed: an entry listing one again
        # is stored as "same-url", so its language is never read (`_languages`).
        self._stored_urls: set[str] = set()
        self._queue: deque[_Task] = deque()
        limits = limits or IngestLimits()
        self.per_host = max(1, limits.per_host)
        self.max_items = max(1, limits.feed_max_items)
        self.max_page_fetches = max(0, limits.feed_max_page_fetches)
        self.max_age_days = max(0, limits.max_age_days)
        self.stop = stop
        self.until = until

    # -- stage 0: which sources (caller thread) -------------------------------------------

    def prepare(
        self,
        specs: Sequence[SourceSpec] | None,
        topic: str | None,
        only_topics: Collection[int] | None = None,
    ) -> tuple[list[_Job], list[SourceResult]]:
        jobs: list[_Job] = []
        rejected: list[SourceResult] = []
        with transaction(self.factory) as session:
            topic_row = topics.get_or_create(session, topic) if topic else None
            if specs is None:
                rows = sources.list_all(session, topic_row)
                for row in rows:
                    topic_ids = {t.id for t in row.topics}
                    if not topic_ids:
                        continue  # not attached to any topic: nobody reads it
                    if only_topics is not None and not topic_ids & set(only_topics):
                        continue  # only idle topics read it (bot.service.lifecycle)
                    # A row that never worked may carry a guessed kind: let the response decide.
                    strict = row.kind in ("file", "search") or row.last_ok_at is not None
                    jobs.append(self._job_for_row(row, strict, topic_ids))
                return jobs, rejected
            seen: set[str] = set()
            for spec in specs:
                try:
                    job = self._job_for_spec(session, spec)
                except StorageError:
                    # The database failing is not this source's fault: recording it as a
                    # rejected source would hide the outage behind a bad-source line.
                    raise
                except BriefbotError as exc:
                    rejected.append(SourceResult(spec.location, spec.kind, False, error=str(exc)))
                    continue
                if job.url in seen:
                    continue
                seen.add(job.url)
                if topic_row is not None:
                    job.topic_ids.add(topic_row.id)
                    if job.source_id is not None:
                        row = session.get(Source, job.source_id)
                        assert row is not None
                        topics.attach_source(session, topic_row, row)
                jobs.append(job)
        return jobs, rejected

    def _job_for_row(self, row: Source, strict: bool, topic_ids: set[int]) -> _Job:
        return _Job(
            url=row.url,
            kind=row.kind,
            strict=strict,
            source_id=row.id,
            etag=row.etag,
            last_modified=row.last_modified,
            topic_ids=topic_ids,
        )

    def _job_for_spec(self, session: Session, spec: SourceSpec) -> _Job:
        if spec.kind not in SPEC_KINDS:
            raise UserInputError(f"unknown source kind {spec.kind!r}")
        if spec.kind == "file" or spec.location.lower().startswith("file://"):
            # A stored file source's URL given back (e.g. re-ingesting a topic's sources).
            location = spec.location
            if location.lower().startswith("file://"):
                location = str(_file_path(location))
            path = Path(location).expanduser()
            if not path.exists():
                raise UserInputError(f"{spec.location}: no such file or folder")
            row = sources.get_or_create(session, "file", path.resolve().as_uri(), path.name)
            return self._job_for_row(row, True, {t.id for t in row.topics})
        if not is_http_url(spec.location):
            raise UserInputError(f"{spec.location!r} is not an http:// or https:// URL")
        try:
            url = canonical_url(spec.location)
        except ValueError:
            raise UserInputError(f"{spec.location!r} is not a valid URL") from None
        if len(url) > MAX_URL_LENGTH:
            raise UserInputError(f"URLs longer than {MAX_URL_LENGTH} characters are not supported")
        existing = sources.get_by_url(session, url)
        if spec.kind == "url":
            if existing is None:
                return _Job(url=url, kind=None, strict=False, source_id=None)
            strict = existing.kind == "search" or existing.last_ok_at is not None
            return self._job_for_row(existing, strict, {t.id for t in existing.topics})
        row = existing or sources.get_or_create(session, spec.kind, url)
        if row.kind != spec.kind and row.last_ok_at is None:
            row.kind = spec.kind  # the user said what it is; that beats an earlier guess
        # A source that has worked keeps its kind: a page is not re-read as a feed.
        return self._job_for_row(row, True, {t.id for t in row.topics})

    # -- stage 1: retrieve (worker) -------------------------------------------------------

    def retrieve(self, job: _Job) -> Retrieved | _Fetched:
        """The source read: its feed parsed, or its files; for a page, the fetched page
        (`_Fetched`, its extraction submitted to the workers), collected by a task of its
        own (`retrieve_page`) that holds no per-host slot. Extracting in the fetch's task
        kept the host's slot for the whole extraction: with a site's feeds and pages given
        together, its teasers' fetches waited behind its pages' extractions and the
        extraction processes idled (the first 300 ms of a 95-page round ran 1.2 extractions
        at a time on average, not 2)."""
        if job.kind == "file":
            return self._retrieve_files(job)
        fetched = self.fetcher.fetch(job.url, etag=job.etag, last_modified=job.last_modified)
        kind = job.kind or "page"
        if fetched.not_modified:
            return Retrieved(kind, [], True, fetched.etag, fetched.last_modified)
        if job.kind == "search":
            return self._retrieve_feed(job, fetched, "search")
        if job.strict and job.kind == "feed":
            return self._retrieve_feed(job, fetched, "feed")
        if job.strict and job.kind == "page":
            return _Fetched(fetched, self._start(fetched))
        if looks_like_feed(fetched.content_type, fetched.content):
            return self._retrieve_feed(job, fetched, "feed")
        return _Fetched(fetched, self._start(fetched))

    def retrieve_page(self, job: _Job, fetched: FetchResult, started: Any = None) -> Retrieved:
        """`retrieve`'s second half for a page source: its article extracted."""
        return self._retrieve_page(job, fetched, started)

    def _start(
        self, fetched: FetchResult, title: str | None = None, *, with_date: bool = True
    ) -> Any:
        """The page's extraction submitted to the worker processes now, from the ingest
        thread that fetched it (None where the page work extracts in its caller's thread)."""
        start = getattr(self.page_work, "start", None)
        if start is None:
            return None
        try:
            return start(fetched.content, fetched.url, fetched.encoding, title, with_date=with_date)
        except Exception:  # never lose the page for it: its extraction task submits it
            log.warning("submitting %s for extraction failed", fetched.url, exc_info=True)
            return None

    def _extract(
        self,
        fetched: FetchResult,
        title: str | None,
        started: Any,
        *,
        with_date: bool = True,
    ) -> ExtractedPage:
        """The page extracted: collected from the workers when `_start` submitted it."""
        if started is None:
            return self.extract(
                fetched.content, fetched.url, fetched.encoding, title, with_date=with_date
            )
        return self.extract(  # type: ignore[call-arg]
            fetched.content,
            fetched.url,
            fetched.encoding,
            title,
            with_date=with_date,
            started=started,
        )

    def _retrieve_feed(self, job: _Job, fetched: FetchResult, kind: str) -> Retrieved:
        feed = parse_feed(fetched.content, fetched.url, fetched.headers)
        candidates: list[Candidate] = []
        for entry in feed.entries:
            try:
                url = canonical_url(entry.url) if entry.has_link else entry.url
            except ValueError:
                continue
            if len(url) > MAX_URL_LENGTH:
                log.info("skipping an entry of %s: its URL is too long to store", job.url)
                continue
            # Aggregators name the original outlet per entry; a search feed's own title is
            # the query, never an outlet.
            outlet = entry.source_title or (feed.title if kind == "feed" else None)
            candidates.append(
                Candidate(
                    url=url,
                    title=entry.title,
                    text=entry.text,
                    published_at=entry.published_at,
                    outlet=outlet or outlet_from_url(url),
                    wants_full_text=entry.is_teaser and entry.has_link,
                )
            )
        if self.max_age_days:
            oldest = (self.now or datetime.now(UTC)) - timedelta(days=self.max_age_days)
            recent = [c for c in candidates if c.published_at is None or c.published_at >= oldest]
            if len(recent) < len(candidates):
                log.info(
                    "%s: skipping %d entries older than %d days",
                    redact(job.url, self.secrets),
                    len(candidates) - len(recent),
                    self.max_age_days,
                )
            candidates = recent
        kept = newest(candidates, self.max_items)
        if len(kept) < len(candidates):
            log.info(
                "%s lists %d entries; reading the newest %d",
                redact(job.url, self.secrets),
                len(candidates),
                len(kept),
            )
        return Retrieved(kind, kept, False, fetched.etag, fetched.last_modified, feed.title)

    def _retrieve_page(self, job: _Job, fetched: FetchResult, started: Any = None) -> Retrieved:
        page = self._extract(fetched, None, started)
        title = page.title or job.url
        candidate = Candidate(
            url=job.url,
            title=title,
            text=page.text,
            published_at=page.published_at,
            outlet=page.outlet or outlet_from_url(fetched.url),
        )
        return Retrieved(
            "page", [candidate], False, fetched.etag, fetched.last_modified, page.title
        )

    def _retrieve_files(self, job: _Job) -> Retrieved:
        skipped: list[str] = []
        documents = read_path(_file_path(job.url), skipped)
        if not documents:
            detail = f" ({'; '.join(skipped[:3])})" if skipped else ""
            raise ParseError(f"no readable .txt, .md or .html files found{detail}")
        candidates = [
            Candidate(
                url=doc.article_url,
                title=doc.title,
                text=doc.text,
                published_at=doc.published_at,
                outlet=doc.outlet or (outlet_from_url(doc.source_url) if doc.source_url else None),
            )
            for doc in documents
        ]
        return Retrieved("file", candidates, skipped=tuple(skipped))

    # -- stage 3: enrich (worker) ---------------------------------------------------------

    def enrich(self, candidate: Candidate) -> tuple[Candidate, bool, ExtractedPage | None]:
        """The candidate with its page's full text, and the page; (teaser unchanged, False,
        None) if that fails."""
        fetched = self.fetch_page(candidate)
        if isinstance(fetched, tuple):
            return fetched
        return self.extract_page(candidate, fetched.result, fetched.started)

    def fetch_page(
        self, candidate: Candidate
    ) -> _Fetched | tuple[Candidate, bool, ExtractedPage | None]:
        """A teaser's page fetched (its extraction is a task of its own, which holds no
        per-host slot: the host's next page is fetched meanwhile), its extraction submitted to
        the workers; or, if the fetch fails, the outcome of `enrich` (the teaser unchanged)."""
        try:
            fetched = self.fetcher.fetch(candidate.url, accept=PAGE_ACCEPT)
            if looks_like_feed(fetched.content_type, fetched.content):
                raise ParseError("the entry links to a feed, not an article")
        except BriefbotError as exc:
            log.debug("keeping the teaser of %s: %s", candidate.url, exc)
            return replace(candidate, wants_full_text=False), False, None
        except Exception:
            log.warning("keeping the teaser of %s", candidate.url, exc_info=True)
            return replace(candidate, wants_full_text=False), False, None
        return _Fetched(
            fetched,
            self._start(fetched, candidate.title or None, with_date=self._with_date(candidate)),
        )

    def extract_page(
        self, candidate: Candidate, fetched: FetchResult, started: Any = None
    ) -> tuple[Candidate, bool, ExtractedPage | None]:
        """`enrich`'s second half: the fetched page's text merged into the teaser."""
        try:
            # The entry's title is the stored one when the page's text is taken: the worker
            # detects the language of that pair (`merge_full_text`). So is its date: the
            # page's is looked for only when the entry has none.
            page = self._extract(
                fetched,
                candidate.title or None,
                started,
                with_date=self._with_date(candidate),
            )
        except BriefbotError as exc:
            log.debug("keeping the teaser of %s: %s", candidate.url, exc)
            return replace(candidate, wants_full_text=False), False, None
        except Exception:
            log.warning("keeping the teaser of %s", candidate.url, exc_info=True)
            return replace(candidate, wants_full_text=False), False, None
        merged = merge_full_text(
            candidate, page.title, page.text, page.published_at, self.page_work.word_count
        )
        return merged, True, page

    def _with_date(self, candidate: Candidate) -> bool:
        """Whether the page's own date is looked for: the entry has none, or another
        source's entry without one waits for the same page."""
        return candidate.published_at is None or self._undated_follower(candidate)

    def _undated_follower(self, candidate: Candidate) -> bool:
        """Whether another source's entry without a date of its own waits for this page
        (it takes the page's date). Read from an ingest thread while the scheduling thread
        may add to the list: a follower added after this look is stored without a date."""
        followers = list(self._inflight.get(candidate.url, ()))
        return any(teaser.published_at is None for _, teaser in followers)

    # -- stage 2 and 4 (caller thread) ----------------------------------------------------

    def plan(self, job: _Job) -> Plan:
        assert job.retrieved is not None
        with self.factory() as session:
            known = articles.known_urls(session, [c.url for c in job.retrieved.candidates])
        return plan_candidates(job.retrieved.candidates, known)

    def store(self, job: _Job) -> SourceResult:
        """Store the source's new articles in transactions of at most STORE_BATCH articles, so
        that no transaction holds SQLite's write lock for long (a feed of hundreds of new
        entries would block every other writer, e.g. a digest's delivery record). Each batch
        links its articles to the source's topics; the last one records the source's success.
        A failure leaves the earlier batches stored, linked and consistent."""
        retrieved, plan = job.retrieved, job.plan
        assert retrieved is not None and plan is not None
        kind = retrieved.kind
        result = SourceResult(job.url, kind, True, not_modified=retrieved.not_modified)
        result.skipped = list(retrieved.skipped)
        new = []
        for planned in plan.new:
            candidate = job.enriched.get(planned.url, planned)
            # Search results are headlines by design (and come FEED_MAX_ITEMS at most): kept.
            if kind == "feed" and not is_article(candidate, self.page_work.word_count):
                result.too_short += 1
            else:
                new.append(planned)
        ids: list[int] = list(plan.known_ids)
        batches = [new[i : i + STORE_BATCH] for i in range(0, len(new), STORE_BATCH)] or [[]]
        for n, batch in enumerate(batches):
            fresh: list[StoredArticle] = []
            candidates = [job.enriched.get(p.url, p) for p in batch]
            # Detected before the transaction and stored with the insert: a later UPDATE
            # would make PostgreSQL rebuild the row's search vector and index entries.
            work = self.page_work
            languages = self._languages(candidates)
            with transaction(self.factory) as session:
                row, attached = self._row(session, job, kind)
                if not job.strict and row.kind != kind and kind in ("feed", "page"):
                    row.kind = kind  # a guess made when the URL first failed, now corrected
                news = [
                    replace(
                        build_article(
                            c, row.id, work.signature, work.content_hash, work.word_count
                        ),
                        language=languages.get(c.url),
                    )
                    for c in candidates
                ]
                added: list[int] = []
                created: list[int] = []  # inserted by this transaction: linked to no topic yet
                stored_batch = articles.add_many(
                    session, news, near_duplicates=near_dup.is_near_duplicate
                )
                for candidate, stored in zip(candidates, stored_batch, strict=True):
                    added.append(stored.article.id)
                    if stored.created:
                        created.append(stored.article.id)
                        if candidate.url not in languages:
                            # Its URL was stored this run, yet it is new (retention deleted
                            # that row meanwhile): as every new article, with its language.
                            stored.article.language = _language(candidate, work)
                        result.new_articles += 1
                        result.new_article_ids.append(stored.article.id)
                        fresh.append(_as_stored(stored.article))
                    else:
                        result.duplicates += 1
                ids.extend(added)
                # The first batch also links the entries that were already stored.
                batch_ids = list(dict.fromkeys([*(plan.known_ids if n == 0 else ()), *added]))
                # A source this transaction created has the topics it was just attached to
                # (reading them back would be one more query per new source).
                source_topics = (
                    set(attached)
                    if attached is not None
                    else job.topic_ids | {t.id for t in row.topics}
                )
                for topic_id in sorted(source_topics):
                    articles.link_topic(session, batch_ids, topic_id, new=created)
                if n == len(batches) - 1:
                    sources.record_ok(
                        session,
                        row,
                        etag=retrieved.etag,
                        last_modified=retrieved.last_modified,
                        title=retrieved.title,
                        at=self.now,
                    )
            self._stored_urls.update(c.url for c in candidates)
            self._announce(fresh)  # committed: their analysis may start while the round goes on
        result.duplicates += plan.duplicates
        result.teasers_kept = job.teasers_kept
        result.article_ids = list(dict.fromkeys(ids))
        return result

    def _languages(self, candidates: list[Candidate]) -> dict[str, str | None]:
        """{URL: language} of the candidates that may be stored as new articles: not of
        those whose URL this run has stored already (a page that two sources list, each
        under its own headline: the later one is a "same-url" duplicate, whose language
        nobody reads; the extraction worker detected it only with the first one's title,
        so the ingest thread spent ~3 ms of its serial CPU detecting it again)."""
        work = self.page_work
        return {c.url: _language(c, work) for c in candidates if c.url not in self._stored_urls}

    def _announce(self, fresh: list[StoredArticle]) -> None:
        if self.stored is None or not fresh:
            return
        try:
            self.stored(fresh)
        except Exception:  # the analysis is redone later; the source is stored all the same
            log.warning("starting the analysis of %d articles failed", len(fresh), exc_info=True)

    def store_error(self, job: _Job, exc: BaseException) -> SourceResult:
        message = _error_text(exc, job.url, self.secrets)
        kind = job.kind or _guess_kind(job.url)
        try:
            with transaction(self.factory) as session:
                row, _ = self._row(session, job, kind)
                sources.record_error(session, row, message, at=self.now)
        except Exception:
            log.exception("could not record the error of %s", job.url)
        return SourceResult(job.url, kind, False, error=message)

    def _row(self, session: Session, job: _Job, kind: str) -> tuple[Source, list[int] | None]:
        """The job's source row, and when this session created it (a "url" source is stored
        once its kind is known, or guessed if it failed), the ids of the topics it was
        attached to; None for a row stored before (its topics are on the row)."""
        row = session.get(Source, job.source_id) if job.source_id is not None else None
        if row is not None:
            return row, None
        row, created = sources.get_or_create_marked(session, kind, job.url)
        job.source_id = row.id
        if not created:
            for topic_id in sorted(job.topic_ids):
                topic_row = session.get(Topic, topic_id)
                if topic_row is not None:
                    topics.attach_source(session, topic_row, row)
            return row, None
        return row, topics.attach_new_source(session, job.topic_ids, row)

    # -- driving the stages ---------------------------------------------------------------

    def run(self, jobs: list[_Job]) -> None:
        """Run every job's tasks on the worker pool until each job has a result.

        Tasks are queued and started only while their host has fewer than `per_host` fetches
        running, so one slow host holds at most that many workers. A job still unfinished at
        its deadline is settled without waiting (failed while its feed or page is still being
        read, stored with its teasers while their pages are); the worker threads still busy
        end at their fetch's own deadline, unwaited for.
        """
        pool = ThreadPoolExecutor(self.max_workers, thread_name_prefix="ingest")
        queue = self._queue = deque(_Task(job, None) for job in jobs)
        self._page_jobs = {job.url: job for job in jobs if job.kind in (None, "page")}
        running: dict[Future[object], _Task] = {}
        busy_hosts: Counter[str] = Counter()
        try:
            while queue or running:
                if self._stopped():
                    break
                self._start_tasks(pool, queue, running, busy_hosts)
                done, _ = wait(
                    running, timeout=self._next_wait(running), return_when=FIRST_COMPLETED
                )
                # In submission order, not the set's: when two sources carry the same article,
                # which copy is stored must not depend on which thread finished a hair sooner.
                for future in [f for f in running if f in done]:
                    task = running.pop(future)
                    busy_hosts[task.host] -= 1
                    try:
                        if task.candidate is not None and task.fetched is None:
                            # Fetched: its extraction goes first in the queue (it holds no
                            # host slot), or the teaser is kept (the fetch failed).
                            self._fetched(queue, task, future)
                        elif task.candidate is not None:
                            # Also for a job settled meanwhile: other sources may wait for
                            # this page.
                            self._enriched(task.job, future)
                        elif task.job.result is None:  # else settled: a late answer is dropped
                            self._retrieved(queue, task, future)
                    except Exception as exc:
                        self._fail(task.job, exc)
                self._settle_overdue(jobs)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        for job in jobs:
            if job.result is None:  # stopped (shutdown or the round's deadline) first
                job.result = SourceResult(
                    job.url, job.kind or _guess_kind(job.url), False, error=self._stop_reason()
                )
                self._report(job.result)

    def _start_tasks(
        self,
        pool: ThreadPoolExecutor,
        queue: deque[_Task],
        running: dict[Future[object], _Task],
        busy_hosts: Counter[str],
    ) -> None:
        waiting: list[_Task] = []
        while queue and len(running) < self.max_workers:
            task = queue.popleft()
            if task.job.result is not None and not self._followed(task):
                if task.candidate is not None:
                    self._inflight.pop(task.candidate.url, None)
                if task.started is not None:
                    task.started.cancel()  # nobody reads this page now
                continue
            if task.host and busy_hosts[task.host] >= self.per_host:
                waiting.append(task)
                continue
            if task.candidate is None and task.fetched is None:
                task.job.deadline = time.monotonic() + self.source_seconds(task.job)
                future = pool.submit(self.retrieve, task.job)
            elif task.candidate is None:
                assert task.fetched is not None
                future = pool.submit(self.retrieve_page, task.job, task.fetched, task.started)
            elif task.fetched is None:
                future = pool.submit(self.fetch_page, task.candidate)
            else:
                future = pool.submit(self.extract_page, task.candidate, task.fetched, task.started)
            running[future] = task
            busy_hosts[task.host] += 1
        queue.extendleft(reversed(waiting))

    def _followed(self, task: _Task) -> bool:
        """Whether other sources wait for this task's page."""
        return task.candidate is not None and bool(self._inflight.get(task.candidate.url))

    def source_seconds(self, job: _Job) -> float:
        """How long one source may take from its first fetch: its feed or page, then its
        teasers' pages (each fetch ends by itself after its total deadline)."""
        if job.kind == "file":
            return float("inf")  # local files: the user asked for all of them
        return 2 * self.fetcher.total_timeout + 1

    def _next_wait(self, running: dict[Future[object], _Task]) -> float | None:
        deadlines = [t.job.deadline for t in running.values() if t.job.deadline is not None]
        if self.until is not None:
            deadlines.append(self.until)
        waits = [d - time.monotonic() for d in deadlines if d != float("inf")]
        if self.stop is not None:
            waits.append(0.25)  # look at the stop flag this often
        return max(0.0, min(waits)) if waits else None

    def _settle_overdue(self, jobs: list[_Job]) -> None:
        now = time.monotonic()
        for job in jobs:
            if job.result is not None or job.deadline is None or now < job.deadline:
                continue
            seconds = self.source_seconds(job)
            if job.retrieved is None:
                self._fail(job, FetchError(job.url, f"abandoned after {seconds:g} s"))
                continue
            # The feed itself was read: store it with the teasers still being fetched.
            job.teasers_kept += job.pending
            job.pending = 0
            try:
                self._finish(job)
            except Exception as exc:
                self._fail(job, exc)

    def _stopped(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        return self.until is not None and time.monotonic() >= self.until

    def _stop_reason(self) -> str:
        if self.stop is not None and self.stop.is_set():
            return "not finished: ingestion was stopped (shutting down)"
        return "not finished: the ingest round ran out of time"

    def _retrieved(self, queue: deque[_Task], task: _Task, future: Future[object]) -> None:
        retrieved = future.result()  # bounded: only called for a future already done
        job = task.job
        if isinstance(retrieved, _Fetched):
            # A page source fetched: its extraction goes first in the queue, as a teaser's.
            queue.appendleft(replace(task, fetched=retrieved.result, started=retrieved.started))
            return
        assert isinstance(retrieved, Retrieved)
        job.retrieved = retrieved
        try:
            self._plan_teasers(job)
        finally:
            # After the page source's own store (which copy is stored must not depend on
            # timing): the feed entries waiting for its page get it.
            self._hand_over(job)

    def _plan_teasers(self, job: _Job) -> None:
        job.plan = self.plan(job)
        teasers = [c for c in job.plan.new if c.wants_full_text]
        # The newest first (the feed was sorted so); the rest are kept as teasers this round.
        fetched = teasers[: self.max_page_fetches]
        job.teasers_kept += len(teasers) - len(fetched)
        job.pending = len(fetched)
        if not fetched:
            self._finish(job)
            return
        # Only entries not stored yet are fetched again, each as its own task; an entry that
        # another source listed too and whose page is being fetched waits for that page.
        tasks: list[_Task] = []
        awaited: set[int] = set()  # ids of the page sources this feed's entries wait for
        for teaser in fetched:
            page_job = self._page_jobs.get(teaser.url)
            if page_job is not None and page_job.retrieved is None and page_job.result is None:
                # The page is a source of this round too, not read yet: its page serves both.
                self._page_followers.setdefault(teaser.url, []).append((job, teaser))
                awaited.add(id(page_job))
                continue
            task = self._teaser_task(job, teaser)
            if task is not None:
                tasks.append(task)
        self._queue_pages(tasks, awaited)

    def _queue_pages(self, tasks: list[_Task], awaited: set[int]) -> None:
        """Queue a feed's page fetches behind the pages queued before them and ahead of the
        sources not read yet, with the page sources its entries wait for first of all.

        Behind every source, with one site's feeds and pages given together (two fetches at
        a time per host), no page was extracted before the last of its feeds was read: 90 ms
        of a 1.7 s round with the extraction processes idle. Ahead of the sources, a feed
        whose entries wait for a page source was stored only once that source was read: the
        page sources, last in the queue, were read at the round's end, one host slot each,
        with little left to extract beside them; so they are moved up."""
        queue = self._queue
        if not tasks and not awaited:
            return
        moved = [_unread(t) and id(t.job) in awaited for t in queue]
        waited_for = [t for t, m in zip(queue, moved, strict=True) if m]
        rest = [t for t, m in zip(queue, moved, strict=True) if not m]
        at = next((n for n, t in enumerate(rest) if _unread(t)), len(rest))
        queue.clear()
        queue.extend([*rest[:at], *waited_for, *tasks, *rest[at:]])

    def _teaser_task(self, job: _Job, teaser: Candidate) -> _Task | None:
        """The task that fetches a teaser's page; None when that page is being fetched for
        another source already (this entry then waits for it)."""
        waiting = self._inflight.get(teaser.url)
        if waiting is not None:
            waiting.append((job, teaser))
            return None
        self._inflight[teaser.url] = []
        return _Task(job, teaser)

    def _fetch_teaser(self, job: _Job, teaser: Candidate) -> None:
        task = self._teaser_task(job, teaser)
        if task is not None:
            self._queue.append(task)

    def _hand_over(self, job: _Job) -> None:
        """The feed entries waiting for page source `job` (`_retrieved`) get its page; if it
        failed, or turned out to be a feed or not modified, they fetch the page themselves."""
        followers = self._page_followers.pop(job.url, [])
        if not followers:
            return
        retrieved = job.retrieved
        page, title = None, None
        if retrieved is not None and retrieved.kind == "page" and retrieved.candidates:
            page, title = retrieved.candidates[0], retrieved.title
        for other, teaser in followers:
            if other.result is not None:
                continue  # settled at its deadline (or stopped) meanwhile
            if page is None:
                self._fetch_teaser(other, teaser)
                continue
            try:
                merged = merge_full_text(
                    teaser, title, page.text, page.published_at, self.page_work.word_count
                )
                self._got_page(other, merged, True)
            except Exception as exc:
                self._fail(other, exc)

    def _fetched(self, queue: deque[_Task], task: _Task, future: Future[object]) -> None:
        fetched = future.result()  # bounded: only called for a future already done
        if isinstance(fetched, _Fetched):
            queue.appendleft(replace(task, fetched=fetched.result, started=fetched.started))
            return
        self._enriched(task.job, future)

    def _enriched(self, job: _Job, future: Future[object]) -> None:
        outcome = future.result()  # bounded: only called for a future already done
        assert isinstance(outcome, tuple)
        candidate, full, page = outcome
        followers = self._inflight.pop(candidate.url, [])
        try:
            self._got_page(job, candidate, full)
        finally:
            # Every source that waited for this page gets it, even if the first one failed.
            for other, teaser in followers:
                try:
                    if page is None:
                        self._got_page(other, replace(teaser, wants_full_text=False), False)
                    else:
                        merged = merge_full_text(
                            teaser,
                            page.title,
                            page.text,
                            page.published_at,
                            self.page_work.word_count,
                        )
                        self._got_page(other, merged, True)
                except Exception as exc:
                    self._fail(other, exc)

    def _got_page(self, job: _Job, candidate: Candidate, full: bool) -> None:
        if job.result is not None:
            return  # settled at its deadline (or stopped) meanwhile
        job.pending -= 1
        job.enriched[candidate.url] = candidate
        if not full:
            job.teasers_kept += 1
        if job.pending == 0:
            self._finish(job)

    def _finish(self, job: _Job) -> None:
        if job.result is not None:
            return
        job.result = self.store(job)
        self._report(job.result)

    def _fail(self, job: _Job, exc: BaseException) -> None:
        if job.result is not None:
            return
        self._hand_over(job)  # entries waiting for its page fetch it themselves
        if self.stop is not None and self.stop.is_set():
            # Cut short by a shutdown: not the source's fault, so not stored on its row.
            kind = job.kind or _guess_kind(job.url)
            job.result = SourceResult(job.url, kind, False, error=self._stop_reason())
        else:
            if not isinstance(exc, BriefbotError):
                log.error("ingesting %s failed", job.url, exc_info=exc)
            job.result = self.store_error(job, exc)
        self._report(job.result)

    def _report(self, result: SourceResult) -> None:
        if self.progress is None:
            return
        if result.ok:
            state = (
                "not modified"
                if result.not_modified
                else (f"{result.new_articles} new, {result.duplicates} duplicates")
            )
            line = f"ok {redact(result.url, self.secrets)} ({state})"
            if result.skipped:
                line += f"; skipped {len(result.skipped)} file(s)"
        else:
            line = f"failed {redact(result.url, self.secrets)}: {result.error}"
        try:
            self.progress(line)
        except Exception:
            log.warning("the progress callback failed", exc_info=True)

    # -- topics by keyword ----------------------------------------------------------------

    def link_by_keywords(self, new_ids: Sequence[int]) -> int:
        if not new_ids:
            return 0
        linked = 0
        with transaction(self.factory) as session:
            for topic_row in topics.list_all(session):
                keywords = [str(k) for k in topic_row.keywords or [] if str(k).strip()]
                if not keywords:
                    continue
                for start in range(0, len(new_ids), _SEARCH_CHUNK):
                    chunk = list(new_ids[start : start + _SEARCH_CHUNK])
                    hits = search.search(session, keywords, article_ids=chunk, limit=len(chunk))
                    linked += articles.link_topic(
                        session, [h.article_id for h in hits], topic_row.id
                    )
        return linked


def _language(candidate: Candidate, work: PageWork) -> str | None:
    """The language of a candidate as it will be stored (`bot.nlp.language`), None when
    unsure or when detection fails (an article of unknown language is read by every brief).
    `work` detects it, or has it already from the worker that extracted the page."""
    try:
        return work.language(candidate.title[:1024], candidate.text or candidate.title)
    except Exception:
        log.warning("detecting the language of %s failed", candidate.url, exc_info=True)
        return None


def _as_stored(article: Article) -> StoredArticle:
    published = article.published_at
    # As the row reads back (UTC), so the analysis is the one a later read would compute.
    if published is not None and published.tzinfo is not None:
        published = published.astimezone(UTC)
    return (article.id, article.title, article.text, published)


def ingest(
    factory: sessionmaker[Session],
    fetcher: Fetcher,
    specs: Sequence[SourceSpec] | None,
    *,
    topic: str | None = None,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
    max_workers: int | None = None,
    secrets: Sequence[str] = (),
    page_work: PageWork | None = None,
    limits: IngestLimits | None = None,
    stop: threading.Event | None = None,
    until: float | None = None,
    only_topics: Collection[int] | None = None,
    stored: Callable[[list[StoredArticle]], None] | None = None,
) -> IngestReport:
    """Ingest `specs`, or refresh every source attached to a topic when `specs` is None
    (with `only_topics`: every source attached to one of those topics).

    With `topic`, the topic is created if needed and every given source is attached to it;
    with `topic` and no specs, only that topic's sources are refreshed. `progress` is called
    once per finished source, from the calling thread. Never raises for a source's failure:
    each outcome is in the report and on the source's row. `page_work` extracts pages and
    signs texts (default: in the ingest threads; `ExtractionPool`: in worker processes);
    `max_workers`: ingest threads (default: `default_threads(page_work)`).

    `limits` bound what is read; when `stop` is set, or at `until` (time.monotonic()), the
    sources not finished yet are reported as not finished and nothing more is waited for.
    `stored` is called from the calling thread with each committed batch of new articles
    (their sentence analysis starts then, overlapping the rest of the round).
    """
    pipeline = _Pipeline(
        factory,
        fetcher,
        progress=progress,
        now=now,
        max_workers=max_workers,
        secrets=secrets,
        page_work=page_work,
        limits=limits,
        stop=stop,
        until=until,
        stored=stored,
    )
    jobs, rejected = pipeline.prepare(specs, topic, only_topics)
    for result in rejected:
        pipeline._report(result)
    pipeline.run(jobs)
    results = [job.result for job in jobs if job.result is not None]
    assert len(results) == len(jobs), "every source ends with a result"
    report = IngestReport(sources=[*rejected, *results])
    report.new_article_ids = [i for r in results for i in r.new_article_ids]
    try:
        report.topic_links = pipeline.link_by_keywords(report.new_article_ids)
    except Exception:
        log.exception("linking new articles to topics by keyword failed")
    return report
