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
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from bot.errors import ParseError
from bot.ingest import near_dup
from bot.ingest.pages import ExtractedPage, extract_page
from bot.worker_processes import WorkerProcesses, shared

log = logging.getLogger(__name__)

# Longest one page's extraction may take (trafilatura takes 10-100 ms on a news page).
EXTRACT_DEADLINE_S = 30.0


def _extract_and_sign(
    body: bytes | str, url: str, encoding: str | None
) -> tuple[ExtractedPage, bytes | None]:
    """In a worker: the page, and the near-duplicate signature of its text (the other
    CPU-heavy step per page), so the ingest thread does neither."""
    page = extract_page(body, url, encoding)
    return page, near_dup.signature(page.text)


# Signatures computed by workers, kept for the ingest thread's build step (bounded: one
# round's pages are stored shortly after they are extracted).
_MEMO_SIZE = 512


class ExtractionPool(WorkerProcesses):
    """Page work for the ingest pipeline (`bot.ingest.pipeline.PageWork`): `extract` like
    `extract_page`, and `signature` like `near_dup.signature`, both done in worker processes."""

    # No spaCy here: sentence analysis has its own, lower-priority processes
    # (`bot.ingest.analysis_stage`), so extraction is never queued behind it.
    preload = ("bot.ingest.pages",)

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

    def signature(self, text: str) -> bytes | None:
        """`near_dup.signature(text)`, from the worker that extracted `text` when one did."""
        with self._lock:
            if text in self._signatures:
                return self._signatures.pop(text)
        return near_dup.signature(text)


def shared_pool(processes: int) -> ExtractionPool:
    """One pool per size per process, kept across ingest rounds (workers start once)."""
    return shared(ExtractionPool, processes)
