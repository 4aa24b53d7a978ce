"""Briefbot.brief computes one brief per cache key at a time: callers asking for the same
articles while it is being summarized wait for it instead of summarizing (and, with an LLM,
paying) again. A digest round briefs one topic for many channels at once."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Briefbot, BriefResult
from bot.service.briefs import STAND_IN_SECONDS
from bot.settings import Settings
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import ArticleInput, Brief
from tests.conftest import Database

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TEXT = (
    "The city council approved the river restoration plan on Thursday by a vote of 7 to 2. "
    "The plan commits 4 million euros to rebuilding the flood banks.\n\n"
    "It remains unclear whether the regional government will co-fund the second phase.\n\n"
    "Construction will begin in September, and the council will review costs in March."
)


class SlowSummarizer:
    """The extractive summarizer, slowed down like an LLM call, counting its calls."""

    def __init__(self, *, fail_first: bool = False, name: str = "extractive") -> None:
        self.inner = ExtractiveSummarizer()
        self.name = "extractive"
        self.version = self.inner.version
        self.calls = 0
        self.fail_first = fail_first
        self.brief_name = name  # what the brief says wrote it ("extractive": no fallback)
        self.lock = threading.Lock()
        # Set by `brief_many` once every caller has reached the single flight: the first call
        # holds its brief until then, so a caller slowed by a loaded machine is still a waiter
        # when the brief is made (not a latecomer that finds it in the cache, or briefs again).
        self.all_arrived: threading.Event | None = None

    def summarize(
        self,
        topic: str,
        articles: Sequence[ArticleInput],
        *,
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> Brief:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if self.all_arrived is not None:
            self.all_arrived.wait(10)  # bounded: a caller that never arrives fails the test
        time.sleep(0.3)
        if first and self.fail_first:
            raise RuntimeError("the first summary failed")
        brief = self.inner.summarize(topic, articles, since=since, until=until, now=now)
        return dataclasses.replace(brief, summarizer=self.brief_name)


@pytest.fixture
def core(db: Database, tmp_path: Path) -> Briefbot:
    settings = Settings.from_env(environ={"DATABASE_URL": db.url}, dotenv_path=None)
    core = Briefbot(settings, engine=db.engine, clock=lambda: NOW)
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.md").write_text(
            f"---\ntitle: River plan {n}\noutlet: Outlet {n}\n"
            f"published: {(NOW - timedelta(hours=2 + n)).isoformat()}\n"
            f"url: https://news{n}.example.com/river\n---\n{TEXT} Item {n}.\n"
        )
    core.ingest([str(folder)], topic="river plan")
    return core


CALLER_THREADS = "brief-caller"


def brief_many(core: Briefbot, n: int, slow: SlowSummarizer) -> list[BriefResult | BaseException]:
    barrier = threading.Barrier(n)
    arrived = [0]
    lock = threading.Lock()
    slow.all_arrived = threading.Event()
    single_flight = core.briefs._single_flight

    def counting_single_flight(*args: object, **kwargs: object) -> BriefResult:
        with lock:
            arrived[0] += 1
            if arrived[0] >= n:
                slow.all_arrived.set()  # type: ignore[union-attr]
        return single_flight(*args, **kwargs)  # type: ignore[arg-type]

    core.briefs._single_flight = counting_single_flight  # type: ignore[method-assign]

    def one(k: int) -> BriefResult | BaseException:
        barrier.wait()
        try:  # windows differ by a minute each; the articles in them do not
            return core.brief("river plan", until=NOW - timedelta(minutes=k))
        except Exception as err:
            return err

    with ThreadPoolExecutor(n, thread_name_prefix=CALLER_THREADS) as pool:
        return list(pool.map(one, range(n)))


def test_concurrent_briefs_of_the_same_articles_summarize_once(core: Briefbot) -> None:
    slow = SlowSummarizer()
    core.summarizer = lambda: slow  # type: ignore[method-assign]
    results = brief_many(core, 8, slow)
    assert slow.calls == 1
    assert all(isinstance(r, BriefResult) for r in results)
    briefs = [r for r in results if isinstance(r, BriefResult)]
    assert len({r.brief_id for r in briefs}) == 1
    assert sorted(r.cached for r in briefs) == [False] + [True] * 7
    # each keeps its own window
    assert len({r.brief.until for r in briefs}) == 8
    assert core.briefs._flights == {}


def test_callers_waiting_for_the_same_brief_do_not_load_its_sentences(
    core: Briefbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored sentences are read by the one caller that summarizes: the others (a digest
    round's channels of one topic) wait for its brief and read nothing, so a round costs the
    serving process one load per topic, not one per channel."""
    from bot.ingest import analyze

    loads: list[int] = []
    real_load = analyze.load

    def counting_load(*args: object, **kwargs: object) -> object:
        # Only this test's callers count: in a full run a background thread that an earlier
        # test left behind in this process (a digest round, say) may brief its own articles.
        if threading.current_thread().name.startswith(CALLER_THREADS):
            loads.append(1)
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analyze, "load", counting_load)
    slow = SlowSummarizer()
    core.summarizer = lambda: slow  # type: ignore[method-assign]
    results = brief_many(core, 8, slow)
    assert all(isinstance(r, BriefResult) for r in results)
    assert slow.calls == 1
    assert len(loads) == 1
    briefs = [r for r in results if isinstance(r, BriefResult)]
    # the brief still read the articles' stored sentences
    assert any(briefs[0].brief.sections.values())


