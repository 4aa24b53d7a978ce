"""The sentence analysis stage: runs right behind ingest, out of its critical path.

Ingest is fetch + extract + near-dup + store: an article is stored and searchable at
extraction speed. Its sentence analysis (spaCy: about ten times a page's extraction) runs
here, behind it:

- `AnalysisPool`: worker processes of their own that parse with `nlp.pipe` in batches (the
  extraction workers never load spaCy, and never queue a page behind an analysis).
- `AnalysisStage`: one bounded background thread per process that takes the ids of stored
  articles (`submit`), has them analysed by the pool (or in its thread without processes),
  stores the results in short transactions (holding back, up to `HOLD_MAX_S`, while an ingest
  round of this process is running, so the round's extraction has the cores), and records a
  failure (`storage.sentences.FAILED`)
  instead of losing the article: it is offered again after `RETRY_AFTER_S` (up to
  `MAX_ATTEMPTS` analyses), and a brief meeting it meanwhile analyses it on demand. When its
  queue is empty it catches up on stored articles that have no analysis (a round whose process
  ended first, a full queue, a failure due for retry), then the thread ends until the next
  `submit`: an idle process keeps no thread polling the database.
- `catch_up(...)`: the same work done synchronously: the queue task of worker mode.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.nlp.features import ArticleAnalysis
from bot.worker_processes import WorkerProcesses, shared

log = logging.getLogger(__name__)

# (title, text, published_at) of a stored article: what its analysis reads.
Material = tuple[str, str, datetime | None]

# Longest queued articles wait for the ingest rounds of this process to end before their
# analysis starts anyway (a round waiting on slow hosts leaves the CPU idle meanwhile).
HOLD_MAX_S = 30.0
# Articles a worker parses in one task (one `nlp.pipe`: full batches cost a tenth less CPU
# per word than one article at a time; small enough that every worker gets a task per chunk).
TASK_ARTICLES = 8
# Longest one task may take (spaCy takes tens to hundreds of ms per article).
TASK_DEADLINE_S = 120.0
# Articles the stage takes from its queue at a time (one read, one write transaction).
CHUNK = 64
# Article ids waiting in the queue at most; more are left to the catch-up (read back later).
CAPACITY = 20_000
# Texts of waiting articles kept in memory (~5 kB each); beyond it they are read back.
MATERIAL_CAP = 2_000
# A failed analysis is tried again after this long, this many analyses in all.
RETRY_AFTER_S = 60.0
MAX_ATTEMPTS = 3


def _analyze(articles: Sequence[Material], nlp_setting: str) -> list[ArticleAnalysis]:
    """In an analysis worker: the analyses of some articles (the model is loaded once)."""
    from bot.ingest.analyze import analyze_batch
    from bot.nlp import load_pipeline

    return analyze_batch(articles, load_pipeline(nlp_setting))


class AnalysisPool(WorkerProcesses):
    """Worker processes that analyse articles (separate from the extraction workers, which
    never hold a spaCy model). They run at normal priority (`nice` 0): a lower one (5 or 10)
    starved them on a machine loaded by others (the product evaluation's ingest + brief took
    72 s a story instead of 43), and it is not needed to keep them off the extraction's CPU:
    the stage holds back while a round is running (HOLD_MAX_S)."""

    preload = ("bot.ingest.analyze",)

    def __init__(self, processes: int, *, deadline_s: float = TASK_DEADLINE_S) -> None:
        super().__init__(processes, deadline_s=deadline_s)

    def analyze_many(
        self, articles: Sequence[Material], nlp_setting: str, *, per_task: int = TASK_ARTICLES
    ) -> list[ArticleAnalysis | None]:
        """The analyses of `articles`, computed in the workers in parallel; None for those of
        a task that failed or ran past its deadline."""
        if self.processes == 0 or not articles:
            return [None] * len(articles)
        batches = [articles[i : i + per_task] for i in range(0, len(articles), per_task)]
        pool = self._executor()
        try:
            futures: list[Future[list[ArticleAnalysis]]] = [
                pool.submit(_analyze, batch, nlp_setting) for batch in batches
            ]
        except (BrokenProcessPool, RuntimeError):
            self._discard(pool)
            return [None] * len(articles)
        out: list[ArticleAnalysis | None] = []
        # Each task's deadline counts from when the previous one was collected: the tasks
        # run side by side, so a healthy chunk never waits for more than one deadline.
        for batch, future in zip(batches, futures, strict=True):
            try:
                out.extend(future.result(timeout=self.deadline_s))
                continue
            except FutureTimeout:
                log.warning("analysing %d articles took over %.0f s", len(batch), self.deadline_s)
                self._discard(pool)
            except BrokenProcessPool:
                log.warning("an analysis worker died analysing %d articles", len(batch))
                self._discard(pool)
            except Exception:
                log.warning("analysing %d articles in a worker failed", len(batch), exc_info=True)
            out.extend([None] * len(batch))
        return out


def shared_analysis_pool(processes: int) -> AnalysisPool:
    """One analysis pool per size per process, kept across rounds (workers start once)."""
    return shared(AnalysisPool, processes)


@dataclass
class StageStats:
    """What the stage did in this process (the ingest benchmark prints its throughput)."""

    analysed: int = 0
    failed: int = 0
    dropped: int = 0  # ids the full queue did not take (the catch-up finds them)
    busy_seconds: float = 0.0  # wall time spent analysing and storing


class Analyser:
    """Analyses stored articles and stores the outcome: the work shared by the background
    stage and the queue task. Never raises for an article's failure: it is recorded."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        nlp_setting: str,
        pool: Callable[[], AnalysisPool | None],
    ) -> None:
        self._factory = factory
        self._nlp_setting = nlp_setting
        self._pool = pool
        self.stats = StageStats()

    def analyse(
        self,
        ids: Sequence[int],
        material: Mapping[int, Material] | None = None,
        attempts: Mapping[int, int] | None = None,
    ) -> int:
        """Analyse and store these articles; how many were analysed (the rest failed, were
        recorded so, or were deleted meanwhile)."""
        from bot.ingest import analyze as sentence_analysis
        from storage import sentences as sentence_store
        from storage.db import transaction

        started = time.monotonic()
        texts = _texts(self._factory, ids, material or {})
        results = self._compute(list(texts.values()))
        done = {i: a for i, a in zip(texts, results, strict=True) if a is not None}
        failed = {i: (attempts or {}).get(i, 0) + 1 for i in texts if i not in done}
        if failed and len(texts) > 1:
            # One bad article must not fail the others of its task: each alone, once more.
            for article_id in list(failed):
                (alone,) = self._compute([texts[article_id]], per_task=1)
                if alone is not None:
                    done[article_id] = alone
                    del failed[article_id]
        with transaction(self._factory) as session:
            if done:
                sentence_analysis.store_analyses(session, done)
            if failed:
                sentence_store.record_failures(session, failed)
        if failed:
            log.warning("the analysis of %d article(s) failed; tried again later", len(failed))
        self.stats.analysed += len(done)
        self.stats.failed += len(failed)
        self.stats.busy_seconds += time.monotonic() - started
        return len(done)

    def _compute(
        self, articles: list[Material], *, per_task: int = TASK_ARTICLES
    ) -> list[ArticleAnalysis | None]:
        pool = self._pool()
        if pool is not None and pool.processes:
            return pool.analyze_many(articles, self._nlp_setting, per_task=per_task)
        from bot.ingest.analyze import analyze_batch
        from bot.nlp import load_pipeline

        try:
            return list(analyze_batch(articles, load_pipeline(self._nlp_setting)))
        except Exception:
            log.warning("analysing %d articles failed", len(articles), exc_info=True)
            return [None] * len(articles)

    def due(self, limit: int) -> list[tuple[int, int]]:
        """Stored articles waiting for an analysis or a retry: [(id, attempts so far)]."""
        from storage import sentences as sentence_store

        before = datetime.now(UTC) - timedelta(seconds=RETRY_AFTER_S)
        with self._factory() as session:
            return sentence_store.pending(
                session, limit=limit, failed_before=before, max_attempts=MAX_ATTEMPTS
            )

    def catch_up(self, deadline: float, busy: Callable[[], set[int]] = set) -> int:
        """Analyse stored articles left without an analysis until none is left or
        `deadline` (time.monotonic()) passes; how many were analysed. `busy`: ids being
        analysed elsewhere in this process, skipped."""
        total = 0
        tried: set[int] = set()  # a failure is retried by a later catch-up, not this one
        while time.monotonic() < deadline:
            skip = tried | busy()
            due = [(i, n) for i, n in self.due(CHUNK + len(skip)) if i not in skip][:CHUNK]
            if not due:
                break
            tried.update(i for i, _ in due)
            total += self.analyse([i for i, _ in due], attempts=dict(due))
        return total


