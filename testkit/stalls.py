"""Wall-clock bounds that hold on a loaded machine without going blind on an idle one.

A test that says "the fetch gave up within 2.5 s" measures two things at once: the code's
deadline and how much CPU the machine gave this process. On a shared 2-core box at load 15 (a
test run at `nice` beside benchmarks) a process can wait seconds for a CPU, or for the GIL
another of its threads holds, and the bound flakes. `StallMeter` measures that in the same run:
a thread asks to wake every 10 ms and adds up how late it woke, beyond the ordinary lateness of
a busy scheduler (20 ms, which a deadline's margin absorbs). That is time the process could
not run; the code under test lost about as much, and `within` widens the bound by it.

On an idle machine the meter reads zero, so a deadline that is not kept still fails; under load
the bound grows by what the load took, and no more.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

TICK_S = 0.01  # how often the meter asks to wake: short, so one stall is seen whole
# Lateness a busy scheduler adds to any wake-up: not counted (the code under test wakes far less
# often than the meter, so summing it over every tick would forgive a deadline missed by seconds).
JITTER_S = 0.02


class StallMeter:
    """`with StallMeter() as meter: ...`; then `meter.elapsed` (wall seconds of the block) and
    `meter.stalled` (seconds of it the process could not run, as far as a waking thread saw)."""

    def __init__(self, tick_s: float = TICK_S) -> None:
        self.tick_s = tick_s
        self.stalled = 0.0
        self.elapsed = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-meter", daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        while True:
            asked = time.monotonic()
            if self._stop.wait(self.tick_s):
                return
            self.stalled += max(0.0, time.monotonic() - asked - self.tick_s - JITTER_S)

    def __enter__(self) -> StallMeter:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.elapsed = time.monotonic() - self._started
        self._stop.set()
        self._thread.join(timeout=5)

    def within(self, seconds: float) -> bool:
        """Whether the block took at most `seconds`, plus twice the time the process could not
        run (the code under test and the meter each may have lost it, at different moments)."""
        return self.elapsed <= seconds + 2 * self.stalled

    def describe(self, seconds: float) -> str:
        return (
            f"took {self.elapsed:.2f} s; allowed {seconds:g} s + 2 x {self.stalled:.2f} s "
            "the process could not run"
        )
