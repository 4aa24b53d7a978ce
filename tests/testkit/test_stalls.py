"""testkit.stalls: the meter counts the time its process could not run, and a bound widens by it.

(That it stays near zero on an idle machine cannot be checked here: on a loaded one every wake
is late, which is what it is for.)"""

from __future__ import annotations

import re
import time

from testkit.stalls import StallMeter

# Backtracks exponentially in C, holding the GIL: no other thread of the process runs meanwhile.
_CATASTROPHIC = re.compile(r"^(a+)+$")


def _hold_the_gil() -> float:
    """Seconds of CPU spent holding the GIL (about a quarter of a second)."""
    started = time.thread_time()
    assert _CATASTROPHIC.match("a" * 23 + "!") is None
    return time.thread_time() - started


def test_time_the_process_cannot_run_is_counted_and_forgiven() -> None:
    with StallMeter() as meter:
        held = _hold_the_gil()
    assert held > 0.05, "the pattern finished too fast to hold the GIL measurably"
    # The meter's thread could not wake while the pattern ran: most of it is counted.
    assert meter.stalled >= 0.8 * held, (meter.stalled, held)
    assert meter.elapsed >= held
    # A bound the block overran by less than the stall is met; the message says why.
    assert meter.within(meter.elapsed - held / 2)
    assert "could not run" in meter.describe(0)
