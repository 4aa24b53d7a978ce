"""The pure parts of the front door and the listener pools: the replay memory (bounded,
expiring, thread-safe), a queued brief answered "try again" instead of started late, and slow
work letting the acks in flight go first."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.slack.pools import AckGate, ListenerPools
from bot.slack.server import ReplayGuard, front_door


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_refused_within_the_window_and_accepted_after() -> None:
    clock = Clock()
    guard = ReplayGuard(window=300, capacity=100, clock=clock)
    assert guard.claim(["sig:a"])
    assert not guard.claim(["sig:a"])
    assert guard.claim(["sig:b", "event:E1"])  # a new request is fine
    assert not guard.claim(["sig:c", "event:E1"])  # a retry: new signature, same event
    clock.now += 301
    assert guard.claim(["sig:a"])


def test_a_released_key_can_be_processed_again() -> None:
    guard = ReplayGuard(clock=Clock())
    assert guard.claim(["sig:a"])
    guard.release(["sig:a"])  # handling failed: Slack's retry must still be processed
    assert guard.claim(["sig:a"])


def test_memory_is_bounded_oldest_forgotten_first() -> None:
    guard = ReplayGuard(window=300, capacity=50, clock=Clock())
    for i in range(1000):
        assert guard.claim([f"sig:{i}"])
    assert len(guard._seen) <= 50
    assert not guard.claim(["sig:999"])  # the newest are still remembered


def test_claims_from_many_threads_let_exactly_one_through() -> None:
    guard = ReplayGuard()
    barrier = threading.Barrier(16)

    def claim(_: int) -> bool:
        barrier.wait()
        return guard.claim(["sig:same"])

    with ThreadPoolExecutor(16) as pool:
        assert sum(pool.map(claim, range(16))) == 1


def test_work_queued_past_its_deadline_gets_too_late_instead() -> None:
    clock = Clock()
    pools = ListenerPools({"brief": 1}, queue_seconds=60, clock=clock)
    release = threading.Event()
    ran: list[str] = []
    first = pools.submit("brief", lambda: release.wait(5) and ran.append("first"))
    queued = pools.submit(
        "brief", lambda: ran.append("second"), too_late=lambda: ran.append("too late")
    )
    clock.now += 61  # the second waited in the queue past its deadline
    release.set()
    first.result(timeout=5)
    queued.result(timeout=5)
    assert ran == ["first", "too late"]
    pools.shutdown()


def test_failing_work_is_logged_not_raised() -> None:
    pools = ListenerPools({"command": 1})

    def boom() -> None:
        raise RuntimeError("boom")

    assert pools.submit("command", boom).result(timeout=5) is None
    pools.shutdown()


def _elsewhere(call: Callable[[], Future[Any]]) -> Future[Any]:
    """`call` on another thread than the test's (which is answering a request: work queued
    by the answering thread itself starts after its answer, see test_ack_priority)."""
    with ThreadPoolExecutor(1) as other:
        return other.submit(call).result(timeout=10)


def test_slow_work_starts_once_the_acks_in_flight_are_answered() -> None:
    acks = AckGate()
    pools = ListenerPools({"brief": 1}, acks=acks, ack_yield_seconds=30)
    started = threading.Event()
    with acks.answering():  # a request being acked (work queued by another thread)
        done = _elsewhere(lambda: pools.submit("brief", started.set))
        assert not started.wait(0.3)  # the brief waits for the ack
    done.result(timeout=10)  # and runs as soon as the ack is answered, not after 30 s
    assert started.is_set()
    pools.shutdown()


def test_a_steady_stream_of_acks_delays_slow_work_but_never_starves_it() -> None:
    acks = AckGate()
    pools = ListenerPools({"brief": 1}, acks=acks, ack_yield_seconds=0.05)
    with acks.answering():  # never answered while the work waits
        assert _elsewhere(lambda: pools.submit("brief", lambda: "ran")).result(timeout=10) == "ran"
    pools.shutdown()


def test_the_front_door_counts_the_request_it_hands_to_bolt() -> None:
    """While Bolt acks a request the process-wide gate says a request is in flight (what
    the listener pools wait for), and not once it is answered."""
    from bot.slack import pools as pools_module

    seen: list[bool] = []

    def bolt(environ: dict, start_response: object) -> list[bytes]:
        seen.append(not pools_module.ACKS.wait_idle(0))
        start_response("200 OK", [])  # type: ignore[operator]
        return [b""]

    app = front_door(bolt, None)
    environ = {"CONTENT_LENGTH": "0", "wsgi.input": None, "CONTENT_TYPE": "application/json"}
    app(environ, lambda *a: None)
    assert seen == [True]
    assert pools_module.ACKS.wait_idle(0)
