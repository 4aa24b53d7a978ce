"""A window too large to read whole is grouped into stories by its articles' lede terms: read
from the compact column stored with each analysis (`article_analyses.ledes`), or, for an
analysis stored before it existed, from the sentences' features. Both choose the same
articles, so the brief is the same."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update

from bot.core import Briefbot
from bot.nlp import analysis_cache
from bot.settings import Settings
from storage import sentences as sentence_store
from storage.models import ArticleAnalysis, Brief
from tests.conftest import Database

NOW = datetime(2025, 3, 31, 12, tzinfo=UTC)
DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo" / "articles"


@pytest.fixture
def core(db: Database) -> Briefbot:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "NLP_MODEL": "none"}, dotenv_path=None
    )
    core = Briefbot(settings, engine=db.engine, clock=lambda: NOW, migrate=False)
    core.ingest([str(DEMO)], topic="ukraine")
    return core


def _fresh_brief(core: Briefbot, db: Database) -> tuple[tuple[int, ...], list[Any]]:
    """A brief computed anew in a fresh process's state (no stored brief, nothing cached):
    the articles it read and its bullets with their citations."""
    with db.factory.begin() as session:
        session.execute(delete(Brief))
    analysis_cache.clear()
    result = core.brief("ukraine", since=datetime(2025, 3, 1, tzinfo=UTC), until=NOW)
    assert not result.cached and result.brief.read == "largest stories"
    return result.article_ids, [(b.text, b.source_ids) for b in result.brief.bullets()]


def test_stored_lede_terms_choose_the_same_articles_as_the_sentences_did(
    core: Briefbot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.summarize import extractive

    monkeypatch.setattr(extractive, "MAX_ARTICLES_READ", 6)  # the 11 demo articles: too many
    reads: list[int] = []
    load_lede_terms = sentence_store.load_lede_terms

    def counted(session: Any, ids: Any, per_article: int) -> Any:
        reads.append(len(ids))
        return load_lede_terms(session, ids, per_article)

    monkeypatch.setattr(sentence_store, "load_lede_terms", counted)
    stored = _fresh_brief(core, db)
    assert reads == []  # every article's lede terms read from its analysis row
    with db.factory.begin() as session:  # as stored before migration 0017
        session.execute(update(ArticleAnalysis).values(ledes=None))
    from_sentences = _fresh_brief(core, db)
    assert reads == [11]
    assert stored == from_sentences
    assert 0 < len(stored[0]) < 11 and stored[1]
