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
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from bot.errors import ParseError
from bot.ingest import near_dup
from bot.ingest.pages import ExtractedPage, extract_page
from bot.nlp.features import ArticleAnalysis
from bot.worker_processes import WorkerProcesses, shared

log = logging.getLogger(__name__)

# Longest one page's extraction may take (trafilatura takes 10-100 ms on a news page).
EXTRACT_DEADLINE_S = 30.0
# Longest one task of sentence analysis (ANALYZE_BATCH articles; spaCy takes tens to hundreds
# of ms per article) may take.
ANALYZE_DEADLINE_S = 120.0


def _extract_and_sign(
    body: bytes | str, url: str, encoding: str | None
) -> tuple[ExtractedPage, bytes | None]:
    """In a worker: the page, and the near-duplicate signature of its text (the other
    CPU-heavy step per page), so the ingest thread does neither."""
    page = extract_page(body, url, encoding)
    return page, near_dup.signature(page.text)


# Articles a worker analyses in one task: their paragraphs go through one `nlp.pipe`, which
# keeps spaCy's batches full (a tenth less CPU than one article per task); small enough that
# every worker gets tasks from one ingest chunk.
ANALYZE_BATCH = 8


def _analyze(
    articles: Sequence[tuple[str, str, datetime | None]], nlp_setting: str
) -> list[ArticleAnalysis]:
    """In a worker: some articles' sentence analyses (the worker loads the NLP model once)."""
    from bot.ingest.analyze import analyze_batch
    from bot.nlp import load_pipeline

    return analyze_batch(articles, load_pipeline(nlp_setting))


# Signatures computed by workers, kept for the ingest thread's build step (bounded: one
# round's pages are stored shortly after they are extracted).
_MEMO_SIZE = 512


class ExtractionPool(WorkerProcesses):
    """Page work for the ingest pipeline (`bot.ingest.pipeline.PageWork`): `extract` like
    `extract_page`, and `signature` like `near_dup.signature`, both done in worker processes."""

    preload = ("bot.ingest.pages", "bot.ingest.analyze")

    def __init__(self, processes: int, *, deadline_s: float = EXTRACT_DEADLINE_S) -> None:
        super().__init__(processes, deadline_s=deadline_s)
        self._signatures: OrderedDict[str, bytes | None] = OrderedDict()

    def extract(self, body: bytes | str, url: str, encoding: str | None = None) -> ExtractedPage:
        if self.processes == 0:
            return extract_page(body, url, encoding)
        for attempt in (1, 2):
            pool = self._executor()
            try:
                future: Future[tuple[ExtractedPage, bytes | None]] = pool.submit(
                    _extract_and_sign, body, url, encoding
                )
                page, signature = future.result(timeout=self.deadline_s)
                with self._lock:
                    self._signatures[page.text] = signature
                    while len(self._signatures) > _MEMO_SIZE:
                        self._signatures.popitem(last=False)
                return page
            except FutureTimeout:
                log.warning("extracting %s took over %.0f s: given up", url, self.deadline_s)
                self._discard(pool)
                raise ParseError(
                    f"the page took over {self.deadline_s:.0f} s to extract: given up"
                ) from None
            except BrokenProcessPool:
                # A worker died (or was replaced for another page's deadline): once more.
                self._discard(pool)
                if attempt == 2:
                    break
        # Workers that die at once (e.g. a script without `if __name__ == "__main__":`, which
        # they re-run on start): extract in this thread from now on, slower but working.
        log.warning("extraction worker processes keep failing: extracting in-process")
        self.processes = 0
        return extract_page(body, url, encoding)

    def analyze_many(
        self, articles: Sequence[tuple[str, str, datetime | None]], nlp_setting: str
    ) -> list[ArticleAnalysis | None]:
        """The sentence analyses of (title, text, published_at) articles, computed in the
        workers in parallel; None for one that failed or ran past its deadline (it is then
        analysed when a brief first reads it). Without processes: None for all (the caller
        analyses in its own thread)."""
        if self.processes == 0 or not articles:
            return [None] * len(articles)
        pool = self._executor()
        batches = [articles[i : i + ANALYZE_BATCH] for i in range(0, len(articles), ANALYZE_BATCH)]
        try:
            futures = [pool.submit(_analyze, batch, nlp_setting) for batch in batches]
        except BrokenProcessPool:
            self._discard(pool)
            return [None] * len(articles)
        out: list[ArticleAnalysis | None] = []
        for batch, future in zip(batches, futures, strict=True):
            try:
                out.extend(future.result(timeout=ANALYZE_DEADLINE_S))
                continue
            except FutureTimeout:
                log.warning(
                    "analysing %d articles took over %.0f s", len(batch), ANALYZE_DEADLINE_S
                )
                self._discard(pool)
            except Exception:
                log.warning("analysing %d articles in a worker failed", len(batch), exc_info=True)
            out.extend([None] * len(batch))
        return out

    def signature(self, text: str) -> bytes | None:
        """`near_dup.signature(text)`, from the worker that extracted `text` when one did."""
        with self._lock:
            if text in self._signatures:
                return self._signatures.pop(text)
        return near_dup.signature(text)


