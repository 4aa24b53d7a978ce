"""Stop asking an LLM server that just failed, for a while (a circuit breaker).

A call that finds the server down (timed out, unreachable, 429 or 5xx after every retry) has
already spent up to OPENAI_TIMEOUT; without this, every brief and answer after it would spend it
again while the server stays down — a digest round of 200 topics would wait 200 × 60 s before
falling back. After such a failure the client refuses at once for `pause` seconds (briefs and
answers are made offline meanwhile), then lets one call through to try the server again: if it
works, calls flow again; if not, the next pause is twice as long, up to `max_pause`. A server
that answers with a refusal (a bad key, an unknown model) or unusable output is up: no pause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Circuit:
    def __init__(
        self,
        *,
        pause: float = 30.0,
        max_pause: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._first_pause = pause
        self._max_pause = max_pause
        self._clock = clock
        self._lock = threading.Lock()
        self._pause = 0.0  # the current pause; 0 while the server works
        self._until = 0.0  # calls are refused until then
        self._trial = False  # one call is trying the server after a pause

    @property
    def enabled(self) -> bool:
        return self._first_pause > 0

    def admit(self) -> float:
        """0 when a call may go to the server now; else the seconds until it may."""
        if not self.enabled:
            return 0.0
        with self._lock:
            if self._pause == 0:
                return 0.0
            left = self._until - self._clock()
            if left > 0:
                return left
            if self._trial:  # another call is trying the server: don't pile on
                return 1.0
            self._trial = True
            return 0.0

    def failed(self) -> None:
        """The server failed this call: pause (longer each time it fails again)."""
        if not self.enabled:
            return
        with self._lock:
            self._pause = (
                self._first_pause if self._pause == 0 else min(self._pause * 2, self._max_pause)
            )
            self._until = self._clock() + self._pause
            self._trial = False

    def answered(self) -> None:
        """The server answered (even with unusable output): calls flow again."""
        with self._lock:
            self._pause = 0.0
            self._trial = False

    def release(self) -> None:
        """The call ended without a verdict on the server (a bug, an interrupt)."""
        with self._lock:
            self._trial = False
