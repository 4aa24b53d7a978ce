"""Thread pools for the Slack listeners' slow work, one per kind, so kinds never wait on
each other.

Bolt runs every lazy listener on one pool (5 threads by default): six slow briefs filled it
and `/brief list`, subscribe and thread answers for everyone else waited behind them. Here
each lazy listener only hands its work to the pool of its kind and returns at once; a brief
that waited in its queue past `queue_seconds` is not started late but answered "try again".
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

BRIEF = "brief"  # /brief <topic>: may fetch sources and call the LLM
COMMAND = "command"  # list, subscribe, unsubscribe, sources: database only
ANSWER = "answer"  # questions in a brief's thread: may call the LLM
EVENT = "event"  # App Home, uninstall

DEFAULT_SIZES: Mapping[str, int] = {BRIEF: 6, COMMAND: 4, ANSWER: 6, EVENT: 2}
# A piece of work still queued after this long is answered "try again" instead of started:
# the user has long given up on it (and a response_url lasts 30 minutes).
DEFAULT_QUEUE_SECONDS = 120.0


# Slow work yields to acks for at most this long (see `AckGate`).
ACK_YIELD_SECONDS = 0.25


class AckGate:
    """How many Slack requests this process is answering right now, so slow work can let
    them go first.

    Slack waits for each ack (3 s at most, and a user watches the spinner); the work after it
    (a brief, an answer) takes seconds anyway. In one process both share one GIL: with 20
    `/brief` at once, the briefs of the first ones acked ran while the others were still being
    acked, and the last acks waited behind that CPU (`bench/ack_latency.py`, no digest at all:
    p99 about 3x bare Bolt's). The front door (`bot.slack.server`) counts its requests here;
    a pool's work starts once none is in flight, or after `ACK_YIELD_SECONDS` (a steady
    stream of requests delays it that long at most, never starves it).
    """

    def __init__(self) -> None:
        self._in_flight = 0
        self._idle = threading.Condition()

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Until no request is being answered (True), or `timeout` seconds (False)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


# One per process: the HTTP front door and every ListenerPools share it.
ACKS = AckGate()


class ListenerPools:
    def __init__(
        self,
        sizes: Mapping[str, int] = DEFAULT_SIZES,
        *,
        queue_seconds: float = DEFAULT_QUEUE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        acks: AckGate = ACKS,
        ack_yield_seconds: float | None = None,
    ) -> None:
        self._pools = {
            kind: ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"slack-{kind}")
            for kind, size in sizes.items()
        }
        self._queue_seconds = queue_seconds
        self._clock = clock
        self._acks = acks
        self._ack_yield_seconds = ack_yield_seconds

    def submit(
        self,
        kind: str,
        work: Callable[[], Any],
        *,
        too_late: Callable[[], Any] | None = None,
    ) -> Future[Any]:
        """Run `work` on the pool of `kind`. If it waited in the queue past `queue_seconds`,
        `too_late` runs instead (when given). Failures are logged, never raised to Bolt."""
        queued = self._clock()

        def run() -> Any:
            try:
                # Acks first: this work takes seconds anyway; theirs is what Slack times.
                yielding = self._ack_yield_seconds
                self._acks.wait_idle(ACK_YIELD_SECONDS if yielding is None else yielding)
                waited = self._clock() - queued
                if too_late is not None and waited > self._queue_seconds:
                    log.warning("%s work waited %.0f s in its queue; not started", kind, waited)
                    return too_late()
                return work()
            except Exception:
                log.exception("%s work failed", kind)
                return None

        return self._pools[kind].submit(run)

    def later(self, kind: str, listener: Callable[..., Any]) -> Callable[..., None]:
        """`listener`, as a Bolt lazy listener that hands the call to the pool of `kind`.
        (Bolt injects arguments by the listener's own signature, which `wraps` keeps.)"""

        @functools.wraps(listener)
        def dispatch(**kwargs: Any) -> None:
            self.submit(kind, functools.partial(listener, **kwargs))

        return dispatch

    def shutdown(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
