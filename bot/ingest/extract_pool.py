"""Page extraction in worker processes, so ingest runs at extraction speed on every core.

trafilatura is pure CPU under the GIL: with extraction in the ingest threads, one core did all
of it while the others idled, and every other thread of the process (Slack acks, digests)
waited behind it. Here pages go to a process pool (`INGEST_PROCESSES`, default: the CPU count
up to 4; 0 extracts in the calling thread as before).

Workers start from a fork server that imported the extraction code once (so a new worker costs
a fork, not a second of imports), and never from a fork of the caller's threads. Every wait has
a deadline: a page whose extraction runs past it is given up (its teaser is kept), and the
pool's processes are replaced, since a running task cannot be cancelled any other way.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from bot.errors import ParseError
from bot.ingest import near_dup
from bot.ingest.article_text import (
    SHORT_TEXT_WORDS,
    content_hash,
    folded_hash,
    folded_words,
    word_count,
)
from bot.ingest.pages import ExtractedPage, extract_page
from bot.worker_processes import WorkerProcesses, shared

log = logging.getLogger(__name__)

# Longest one page's extraction may take (trafilatura takes 10-100 ms on a news page).
EXTRACT_DEADLINE_S = 30.0


@dataclass(frozen=True)
class PageFacts:
    """What the store step computes from an extracted page's text, computed by the worker
    that extracted it: the ingest thread (one per process, serial, holding the GIL) then only
    looks them up. Each is the value the thread would compute itself."""

    signature: bytes | None  # near_dup.signature(text)
    content_hash: str | None  # content_hash(text), for texts the hash reads without the title
    # The title `language` was detected with (cut as the store step cuts it); None when the
    # detection failed (the store step tries again, and records its failure as it does).
    title: str | None
    language: str | None  # detect_language(title, text)
    words: int  # word_count(text): the store step reads it three times a page


def _extract_and_sign(
    body: bytes | str,
    url: str,
    encoding: str | None,
    title: str | None = None,
    with_date: bool = True,
) -> tuple[ExtractedPage, PageFacts]:
    """In a worker: the page, and its facts (`PageFacts`), so the ingest thread does none of
    that CPU-heavy work. `title`: the title the article will be stored under when it is not
    the page's own (a feed entry's)."""
    from bot.nlp.language import detect_language

    page = extract_page(body, url, encoding, with_date=with_date)
    text = page.text
    stored_title: str | None = (title or page.title or "")[:1024]
    try:
        language = detect_language(stored_title or "", text)
    except Exception:  # never lose the page for it: the store step detects it again
        stored_title, language = None, None
    # One fold of the text for both the signature and the dedup hash: a page's text is
    # normalised already (`normalize_text(text) == text`), so `content_hash` folds this too.
    folded = folded_words(text)
    words = word_count(text)
    facts = PageFacts(
        signature=near_dup.signature(text, folded),
        content_hash=folded_hash(folded) if words >= SHORT_TEXT_WORDS else None,
        title=stored_title,
        language=language,
        words=words,
    )
    return page, facts


# Facts computed by workers, kept for the ingest thread's store step (bounded: one round's
# pages are stored shortly after they are extracted).
_MEMO_SIZE = 512
# Pages submitted ahead (`ExtractionPool.start`) and not finished yet, per process at most.
STARTED_PER_PROCESS = 4


@dataclass(frozen=True)
class Started:
    """A page's extraction submitted to the workers ahead of being asked for (`start`)."""

    pool: ProcessPoolExecutor
    future: Future[tuple[ExtractedPage, PageFacts]]
    request: tuple[Any, ...]  # (body, url, encoding, title, with_date): `extract`'s arguments

    def cancel(self) -> None:
        """Drop it if no worker has taken it yet (a page nobody will read)."""
        self.future.cancel()


