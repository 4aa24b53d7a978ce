"""Sentence analysis runs behind ingest, out of its critical path (`bot.ingest.analysis_stage`):
a round's articles are stored and searchable when it returns; their analysis follows, is
waited for only when asked, caught up when left behind, recorded and retried when it fails,
and done on demand by a brief that meets an article not analysed yet."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core import Briefbot
from bot.ingest import analysis_stage, analyze
from bot.jobs import tasks
from bot.settings import Settings
from bot.summarize.analysis import analyze_article, analyzer_version
from storage import search
from storage import sentences as sentence_store
from storage.models import Article
from tests.conftest import Database

NOW = datetime(2025, 3, 14, 12, tzinfo=UTC)
# Made-up reports, more of them than one worker task takes (TASK_ARTICLES): relative dates
# ("on Thursday") are anchored on each one's publication date.
TEXT = (
    "Dock workers at Northhaven {n} walked out on Tuesday, halting cargo handling at the port.\n\n"
    "The union said {n}00 members joined the strike at Northhaven on its first day.\n\n"
    "The union is expected to meet a mediator on Thursday to discuss the pay offer."
)
TOPIC = "northhaven strike"


def _core(db: Database, processes: int = 0, model: str = "none") -> Briefbot:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "NLP_MODEL": model, "INGEST_PROCESSES": str(processes)},
        dotenv_path=None,
    )
    return Briefbot(settings, engine=db.engine, clock=lambda: NOW, migrate=False)


def _articles(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        published = datetime(2025, 3, 11, 0, 30 + n).isoformat()
        (folder / f"strike{n}.md").write_text(
            f"---\ntitle: Dock strike {n} halts Northhaven\noutlet: Coast Daily\n"
            f"published: {published}+02:00\n---\n{TEXT.format(n=n + 1)}\n"
        )
    return folder


def _stored_versions(db: Database) -> dict[int, str | None]:
    with db.factory() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.id)))
        versions = sentence_store.versions(session, ids)
    return {i: versions.get(i) for i in ids}


@pytest.fixture
def core(db: Database) -> Iterator[Briefbot]:
    core = _core(db)
    yield core
    core.close()


@pytest.mark.slow
def test_by_default_ingest_returns_with_every_article_analysed_in_the_workers(
    db: Database, tmp_path: Path
) -> None:
    core = _core(db, processes=1)
    try:
        report = core.ingest([str(_articles(tmp_path / "a", 11))], topic=TOPIC)
    finally:
        core.close()
    assert report.new_articles == 11
    with db.factory() as session:
        rows = list(session.scalars(select(Article).order_by(Article.id)))
        versions = sentence_store.versions(session, [r.id for r in rows])
        stored = analyze.load(session, [r.id for r in rows], "none")
    assert set(versions.values()) == {analyzer_version(None)}
    assert len(versions) == 11
    for row in rows:
        assert stored[row.id] == analyze_article(row.title, row.text, row.published_at, None)
    assert any("Thursday 13 March" in s.text for s in stored[rows[0].id].sentences)


def test_a_queued_round_stores_searchable_articles_and_leaves_the_analysis(
    db: Database, core: Briefbot, tmp_path: Path
) -> None:
    report = core.ingest([str(_articles(tmp_path / "a", 3))], topic=TOPIC, analysis="queue")
    assert report.new_articles == 3
    assert set(_stored_versions(db).values()) == {None}
    with db.factory() as session:
        hits = search.search(session, ["mediator"], limit=10)
    assert len(hits) == 3, "stored and searchable before any analysis"


def test_a_brief_over_articles_not_analysed_yet_analyses_them_on_demand(
    db: Database, core: Briefbot, tmp_path: Path
) -> None:
    core.ingest([str(_articles(tmp_path / "a", 3))], topic=TOPIC, analysis="queue")
    brief = core.brief(TOPIC, since=datetime(2025, 3, 1, tzinfo=UTC)).brief
    assert brief.article_count == 3
    text = " ".join(b.text for bullets in brief.sections.values() for b in bullets)
    assert "Thursday 13 March" in text, "the analysis anchors relative dates"
    assert set(_stored_versions(db).values()) == {analyzer_version(None)}, "and is kept"


def test_on_demand_analysis_is_bounded_and_stores_only_what_it_finished(
    db: Database, core: Briefbot, tmp_path: Path
) -> None:
    core.ingest([str(_articles(tmp_path / "a", 20))], topic=TOPIC, analysis="queue")
    from bot.nlp import load_pipeline

    if load_pipeline("auto") is None:
        pytest.skip("no spaCy model installed: without one every analysis is the plain one")
    with db.factory() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.id)))
        got = analyze.load(session, ids, "auto", max_fresh=16, deadline_s=60)
        session.commit()
    assert sorted(got) == ids, "every article is read, past the bound too"
    model = analyzer_version(load_pipeline("auto"))
    versions = _stored_versions(db)
    assert [versions[i] for i in ids] == [model] * 16 + [None] * 4
    assert [got[i].version for i in ids[16:]] == [analyzer_version(None) + analyze.TRANSIENT] * 4


def test_a_brief_read_partly_on_the_plain_rules_is_not_cached_as_theirs(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.nlp import load_pipeline

    if load_pipeline("auto") is None:
        pytest.skip("no spaCy model installed: without one every analysis is the plain one")
    core = _core(db, model="auto")
    try:
        core.ingest([str(_articles(tmp_path / "a", 3))], topic=TOPIC, analysis="queue")
        since = datetime(2025, 3, 1, tzinfo=UTC)
        monkeypatch.setattr(analyze, "ON_DEMAND_MAX", 0)  # the stage far behind: none on demand
        assert not core.brief(TOPIC, since=since).cached
        assert not core.brief(TOPIC, since=since).cached, "the partial brief was not kept"
        monkeypatch.setattr(analyze, "ON_DEMAND_MAX", 200)
        assert not core.brief(TOPIC, since=since).cached  # analysed on demand with the model
        assert core.brief(TOPIC, since=since).cached
    finally:
        core.close()


def test_the_stage_catches_up_on_articles_left_without_analysis(
    db: Database, core: Briefbot, tmp_path: Path
) -> None:
    core.ingest([str(_articles(tmp_path / "a", 5))], topic=TOPIC, analysis="queue")
    stage = core.ingestion.analysis_stage()
    stage._more = True  # as after a catch-up that found a full chunk: look again at once
    stage.submit([])  # wakes the thread, which finds the queue empty and catches up
    deadline = time.monotonic() + 30  # the stage's own thread does it: wait, with a bound
    while set(_stored_versions(db).values()) != {analyzer_version(None)}:
        assert time.monotonic() < deadline, "the stage never caught up"
        time.sleep(0.05)
    assert stage.stats.analysed == 5


def test_a_failing_analysis_is_recorded_retried_and_never_loses_the_article(
    db: Database, core: Briefbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core.ingest([str(_articles(tmp_path / "a", 3))], topic=TOPIC, analysis="queue")
    real = analyze.analyze_batch

    def flaky(articles: Sequence[Any], nlp: Any) -> list[Any]:
        if any("strike 1 " in title for title, _, _ in articles):
            raise RuntimeError("the parser fell over")
        return real(articles, nlp)

    monkeypatch.setattr(analyze, "analyze_batch", flaky)
    assert core.ingestion.analyze_pending(30) == 2
    versions = list(_stored_versions(db).values())
    assert versions == [analyzer_version(None), "failed:1", analyzer_version(None)]
    with db.factory() as session:
        assert len(search.search(session, ["mediator"], limit=10)) == 3, "still searchable"
    assert core.ingestion.analyze_pending(30) == 0, "not retried at once"
    monkeypatch.setattr(analysis_stage, "RETRY_AFTER_S", 0.0)
    assert core.ingestion.analyze_pending(30) == 0
    assert list(_stored_versions(db).values())[1] == "failed:2"
    monkeypatch.setattr(analyze, "analyze_batch", real)
    assert core.ingestion.analyze_pending(30) == 1
    assert set(_stored_versions(db).values()) == {analyzer_version(None)}


def test_attempts_end_after_max_attempts(
    db: Database, core: Briefbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core.ingest([str(_articles(tmp_path / "a", 1))], topic=TOPIC, analysis="queue")

    def broken(articles: Sequence[Any], nlp: Any) -> list[Any]:
        raise RuntimeError("the parser fell over")

    monkeypatch.setattr(analyze, "analyze_batch", broken)
    monkeypatch.setattr(analysis_stage, "RETRY_AFTER_S", 0.0)
    for _ in range(analysis_stage.MAX_ATTEMPTS + 2):
        core.ingestion.analyze_pending(30)
    assert list(_stored_versions(db).values()) == [f"failed:{analysis_stage.MAX_ATTEMPTS}"]


class RecordingQueue:
    """The worker mode's queue, as the refresh task sees it: what it defers."""

    in_process = False

    def __init__(self) -> None:
        self.deferred: list[tuple[str, dict[str, Any], str | None]] = []

    def defer(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        self.deferred.append((name, dict(kwargs), queueing_lock))
        return True

    def pending(self, queueing_locks: Collection[str]) -> set[str]:
        return set()


def test_in_worker_mode_a_refresh_queues_the_analysis_instead_of_waiting(
    db: Database, core: Briefbot, tmp_path: Path
) -> None:
    folder = _articles(tmp_path / "a", 3)
    queue = RecordingQueue()
    tasks.refresh_source(core, queue, url=folder.resolve().as_uri())  # type: ignore[arg-type]
    assert set(_stored_versions(db).values()) == {None}, "the round did not wait"
    assert queue.deferred == [(tasks.ANALYZE_PENDING, {}, "analysis")]
    assert tasks.analyze_pending(core, queue, attempt=0) == 3  # type: ignore[arg-type]
    assert set(_stored_versions(db).values()) == {analyzer_version(None)}
    tasks.refresh_source(core, queue, url=folder.resolve().as_uri())  # type: ignore[arg-type]
    assert len(queue.deferred) == 1, "nothing new: no analysis queued"


def test_the_cli_waits_for_the_analysis_unless_told_not_to(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("NLP_MODEL", "none")
    monkeypatch.setenv("INGEST_PROCESSES", "0")
    first, second = _articles(tmp_path / "a", 2), tmp_path / "b"
    second.mkdir()
    (second / "later.md").write_text(
        "---\ntitle: Northhaven strike ends\npublished: 2025-03-13T10:00:00+00:00\n---\n"
        + TEXT.format(n=9)
        + "\n"
    )
    assert main(["ingest", str(second), "--topic", TOPIC, "--no-wait"], stdout=io.StringIO()) == 0
    assert set(_stored_versions(db).values()) == {None}
    assert main(["ingest", str(first), "--topic", TOPIC], stdout=io.StringIO()) == 0
    versions = _stored_versions(db)
    assert len(versions) == 3
    new = sorted(versions)[1:]
    assert {versions[i] for i in new} == {analyzer_version(None)}


def test_the_stage_follows_the_round_rather_than_running_beside_it(
    db: Database, core: Briefbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core.ingest([str(_articles(tmp_path / "a", 3))], topic=TOPIC, analysis="queue")
    with db.factory() as session:
        rows = [
            (r.id, r.title, r.text, r.published_at)
            for r in session.scalars(select(Article).order_by(Article.id))
        ]
    ids = [r[0] for r in rows]
    running = [True]
    stage = analysis_stage.AnalysisStage(core.ingestion._analyser(), lambda: running[0])
    try:
        stage.submit(rows[:2])
        assert not stage.wait_for(ids[:2], 1.0), "held while a round is running"
        assert set(_stored_versions(db).values()) == {None}
        running[0] = False
        assert stage.wait_for(ids[:2], 30)
        monkeypatch.setattr(analysis_stage, "HOLD_MAX_S", 0.0)
        running[0] = True
        stage.submit(rows[2:])
        assert stage.wait_for(ids[2:], 30), "held no longer than HOLD_MAX_S"
    finally:
        stage.close()
    assert set(_stored_versions(db).values()) == {analyzer_version(None)}
