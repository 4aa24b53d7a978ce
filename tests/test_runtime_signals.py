"""`serve` and `worker` idle their main thread until SIGTERM/SIGINT: a signal the kernel hands
to another of the process's threads must still stop them (a stopped worker lived on in CI)."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from bot.runtime import wait_for_signal


def test_a_signal_delivered_to_another_thread_still_ends_the_wait() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be set from the main thread")
    stop = threading.Event()
    previous = signal.signal(signal.SIGUSR1, lambda *_: stop.set())

    def signal_from_this_thread() -> None:
        time.sleep(0.2)
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)  # not the main thread

    # Only so that a missed signal fails the test instead of hanging it: one blocking wait
    # returns at this watchdog's 20 s, the loop within a second or so of the signal.
    watchdog = threading.Timer(20, stop.set)
    sender = threading.Thread(target=signal_from_this_thread)
    try:
        watchdog.start()
        sender.start()
        started = time.monotonic()
        wait_for_signal(stop)
        assert time.monotonic() - started < 10
    finally:
        watchdog.cancel()
        sender.join(5)
        signal.signal(signal.SIGUSR1, previous)
