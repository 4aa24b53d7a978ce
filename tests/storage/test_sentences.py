"""Sentence analysis stored at ingestion, read back by briefs, redone by `db reindex`."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from bot.cli import main
from bot.core import Briefbot
from bot.ingest import analyze
from bot.settings import Settings
from bot.summarize.analysis import analyzer_version
from storage import sentences as sentence_store
from storage.models import ArticleAnalysis, ArticleSentence
from tests.conftest import Database

NOW = datetime(2025, 3, 14, 12, tzinfo=UTC)
TEXT = (
    "Dock workers at Northhaven walked out on Monday, halting cargo handling at the port.\n\n"
    "What happens to the ferries now?\n\n"
    "The union said 1,200 members joined the strike at Northhaven on its first day.\n\n"
    "The union is expected to meet a mediator on Thursday to discuss the pay offer."
)


@pytest.fixture
def core(db: Database, tmp_path: Path) -> Briefbot:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "NLP_MODEL": "none"}, dotenv_path=None
    )
    core = Briefbot(settings, engine=db.engine, clock=lambda: NOW, migrate=False)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "strike.md").write_text(
        f"---\ntitle: Dock strike halts Northhaven\noutlet: Coast Daily\n"
        f"published: 2025-03-10T08:00:00+00:00\n---\n{TEXT}\n"
    )
    core.ingest([str(folder)], topic="northhaven strike")
    return core


def _count(db: Database) -> int:
    with db.factory() as session:
        return session.scalar(select(func.count()).select_from(ArticleSentence)) or 0


def test_ingestion_stores_each_sentence_with_its_features(core: Briefbot, db: Database) -> None:
    with db.factory() as session:
        (article_id,) = list(session.scalars(select(ArticleAnalysis.article_id)))
        stored = analyze.load(session, [article_id], "none")[article_id]
    assert stored.version == analyzer_version(None)
    kinds = [s.kind for s in stored.sentences]
    assert kinds == ["prose", "subhead", "prose", "prose"]
    strike = stored.sentences[2]
    assert strike.numbers == ("1200",)
    assert strike.section == "key_provisions" or strike.section is None
    assert stored.sentences[3].text.endswith("on Thursday 13 March to discuss the pay offer.")
    assert stored.sentences[3].section == "next_steps"


def test_an_article_stored_before_the_analysis_is_analysed_on_first_use(
    core: Briefbot, db: Database
) -> None:
    with db.factory.begin() as session:
        session.execute(delete(ArticleSentence))
        session.execute(delete(ArticleAnalysis))
    assert _count(db) == 0
    result = core.brief("northhaven strike", since=datetime(2025, 3, 1, tzinfo=UTC))
    assert not result.brief.is_empty
    assert _count(db) == 4  # kept for the next brief and for answers


def test_reindex_redoes_analyses_from_an_older_analyzer(core: Briefbot, db: Database) -> None:
    assert core.reindex() == 0  # all current
    with db.factory.begin() as session:
        session.execute(update(ArticleAnalysis).values(version="a0+plain"))
    assert core.reindex() == 1
    with db.factory() as session:
        ids = list(session.scalars(select(ArticleAnalysis.article_id)))
        assert set(sentence_store.versions(session, ids).values()) == {analyzer_version(None)}
    assert core.reindex(force=True) == 1
    assert _count(db) == 4  # replaced, not added to


def test_db_reindex_command(core: Briefbot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("NLP_MODEL", "none")
    out = io.StringIO()
    assert main(["db", "reindex", "--all"], stdout=out) == 0
    assert out.getvalue().strip() == "re-analysed 1 article"
