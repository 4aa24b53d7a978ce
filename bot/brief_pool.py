"""Offline briefs computed in worker processes, so the serving process keeps its GIL for acks.

The extractive summarizer is pure CPU under the GIL. Run in the threads of `briefbot serve`
(a digest round's 10 jobs, each `/brief`'s lazy listener), it held up every Slack ack of the
same process behind it. With `BRIEF_PROCESSES` > 0 the summarizer runs in a pool of worker
processes (started from a fork server that imported it once) and the serving threads only wait
on a pipe. Every wait has a deadline; a worker that fails or runs past it leaves the brief to
the calling thread, as before: slower, never lost.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime

from bot.summarize.model import ArticleInput, Brief

log = logging.getLogger(__name__)

# Longest a brief may take in a worker before the calling thread does it itself.
BRIEF_DEADLINE_S = 60.0

_worker_summarizer = None


def _summarize(
    topic: str, articles: Sequence[ArticleInput], since: datetime, until: datetime, now: datetime
) -> Brief:
    """In a worker: one summarizer per process (its sentence cache serves the next brief)."""
    global _worker_summarizer
    if _worker_summarizer is None:
        from bot.summarize.extractive import ExtractiveSummarizer

        _worker_summarizer = ExtractiveSummarizer()
    return _worker_summarizer.summarize(topic, articles, since=since, until=until, now=now)


class BriefPool:
    def __init__(self, processes: int, *, deadline_s: float = BRIEF_DEADLINE_S) -> None:
        self.processes = max(0, processes)
        self.deadline_s = deadline_s
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context(
                    "forkserver" if "forkserver" in methods else "spawn"
                )
                if context.get_start_method() == "forkserver":
                    context.set_forkserver_preload(["bot.summarize.extractive"])
                self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def summarize(
        self,
        topic: str,
        articles: Sequence[ArticleInput],
        *,
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> Brief | None:
        """The extractive brief, made by a worker; None when no worker could make it (no
        processes, a worker died, or the deadline passed): the caller then makes it itself."""
        if self.processes == 0:
            return None
        pool = self._executor()
        try:
            future = pool.submit(_summarize, topic, list(articles), since, until, now)
            return future.result(timeout=self.deadline_s)
        except FutureTimeout:
            log.warning("a brief of %s took over %.0f s in a worker", topic, self.deadline_s)
            self._discard(pool)
        except Exception:
            log.warning(
                "a worker could not brief %s; briefing in this thread", topic, exc_info=True
            )
            self._discard(pool)
        return None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_shared: dict[int, BriefPool] = {}
_shared_lock = threading.Lock()


def shared_pool(processes: int) -> BriefPool:
    """One pool per size per process."""
    with _shared_lock:
        pool = _shared.get(processes)
        if pool is None:
            pool = _shared[processes] = BriefPool(processes)
        return pool
