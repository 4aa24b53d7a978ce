"""A brief reads a window of more than 200 articles whole (issue 14 item 2: no 200-article
cap), and of a window too large for the summarizer to read whole, it loads in full only the
articles the summarizer chooses (its largest stories), chosen from their lede terms: the
same brief as when every article's sentences were decoded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.ingest import analyze as sentence_analysis
from bot.render.terminal import brief_to_text
from bot.service.material import article_inputs
from bot.settings import Settings
from bot.summarize import extractive
from bot.summarize.extractive import ExtractiveSummarizer
from storage import articles as article_store
from storage import topics as topic_store
from testkit.articles import write_article
from tests.conftest import Database

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=2)
# Our own sample reports: two stories, told by several outlets each.
STORIES = (
    "The city council approved the river restoration plan on Thursday by a vote of 7 to 2. "
    "The plan commits 4 million euros to rebuilding the flood banks.\n\n"
    "Construction will begin in September, and the council will review costs in March.",
    "The regional rail operator will cut night services on the coastal line from May. "
    "Unions said the cuts would cost 40 jobs at the depot.\n\n"
    "It is not yet clear whether the ministry will fund a replacement bus service.",
)


def _core(db: Database, tmp_path: Path, count: int) -> Briefbot:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "NLP_MODEL": "none"}, dotenv_path=None
    )
    core = Briefbot(settings, engine=db.engine, clock=lambda: NOW)
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(count):  # a0 is the newest
        write_article(
            folder / f"a{n}.md",
            f"Report {n}",
            f"Outlet {n % 7}",
            (NOW - timedelta(minutes=5 * n + 1)).isoformat(),
            f"https://news{n % 7}.example.com/{n}",
            f"{STORIES[n % 2]} Item {n}.",
        )
    core.ingest([str(folder)], topic="council")
    return core


def test_a_window_of_more_than_200_articles_is_read_whole(db: Database, tmp_path: Path) -> None:
    core = _core(db, tmp_path, 230)
    result = core.brief("council", since=SINCE, until=NOW)
    assert result.brief.article_count == 230
    assert not result.brief.capped
    assert "230 articles" in brief_to_text(result.brief)
    with db.factory() as session:
        oldest = article_store.by_ids(session, list(result.article_ids))
        assert "Report 229" in {row.title for row in oldest}  # beyond the newest 200


def test_a_large_windows_unread_articles_are_not_decoded_and_the_brief_is_the_same(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = _core(db, tmp_path, 12)
    # Over what the summarizer reads whole: it reads its largest stories.
    monkeypatch.setattr(extractive, "MAX_ARTICLES_READ", 6)
    with db.factory() as session:
        topic = topic_store.get(session, "council")
        assert topic is not None
        rows = article_store.for_topic(session, topic.id, since=SINCE, until=NOW)
        everything = article_inputs(
            session, rows, sentence_analysis.load(session, [r.id for r in rows], "none")
        )
    expected = ExtractiveSummarizer().summarize(
        "council", everything, since=SINCE, until=NOW, now=NOW
    )
    assert expected.article_count < 12 and expected.articles_in_window == 12

    loaded: list[int] = []
    load = sentence_analysis.load

    def spy(session, article_ids, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.extend(article_ids)
        return load(session, article_ids, *args, **kwargs)

    monkeypatch.setattr(sentence_analysis, "load", spy)
    result = core.brief("council", since=SINCE, until=NOW)
    assert len(loaded) == expected.article_count  # only the chosen articles in full
    assert result.brief.article_count == expected.article_count
    assert result.brief.articles_in_window == 12 and result.brief.read == "largest stories"
    assert result.brief.sections == expected.sections
    assert result.brief.sources == expected.sources
    # What it read: what the thread's questions search first (a bounded set of ids).
    assert len(result.article_ids) == expected.article_count
    assert {s.id for s in expected.sources} <= {str(i) for i in result.article_ids}
    cached = core.brief("council", since=SINCE, until=NOW)
    assert cached.cached and cached.article_ids == result.article_ids
    assert cached.brief.articles_in_window == 12 and cached.brief.read == "largest stories"
