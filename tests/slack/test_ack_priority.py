"""Slow work in the process that answers Slack lets the acks in flight go first: it pauses at
each database transaction and each Slack call it makes while another thread is acking (at
most `ACK_YIELD_SECONDS`), never on the acking thread itself, and counts a burst of requests
as one (`ACK_QUIET_SECONDS`). What `bench/ack_latency.py` measures; here, only that it holds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from bot.core import Briefbot
from bot.runtime import build_runtime
from bot.slack import pools
from bot.slack.client import make_web_client
from bot.slack.pools import ACKS, AckGate, ListenerPools
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.slack.conftest import BOT_TOKEN, settings_for

pytestmark = pytest.mark.ack_quiet_period  # what these tests check


@contextmanager
def acking(gate: AckGate) -> Iterator[threading.Event]:
    """Another thread answering a request until the yielded event is set."""
    entered, release = threading.Event(), threading.Event()

    def answer() -> None:
        with gate.answering():
            entered.set()
            release.wait(30)

    thread = threading.Thread(target=answer)
    thread.start()
    assert entered.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done


@pytest.fixture
def long_yield(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pauses that would last 30 s: a pause that ends sooner ended because the ack did."""
    monkeypatch.setattr(pools, "ACK_YIELD_SECONDS", 30.0)


def test_work_pauses_while_another_thread_acks_and_resumes_when_it_is_answered(
    long_yield: None,
) -> None:
    gate = AckGate()
    with acking(gate) as release:
        thread, done = in_thread(gate.pause)
        assert not done.wait(0.3)  # held while the request is being answered
        release.set()
        assert done.wait(10)  # and let go once it is, not after 30 s
    thread.join(10)


def test_the_acking_thread_itself_never_pauses(long_yield: None) -> None:
    gate = AckGate()
    with acking(gate):  # another request in flight too

        def ack_and_pause() -> None:
            with gate.answering():
                gate.pause()

        thread, done = in_thread(ack_and_pause)
        assert done.wait(10)
    thread.join(10)


def test_a_burst_of_requests_counts_as_one() -> None:
    gate = AckGate()
    with gate.answering():
        pass
    assert gate.wait_idle(0)  # nothing in flight
    assert not gate.wait_idle(0, quiet=True)  # but the burst may go on: work waits a moment
    assert gate.wait_idle(10, quiet=True)


def test_the_serving_process_pauses_its_transactions_and_slack_calls_for_acks(
    db: Database, fake_slack: FakeSlack, long_yield: None
) -> None:
    """As `briefbot serve` wires it: a digest's or a brief's database work and Slack calls
    wait while a request is being acked on another thread."""
    settings = settings_for(db.url, fake_slack)
    core = Briefbot(settings, engine=db.engine)
    client = make_web_client(settings, BOT_TOKEN, max_retries=0)
    runtime = build_runtime(
        settings, socket_mode=False, with_scheduler=False, core=core, client=client
    )
    for work in (core.list_topics, lambda: client.auth_test()):
        with acking(ACKS) as release:
            thread, done = in_thread(work)
            assert not done.wait(0.3)
            release.set()
            assert done.wait(10)
        thread.join(10)
    # With no request in flight nothing waits.
    thread, done = in_thread(core.list_topics)
    assert done.wait(10)
    thread.join(10)
    if runtime.pools is not None:
        runtime.pools.shutdown()


class LastAckEndsWhileLooked(AckGate):
    """A gate whose burst's last request is answered just as slow work looks at it: the
    first `looks_in_flight` looks at the count see one request in flight, every later look
    none, and the burst before this one ended long ago. (Under load, with thirty threads
    pausing at every transaction and Slack call, such a timing came up in 2 of 8
    `bench/ack_latency.py` runs.)"""

    def __init__(self, looks_in_flight: int) -> None:
        super().__init__()
        self.looks = 0
        self.looks_in_flight = looks_in_flight
        self._quiet_from = 0.0  # the previous burst: over long ago

    @property  # type: ignore[override]
    def _in_flight(self) -> int:
        self.looks += 1
        return 1 if self.looks <= self.looks_in_flight else 0

    @_in_flight.setter
    def _in_flight(self, value: int) -> None:
        pass


# Whichever look the last ack ends at.
LOOKS = pytest.mark.parametrize("looks_in_flight", [1, 2, 3])


@LOOKS
def test_a_brief_is_made_whenever_the_last_ack_ends(looks_in_flight: int) -> None:
    """The brief's work waited for the acks, the last one ended as it looked, and the wait
    raised (a negative sleep): the brief was never made and the user got no reply."""
    gate = LastAckEndsWhileLooked(looks_in_flight)
    listener_pools = pools.ListenerPools({"brief": 1}, acks=gate, ack_yield_seconds=5)
    try:
        assert listener_pools.submit("brief", lambda: "made").result(timeout=10) == "made"
    finally:
        listener_pools.shutdown()


@LOOKS
def test_a_pause_ends_whenever_the_last_ack_ends(looks_in_flight: int) -> None:
    """A digest's or a brief's transaction pausing for acks goes on (the pause raised, and
    the transaction failed with it)."""
    gate = LastAckEndsWhileLooked(looks_in_flight)
    thread, done = in_thread(gate.pause)
    assert done.wait(10)
    thread.join(10)


def test_work_queued_while_answering_starts_after_the_answer() -> None:
    """`ListenerPools.submit` from a thread answering a request: the future comes back at
    once, the work reaches its pool when the front door starts what the answer left."""
    from bot.slack.pools import start_after_answer

    gate = AckGate()
    pools = ListenerPools({"brief": 1}, acks=gate, ack_yield_seconds=0)
    try:
        with gate.answering():
            future = pools.submit("brief", lambda: "made")
            assert not future.done()
            pending = gate.take_after_answer()
        assert len(pending) == 1 and gate.take_after_answer() == []
        time.sleep(0.05)
        assert not future.done()  # not started: nothing ran it yet
        start_after_answer(pending)
        assert future.result(timeout=5) == "made"
        assert pools.submit("brief", lambda: "now").result(timeout=5) == "now"  # not answering
        with gate.answering():
            late = pools.submit("brief", lambda: "never")
            pending = gate.take_after_answer()
        pools.shutdown()
        start_after_answer(pending)  # logs, never raises
        with pytest.raises(RuntimeError):
            late.result(timeout=5)
    finally:
        pools.shutdown()
