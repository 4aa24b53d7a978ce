"""A window with more articles than a brief reads (`MAX_ARTICLES_PER_BRIEF`) says so: the
text, the Block Kit message and the JSON give "the newest N of M articles" instead of
silently briefing a part of the window as if it were all of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.render.blocks import brief_to_message
from bot.render.terminal import brief_to_text
from bot.service import briefs as briefs_service
from bot.settings import Settings
from bot.summarize.model import Brief
from testkit.articles import write_article
from tests.conftest import Database

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
# Our own sample report, one per outlet.
TEXT = (
    "The city council approved the river restoration plan on Thursday by a vote of 7 to 2. "
    "The plan commits 4 million euros to rebuilding the flood banks.\n\n"
    "Construction will begin in September, and the council will review costs in March."
)


@pytest.fixture
def core(db: Database, tmp_path: Path) -> Briefbot:
    settings = Settings.from_env(environ={"DATABASE_URL": db.url}, dotenv_path=None)
    core = Briefbot(settings, engine=db.engine, clock=lambda: NOW)
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(5):
        write_article(
            folder / f"a{n}.md",
            f"River plan {n}",
            f"Outlet {n}",
            (NOW - timedelta(hours=2 + n)).isoformat(),
            f"https://news{n}.example.com/river",
            f"{TEXT} Item {n}.",
        )
    core.ingest([str(folder)], topic="river plan")
    return core


def _shown(brief: Brief) -> tuple[str, str, dict]:
    message = brief_to_message(brief)
    return brief_to_text(brief), json.dumps(message.blocks), brief.to_dict()


def test_a_capped_window_says_it_read_the_newest_articles_only(
    core: Briefbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(briefs_service, "MAX_ARTICLES_PER_BRIEF", 3)
    for attempt in ("fresh", "cached"):
        result = core.brief("river plan", since=NOW - timedelta(days=1), until=NOW)
        assert result.cached == (attempt == "cached")
        text, blocks, data = _shown(result.brief)
        assert "the newest 3 of 5 articles" in text, attempt
        assert "the newest 3 of 5 articles" in blocks, attempt
        assert data["article_count"] == 3
        assert data["articles_in_window"] == 5
        assert Brief.from_dict(data).capped


def test_an_uncapped_window_shows_its_plain_count(core: Briefbot) -> None:
    result = core.brief("river plan", since=NOW - timedelta(days=1), until=NOW)
    text, blocks, data = _shown(result.brief)
    assert "5 articles" in text and "5 articles" in blocks
    assert "newest" not in text and "newest" not in blocks
    assert data["articles_in_window"] == data["article_count"] == 5
    assert not Brief.from_dict(data).capped


def test_a_window_over_what_the_summarizer_reads_says_it_read_the_largest_stories(
    core: Briefbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window is under the newest-N cap, but over what the offline summarizer reads in
    # full (`MAX_ARTICLES_READ`): the brief reads its largest stories and says so, fresh and
    # from the cache.
    from bot.summarize import extractive

    monkeypatch.setattr(extractive, "MAX_ARTICLES_READ", 3)
    for attempt in ("fresh", "cached"):
        result = core.brief("river plan", since=NOW - timedelta(days=1), until=NOW)
        assert result.cached == (attempt == "cached")
        text, blocks, data = _shown(result.brief)
        assert "3 of 5 articles (the largest stories)" in text, attempt
        assert "3 of 5 articles (the largest stories)" in blocks, attempt
        assert "newest" not in text, attempt
        assert data["article_count"] == 3
        assert data["articles_in_window"] == 5
        assert data["read"] == "largest stories"
        assert Brief.from_dict(data).read == "largest stories"
