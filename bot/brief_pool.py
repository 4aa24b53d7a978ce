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
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime

from bot.summarize.model import ArticleInput, Brief
from bot.worker_processes import WorkerProcesses, shared

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


# The brief workers' CPU priority below the serving process's (`nice`): on a machine short of
# CPU, a digest's brief (seconds, waited for by nobody in particular) yields to the acks
# Slack waits 3 s for.
BRIEF_WORKER_NICE = 10


class BriefPool(WorkerProcesses):
    preload = ("bot.summarize.extractive",)
    nice = BRIEF_WORKER_NICE

    def __init__(self, processes: int, *, deadline_s: float = BRIEF_DEADLINE_S) -> None:
        super().__init__(processes, deadline_s=deadline_s)

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


def _ready() -> bool:
    return True


def warm_up(processes: int) -> bool:
    """Start the shared pool's worker processes now (the fork server importing the summarizer,
    then a fork per worker): a second or more of CPU that the first digest round would
    otherwise spend while Slack's acks wait (`bench/ack_latency.py`: the slowest bursts of
    a repeat were its first, at the round's start). False when they did not start in time
    (the pool then starts on first use, as before)."""
    if processes <= 0:
        return False
    pool = shared_pool(processes)
    executor = pool._executor()
    try:
        futures = [executor.submit(_ready) for _ in range(processes)]
        return all(f.result(timeout=pool.deadline_s) for f in futures)
    except Exception:
        log.warning("brief worker processes did not start; they start on first use", exc_info=True)
        pool._discard(executor)
        return False


def shared_pool(processes: int) -> BriefPool:
    """One pool per size per process."""
    return shared(BriefPool, processes)
