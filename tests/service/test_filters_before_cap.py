"""A subscription's filters are applied before the MAX_ARTICLES_PER_BRIEF cap (issue 16): a
digest whose newest articles its filters drop still reads the older ones it keeps, up to the
cap, instead of what is left of the newest N (which could be nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.service import briefs as briefs_service
from bot.settings import Settings
from bot.summarize.filters import parse_filters
from testkit.articles import write_article
from tests.conftest import Database

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
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
    for n in range(6):  # news0 is the newest
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


def test_filters_drop_the_newest_and_the_cap_is_filled_from_older_ones(
    core: Briefbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(briefs_service, "MAX_ARTICLES_PER_BRIEF", 3)
    dropped = " ".join(f"-outlet:news{n}.example.com" for n in range(3))
    result = core.brief(
        "river plan",
        since=NOW - timedelta(days=1),
        until=NOW,
        filters=parse_filters(dropped),
    )
    urls = {s.url for s in result.brief.sources}
    assert urls == {f"https://news{n}.example.com/river" for n in (3, 4, 5)}
    data = result.brief.to_dict()
    assert data["article_count"] == 3 and data["articles_in_window"] == 3

    # Two of the three kept would fit twice over: the cap still holds, and says of how many.
    result = core.brief(
        "river plan",
        since=NOW - timedelta(days=1),
        until=NOW,
        filters=parse_filters("-outlet:news0.example.com"),
    )
    data = result.brief.to_dict()
    assert data["article_count"] == 3 and data["articles_in_window"] == 5
    assert "https://news0.example.com/river" not in {s.url for s in result.brief.sources}
