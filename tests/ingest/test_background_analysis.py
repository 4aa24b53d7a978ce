"""Sentence analysis started in the worker processes while the ingest round goes on: every
new article is analysed in the round, exactly as the after-round pass would analyse it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core import Briefbot
from bot.ingest import analyze
from bot.service.ingestion import Ingestion
from bot.settings import Settings
from bot.summarize.analysis import analyze_article
from storage.models import Article
from tests.conftest import Database

NOW = datetime(2025, 3, 14, 12, tzinfo=UTC)
# Made-up reports, more of them than one worker task takes (ANALYZE_BATCH): relative dates
# ("on Thursday") are anchored on each one's publication date.
TEXT = (
    "Dock workers at Northhaven {n} walked out on Tuesday, halting cargo handling at the port.\n\n"
    "The union said {n}00 members joined the strike at Northhaven on its first day.\n\n"
    "The union is expected to meet a mediator on Thursday to discuss the pay offer."
)


@pytest.mark.slow
def test_new_articles_are_analysed_during_the_round(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "NLP_MODEL": "none", "INGEST_PROCESSES": "1"},
        dotenv_path=None,
    )
    core = Briefbot(settings, engine=db.engine, clock=lambda: NOW, migrate=False)
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(11):
        published = datetime(2025, 3, 11, 0, 30 + n).isoformat()
        (folder / f"strike{n}.md").write_text(
            f"---\ntitle: Dock strike {n} halts Northhaven\noutlet: Coast Daily\n"
            f"published: {published}+02:00\n---\n{TEXT.format(n=n + 1)}\n"
        )
    left_over: list[list[int]] = []
    after_round = Ingestion.analyze_articles

    def spy(self: Ingestion, article_ids: Sequence[int], *args: Any) -> None:
        left_over.append(list(article_ids))
        after_round(self, article_ids, *args)

    monkeypatch.setattr(Ingestion, "analyze_articles", spy)
    report = core.ingest([str(folder)], topic="northhaven strike")
    assert report.new_articles == 11
    assert left_over == [[]], "articles left for the pass after the round"
    with db.factory() as session:
        rows = list(session.scalars(select(Article).order_by(Article.id)))
        stored = analyze.load(session, [r.id for r in rows], "none")
    for row in rows:
        assert stored[row.id] == analyze_article(row.title, row.text, row.published_at, None)
    assert any("Thursday 13 March" in s.text for s in stored[rows[0].id].sentences)
    core.close()