class BackgroundAnalysis:
    """Sentence analyses of the articles an ingest round stores, computed in the pool's workers
    while the round goes on (`add` as each batch is stored, `finish` at the end), instead of
    all after it: with fetches waiting on the network, the workers analyse meanwhile.

    At most one batch per worker is in the pool at a time (the rest wait here, handed over
    as earlier ones finish), so a page extraction queued behind them waits for one batch at
    most, far inside its deadline. Everything runs in the calling thread: `add` and `finish`
    collect what finished and hand over more; no callbacks run on the pool's threads.
    """

    def __init__(self, pool: ExtractionPool, nlp_setting: str) -> None:
        self._pool = pool
        self._nlp_setting = nlp_setting
        self._waiting: deque[list[tuple[int, str, str, datetime | None]]] = deque()
        self._running: list[tuple[list[int], Future[list[ArticleAnalysis]], float]] = []
        self._done: dict[int, ArticleAnalysis] = {}
        self._broken = pool.processes == 0
        self._executor: ProcessPoolExecutor | None = None  # the pool the batches went to

    def add(self, articles: Sequence[tuple[int, str, str, datetime | None]]) -> None:
        """Queue (id, title, text, published_at) articles for analysis."""
        rows = list(articles)
        for start in range(0, len(rows), ANALYZE_BATCH):
            self._waiting.append(rows[start : start + ANALYZE_BATCH])
        self._collect(wait_until=None)
        self._hand_over()

    def finish(self, deadline_s: float = ANALYZE_DEADLINE_S) -> dict[int, ArticleAnalysis]:
        """Wait for what was queued (each batch at most `deadline_s` from its start); the
        analyses by article id. Articles missing from it (a worker failed, ran past its
        deadline, or no workers) are the caller's to analyse."""
        while (self._waiting or self._running) and not self._broken:
            self._hand_over()
            if not self._running:
                break
            self._collect(wait_until=min(started for _, _, started in self._running) + deadline_s)
        self._waiting.clear()
        return self._done

    def _hand_over(self) -> None:
        while self._waiting and not self._broken and len(self._running) < self._pool.processes:
            batch = self._waiting.popleft()
            material = [(title, text, published) for _, title, text, published in batch]
            try:
                self._executor = self._pool._executor()
                future = self._executor.submit(_analyze, material, self._nlp_setting)
            except (BrokenProcessPool, RuntimeError):
                self._broken = True  # the caller analyses what is left
                return
            self._running.append(([i for i, *_ in batch], future, time.monotonic()))

    def _collect(self, wait_until: float | None) -> None:
        """Take the finished batches' results; with `wait_until` (time.monotonic()), first wait
        for one to finish until then, and give the pool up if none did."""
        if wait_until is not None and self._running:
            futures = [f for _, f, _ in self._running]
            done, _ = wait(
                futures,
                timeout=max(0.0, wait_until - time.monotonic()),
                return_when=FIRST_COMPLETED,
            )
            if not done:
                log.warning("analysing articles took over %.0f s: given up", ANALYZE_DEADLINE_S)
                if self._executor is not None:
                    self._pool._discard(self._executor)
                self._broken = True
                self._running.clear()
                return
        still: list[tuple[list[int], Future[list[ArticleAnalysis]], float]] = []
        for ids, future, started in self._running:
            if not future.done():
                still.append((ids, future, started))
                continue
            try:
                # done() above: the result is there, timeout=0 never waits
                self._done.update(zip(ids, future.result(timeout=0), strict=True))
            except Exception:
                log.warning("analysing %d articles in a worker failed", len(ids), exc_info=True)
        self._running = still


def shared_pool(processes: int) -> ExtractionPool:
    """One pool per size per process, kept across ingest rounds (workers start once)."""
    return shared(ExtractionPool, processes)