def test_when_the_first_fails_the_others_try_themselves(core: Briefbot) -> None:
    slow = SlowSummarizer(fail_first=True)
    core.summarizer = lambda: slow  # type: ignore[method-assign]
    results = brief_many(core, 4, slow)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and "first summary failed" in str(errors[0])
    assert all(isinstance(r, BriefResult) for r in results if r not in errors)
    assert 2 <= slow.calls <= 4
    assert core.briefs._flights == {}


def test_a_fallback_brief_is_shared_then_the_llm_is_tried_again(core: Briefbot) -> None:
    """The LLM failed and the offline summarizer stood in: the callers waiting share that
    brief (no second failing call each), so does a later caller within STAND_IN_SECONDS, and
    after that the same articles get one new LLM attempt."""
    slow = SlowSummarizer(name="extractive (fallback)")
    core.summarizer = lambda: slow  # type: ignore[method-assign]
    results = brief_many(core, 4, slow)
    assert slow.calls == 1
    assert all(isinstance(r, BriefResult) for r in results)
    later = core.brief("river plan")
    assert slow.calls == 1 and later.cached
    _age_stand_ins(core, STAND_IN_SECONDS + 60)
    again = core.brief("river plan")
    assert slow.calls == 2 and not again.cached
    assert again.brief_id == later.brief_id  # replaced in place: a thread under it still works


def test_each_topic_window_gets_one_llm_attempt_across_worker_processes(
    core: Briefbot, db: Database
) -> None:
    """Two worker processes (two cores, each its own in-process flight) brief the same
    articles one after the other for two channels while the LLM keeps failing: the second
    serves the stand-in the first stored, without calling the LLM again."""
    slow = SlowSummarizer(name="extractive (fallback)")
    core.summarizer = lambda: slow  # type: ignore[method-assign]
    other = Briefbot(core.settings, engine=db.engine, clock=lambda: NOW, migrate=False)
    other.summarizer = lambda: slow  # type: ignore[method-assign]
    first = core.brief("river plan", until=NOW)
    second = other.brief("river plan", until=NOW - timedelta(minutes=5))
    assert slow.calls == 1
    assert second.brief_id == first.brief_id and second.brief.until == NOW - timedelta(minutes=5)


def _age_stand_ins(core: Briefbot, seconds: float) -> None:
    from sqlalchemy import update

    from storage.db import transaction
    from storage.models import Brief as BriefRow

    with transaction(core.factory) as session:
        session.execute(
            update(BriefRow)
            .where(BriefRow.summarizer == "extractive (fallback)")
            .values(created_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )


def test_a_waiter_stops_waiting_at_its_deadline_and_briefs_offline(core: Briefbot) -> None:
    """The first caller is stuck (an LLM call past every deadline): the others do not wait
    on it for ever, they answer with the offline brief once their wait is over."""
    stuck = threading.Event()

    class StuckSummarizer(SlowSummarizer):
        def summarize(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            stuck.wait(10)
            return super().summarize(*args, **kwargs)

    slow = StuckSummarizer()
    slow.name = "llm:stuck"  # a different cache key from the offline summarizer's
    core.summarizer = lambda: slow  # type: ignore[method-assign]
    core.briefs._flight_wait_seconds = lambda: 0.3  # type: ignore[method-assign]
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(core.brief, "river plan")
        time.sleep(0.2)  # the first is now in flight
        waiters = [pool.submit(core.brief, "river plan") for _ in range(2)]
        results = [w.result(timeout=5) for w in waiters]
        assert all(r.brief.summarizer == "extractive" for r in results)
        assert not first.done()
        stuck.set()
        first.result(timeout=10)


@pytest.mark.slow
def test_a_brief_made_in_a_worker_process_is_the_brief_made_in_the_thread(  # type: ignore[no-untyped-def]
    tmp_path, caplog
) -> None:
    """BRIEF_PROCESSES moves the offline summarizer out of the serving process; what the user
    reads must not change."""
    from bot.core import Briefbot
    from bot.settings import Settings

    def brief_with(processes: int, name: str) -> dict:  # type: ignore[type-arg]
        settings = Settings.from_env(
            environ={
                "DATABASE_URL": f"sqlite:///{tmp_path / name}",
                "BRIEF_PROCESSES": str(processes),
                "SUMMARIZER": "extractive",
                "NLP_MODEL": "none",
            },
            dotenv_path=None,
        )
        core = Briefbot(settings)
        try:
            demo = Path(__file__).resolve().parents[1] / "bot" / "demo" / "articles"
            core.ingest([str(demo)], topic="ukraine")
            span = core.article_span("ukraine")
            assert span is not None
            result = core.brief("ukraine", since=span[0], until=span[1] + timedelta(minutes=1))
            payload = result.brief.to_dict()
            payload.pop("generated_at", None)
            return payload
        finally:
            core.close()

    in_worker = brief_with(2, "worker.db")
    # The worker made it (a failing worker would leave it to the thread, with a warning).
    assert not [r for r in caplog.records if r.name == "bot.brief_pool"]
    from bot.brief_pool import shared_pool

    assert shared_pool(2)._pool is not None
    assert in_worker["sections"] and in_worker == brief_with(0, "thread.db")