def _texts(
    factory: sessionmaker[Session], ids: Sequence[int], material: Mapping[int, Material]
) -> dict[int, Material]:
    """(title, text, published_at) by id in `ids`' order: from `material` where it has them,
    the rest read in one query (deleted articles are absent)."""
    from storage import articles as article_store

    missing = [i for i in ids if i not in material]
    read: dict[int, Material] = {}
    if missing:
        with factory() as session:
            read = {
                r.id: (r.title, r.text, r.published_at)
                for r in article_store.by_ids(session, missing)
            }
    out: dict[int, Material] = {}
    for article_id in ids:
        if article_id in material:
            out[article_id] = material[article_id]
        elif article_id in read:
            out[article_id] = read[article_id]
    return out


class AnalysisStage:
    """The in-process stage: a bounded queue of stored article ids and one daemon thread that
    analyses them in chunks (started on first use), then catches up. `wait_for` lets a caller
    (the CLI's ingest) wait, with a deadline, for the articles it stored."""

    def __init__(self, analyser: Analyser, rounds_running: Callable[[], bool] = bool) -> None:
        self.analyser = analyser
        # Whether an ingest round of this process is running: its extraction comes first.
        self._rounds_running = rounds_running
        self._queued_since: float | None = None  # when the oldest waiting id was queued
        self._cond = threading.Condition()
        self._queue: deque[int] = deque()
        self._material: dict[int, Material] = {}
        self._pending: set[int] = set()  # queued or being analysed
        self._thread: threading.Thread | None = None
        self._closed = False
        self._more = False  # the last catch-up found work: look again without waiting

    @property
    def stats(self) -> StageStats:
        return self.analyser.stats

    def submit(self, fresh: Sequence[tuple[int, str, str, datetime | None]]) -> None:
        """Queue newly stored (id, title, text, published_at) articles for analysis."""
        with self._cond:
            if self._closed:
                return
            for article_id, title, text, published in fresh:
                if article_id in self._pending:
                    continue
                if len(self._queue) >= CAPACITY:
                    self.stats.dropped += 1
                    continue
                if not self._queue:
                    self._queued_since = time.monotonic()
                self._queue.append(article_id)
                self._pending.add(article_id)
                if len(self._material) < MATERIAL_CAP:
                    self._material[article_id] = (title, text, published)
            self._start()
            self._cond.notify_all()

    def pending(self) -> set[int]:
        with self._cond:
            return set(self._pending)

    def wait_for(self, ids: Sequence[int], timeout: float) -> bool:
        """Wait until none of `ids` is waiting for its analysis here (analysed, or its
        failure recorded), at most `timeout` seconds; whether they all were."""
        deadline = time.monotonic() + timeout
        wanted = set(ids)
        with self._cond:
            while wanted & self._pending:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._cond.wait(min(left, 1.0))
            return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop taking work; the chunk being analysed ends by its own deadline, unwaited for
        past `timeout` (what is left is caught up later: nothing is lost)."""
        with self._cond:
            self._closed = True
            self._queue.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="briefbot-analysis", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        caught_up = False  # a catch-up since the last chunk found nothing more to do
        while True:
            with self._cond:
                if self._closed or (caught_up and not self._queue and not self._more):
                    # Nothing queued and nothing stored left waiting: the thread ends, and
                    # the next `submit` starts another. An idle stage holds no thread and no
                    # database connection (a stage that polled forever kept one open per
                    # engine it had ever used, and outlived its database).
                    self._thread = None
                    return
                while self._holding():
                    self._cond.wait(0.2)
                chunk = [self._queue.popleft() for _ in range(min(CHUNK, len(self._queue)))]
                if not self._queue:
                    self._queued_since = None
                material = {i: self._material.pop(i) for i in chunk if i in self._material}
            try:
                if chunk:
                    caught_up = False
                    self.analyser.analyse(chunk, material)
                elif self._rounds_running():
                    # A round of this process is running: it submits what it stores, which
                    # starts the stage again; its catch-up comes after that round.
                    caught_up = True
                    self._more = False
                else:
                    self._catch_up()
                    caught_up = True
            except Exception:
                # The database away, say: nothing is lost (the catch-up finds them later).
                log.warning("the analysis stage failed on %d articles", len(chunk), exc_info=True)
                caught_up = True
                self._more = False
            finally:
                self._settle(chunk)

    def _holding(self) -> bool:
        """Should the work wait for this process's ingest rounds (called holding the lock)?
        Stored articles are searchable already: their analysis comes right behind the
        round, not beside it on the same cores, unless it has waited HOLD_MAX_S."""
        if self._closed or self._queued_since is None:
            return False
        if time.monotonic() - self._queued_since >= HOLD_MAX_S:
            return False
        return bool(self._rounds_running())

    def _catch_up(self) -> None:
        self._more = False
        due = [(i, n) for i, n in self.analyser.due(CHUNK) if i not in self.pending()]
        if not due:
            return
        with self._cond:
            self._pending.update(i for i, _ in due)
        try:
            self.analyser.analyse([i for i, _ in due], attempts=dict(due))
        finally:
            self._settle([i for i, _ in due])
        self._more = len(due) == CHUNK  # a full chunk: more may be left

    def _settle(self, ids: Sequence[int]) -> None:
        with self._cond:
            self._pending.difference_update(ids)
            self._cond.notify_all()


__all__ = [
    "Analyser",
    "AnalysisPool",
    "AnalysisStage",
    "StageStats",
    "shared_analysis_pool",
]