class ExtractionPool(WorkerProcesses):
    """Page work for the ingest pipeline (`bot.ingest.pipeline.PageWork`): `extract` like
    `extract_page`, and `signature` like `near_dup.signature`, both done in worker processes."""

    # No spaCy here: sentence analysis has its own, lower-priority processes
    # (`bot.ingest.analysis_stage`), so extraction is never queued behind it.
    preload = ("bot.ingest.pages", "bot.nlp.language")

    def __init__(self, processes: int, *, deadline_s: float = EXTRACT_DEADLINE_S) -> None:
        super().__init__(processes, deadline_s=deadline_s)
        self._facts: OrderedDict[str, PageFacts] = OrderedDict()
        # Languages by (title, text): one text extracted twice under two titles (a page that
        # two feeds list with their own headlines, a mirror) keeps both. By text alone the
        # later title replaced the earlier, and the store step detected that article's
        # language again in the ingest thread (11 of 95 pages a bench round, ~10 ms each).
        self._languages: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._started = 0  # extractions submitted by `start`, not finished yet

    def start(
        self,
        body: bytes | str,
        url: str,
        encoding: str | None = None,
        title: str | None = None,
        *,
        with_date: bool = True,
    ) -> Started | None:
        """Submit the page's extraction to the workers now, from the thread that fetched it,
        and return at once; `extract(..., started=...)` waits for it. Workers so get a page
        the moment it arrives, not when the ingest's scheduling thread (storing a source
        meanwhile, 10-20 ms) hands it on. None: in-thread extraction, or no pool to take it
        (`extract` then does it all)."""
        if self.processes == 0:
            return None
        with self._lock:
            # Bounded: fetches outpacing the workers must not queue pages (and their bodies)
            # without end, nor make a page wait in the queue past its extraction deadline.
            if self._started >= STARTED_PER_PROCESS * self.processes:
                return None
            self._started += 1
        request = (body, url, encoding, title, with_date)
        try:
            pool = self._executor()
            future = pool.submit(_extract_and_sign, *request)
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down meanwhile
            self._done_started()
            return None
        future.add_done_callback(lambda _: self._done_started())
        return Started(pool, future, request)

    def _done_started(self) -> None:
        with self._lock:
            self._started -= 1

    def extract(
        self,
        body: bytes | str,
        url: str,
        encoding: str | None = None,
        title: str | None = None,
        *,
        with_date: bool = True,
        started: Started | None = None,
    ) -> ExtractedPage:
        if self.processes == 0:
            return extract_page(body, url, encoding, with_date=with_date)
        if started is not None and started.request != (body, url, encoding, title, with_date):
            started.cancel()  # started for another page or other settings: not this one's
            started = None
        for attempt in (1, 2):
            try:
                if started is not None and attempt == 1:
                    pool, future = started.pool, started.future
                else:
                    pool = self._executor()
                    future = pool.submit(_extract_and_sign, body, url, encoding, title, with_date)
                page, facts = future.result(timeout=self.deadline_s)
                with self._lock:
                    _remember(self._facts, page.text, facts)
                    if facts.title is not None:
                        _remember(self._languages, (facts.title, page.text), facts.language)
                return page
            except FutureTimeout:
                log.warning("extracting %s took over %.0f s: given up", url, self.deadline_s)
                self._discard(pool)
                raise ParseError(
                    f"the page took over {self.deadline_s:.0f} s to extract: given up"
                ) from None
            except (BrokenProcessPool, CancelledError):
                # A worker died (or was replaced for another page's deadline, which cancels
                # what its pool had queued): once more.
                self._discard(pool)
                if attempt == 2:
                    break
        # Workers that die at once (e.g. a script without `if __name__ == "__main__":`, which
        # they re-run on start): extract in this thread from now on, slower but working.
        log.warning("extraction worker processes keep failing: extracting in-process")
        self.processes = 0
        return extract_page(body, url, encoding, with_date=with_date)

    def _facts_of(self, text: str) -> PageFacts | None:
        with self._lock:
            return self._facts.get(text)

    def signature(self, text: str) -> bytes | None:
        """`near_dup.signature(text)`, from the worker that extracted `text` when one did."""
        facts = self._facts_of(text)
        return facts.signature if facts is not None else near_dup.signature(text)

    def content_hash(self, text: str) -> str:
        """`content_hash(text)`, from the worker that extracted `text` when one did."""
        facts = self._facts_of(text)
        if facts is not None and facts.content_hash is not None:
            return facts.content_hash
        return content_hash(text)

    def word_count(self, text: str) -> int:
        """`word_count(text)`, from the worker that extracted `text` when one did."""
        facts = self._facts_of(text)
        return facts.words if facts is not None else word_count(text)

    def language(self, title: str, text: str) -> str | None:
        """`detect_language(title, text)`, from the worker that extracted `text` when it
        detected it with the same title."""
        with self._lock:
            if (title, text) in self._languages:
                return self._languages[(title, text)]
        from bot.nlp.language import detect_language

        return detect_language(title, text)


def shared_pool(processes: int) -> ExtractionPool:
    """One pool per size per process, kept across ingest rounds (workers start once)."""
    return shared(ExtractionPool, processes)


def _remember(memo: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    """Store `value` as the newest entry of `memo`, dropping the oldest past `_MEMO_SIZE`."""
    memo[key] = value
    memo.move_to_end(key)
    while len(memo) > _MEMO_SIZE:
        memo.popitem(last=False)
