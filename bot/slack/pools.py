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
# ...and counts a burst of requests as one: Slack's requests come in bursts (20 /brief at
# once in `bench/ack_latency.py`), and between two of them the gate would open for an
# instant, letting every waiting thread in to compete with the next acks for the GIL.
ACK_QUIET_SECONDS = 0.1
# How often, at most, a waiting thread looks whether the requests in flight are answered.
_LOOK_AGAIN_SECONDS = 0.01
# A thread whose pause ran out (requests kept coming for all of `ACK_YIELD_SECONDS`) does not
# pause again for this long: work in a process that answers requests without a break is
# slowed down, never stopped.
PAUSE_SPACING_SECONDS = 0.25


class AckGate:
    """How many Slack requests this process is answering right now, so slow work can let
    them go first.

    Slack waits for each ack (3 s at most, and a user watches the spinner); the work after it
    (a brief, an answer, a digest round) takes seconds anyway. In one process all of it shares
    one GIL: with 20 `/brief` at once, the briefs of the first ones acked ran while the others
    were still being acked, and the last acks waited behind that CPU (`bench/ack_latency.py`,
    no digest at all: p99 about 3x bare Bolt's). The front door (`bot.slack.server`) counts
    its requests here. A listener pool's work starts once none has been in flight for
    `ACK_QUIET_SECONDS`, or after `ACK_YIELD_SECONDS`; work already running (a digest, a
    brief) stops at its next database statement or Slack call (`pause`) the same way.
    """

    def __init__(self) -> None:
        self._in_flight = 0
        self._quiet_from = 0.0  # monotonic time: when the last burst of requests is over
        self._lock = threading.Lock()
        self._local = threading.local()

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
        self._local.answering = getattr(self._local, "answering", 0) + 1
        try:
            yield
        finally:
            self._local.answering -= 1
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._quiet_from = time.monotonic() + ACK_QUIET_SECONDS
            # No notification: waking every waiting thread each time the count drops to 0
            # (many times in a burst) made them all take the GIL from the acks still in
            # flight. Waiters look again on their own, a few times per quiet period.

    def after_answer(self, start: Callable[[], Any]) -> bool:
        """On a thread answering a request: keep `start` to run once that request's answer is
        written (`take_after_answer`, called by the front door), and say True. Elsewhere
        False: the caller starts it now."""
        if not getattr(self._local, "answering", 0):
            return False
        pending = getattr(self._local, "after", None)
        if pending is None:
            pending = self._local.after = []
        pending.append(start)
        return True

    def take_after_answer(self) -> list[Callable[[], Any]]:
        """What this thread's request left to start once its answer is written (then none)."""
        pending = getattr(self._local, "after", None) or []
        self._local.after = None
        return pending

    def wait_idle(self, timeout: float, *, quiet: bool = False) -> bool:
        """Until no request is being answered (True), or `timeout` seconds (False). With
        `quiet`, also until `ACK_QUIET_SECONDS` have passed since the last one was answered."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            # One look at both, under the lock: read apart, the last request of a burst could
            # end between them (the count 1, then 0 with the previous burst's end), and the
            # nap came out negative: time.sleep raised, and the brief whose work was waiting
            # here was never made (lost under load in `bench/ack_latency.py`).
            with self._lock:
                in_flight, quiet_from = self._in_flight, self._quiet_from
            busy_until = quiet_from if quiet else 0.0
            if in_flight == 0 and now >= busy_until:
                return True
            if now >= deadline:
                return False
            # While requests are in flight, work that waits for quiet cannot start before
            # ACK_QUIET_SECONDS from now anyway: no need to look sooner.
            nap = max(ACK_QUIET_SECONDS if quiet else 0.0, _LOOK_AGAIN_SECONDS)
            if not in_flight:
                nap = busy_until - now  # > 0: checked above
            time.sleep(max(0.0, min(nap, deadline - now)))

    def pause(self) -> None:
        """A point where slow work lets acks go first: returns at once when no request is
        being answered (the usual case: no lock taken), else once they are answered, for
        at most `ACK_YIELD_SECONDS`. Never on a thread that is itself answering a request,
        nor within `PAUSE_SPACING_SECONDS` of a pause of the same thread that ran out.
        Never raises: it is a courtesy to the acks, and the work it is called from (a
        brief, a digest) must go on whatever happens here."""
        if self._in_flight == 0 and time.monotonic() >= self._quiet_from:
            return
        local = self._local
        if getattr(local, "answering", 0) or time.monotonic() < getattr(local, "next_pause", 0.0):
            return
        try:
            if ACK_YIELD_SECONDS > 0 and not self.wait_idle(ACK_YIELD_SECONDS, quiet=True):
                local.next_pause = time.monotonic() + PAUSE_SPACING_SECONDS
        except Exception:
            log.exception("pausing for acks failed; the work goes on")


# One per process: the HTTP front door and every ListenerPools share it.
ACKS = AckGate()


def _chain(started: Future[Any], handed: Future[Any]) -> None:
    """`handed` (the future `submit` returned before the work reached its pool) ends as the
    pool's own future `started` does."""

    def copy(done: Future[Any]) -> None:
        if done.cancelled():
            handed.cancel()
        elif done.exception() is not None:
            handed.set_exception(done.exception())  # type: ignore[arg-type]
        else:
            handed.set_result(done.result())  # bounded: `done` has finished

    started.add_done_callback(copy)


def start_after_answer(pending: list[Callable[[], Any]]) -> None:
    """Start what a request's listeners left for after its answer (`AckGate.after_answer`).
    Never raises: the answer is already written."""
    for start in pending:
        try:
            start()
        except Exception:
            log.exception("could not start the work of a request")


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
        `too_late` runs instead (when given). Failures are logged, never raised to Bolt.

        Called while a request is being answered (a listener's ack function), the work is
        handed to the pool only once the answer is written (`AckGate.after_answer`): waking a
        pool thread took the GIL from the ack in the middle of it. The future is returned at
        once either way."""
        queued = self._clock()

        def run() -> Any:
            try:
                self._let_acks_go_first()
                waited = self._clock() - queued
                if too_late is not None and waited > self._queue_seconds:
                    log.warning("%s work waited %.0f s in its queue; not started", kind, waited)
                    return too_late()
                return work()
            except Exception:
                log.exception("%s work failed", kind)
                return None

        pool = self._pools[kind]
        handed: Future[Any] = Future()

        def start() -> None:
            try:
                started = pool.submit(run)
            except Exception as err:  # shut down meanwhile
                handed.set_exception(err)
                raise
            _chain(started, handed)

        if self._acks.after_answer(start):
            return handed
        return pool.submit(run)

    def _let_acks_go_first(self) -> None:
        """Acks first: this work takes seconds anyway; theirs is what Slack times. A wait
        that fails is logged and the work runs: a /brief must always get its reply."""
        yielding = self._ack_yield_seconds
        try:
            self._acks.wait_idle(ACK_YIELD_SECONDS if yielding is None else yielding, quiet=True)
        except Exception:
            log.exception("waiting for acks failed; the work runs now")

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
