"""Sentence analysis stored at ingestion, read back by briefs, redone by `db reindex`."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from bot.cli import main
from bot.core import Briefbot
from bot.ingest import analyze
from bot.nlp import analysis_cache
from bot.nlp.features import ArticleAnalysis as ArticleAnalysisData
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
    # The names briefs compare sentences by are stored too (not re-derived in every brief).
    assert strike.names is not None and "northh" in strike.names
    assert stored.sentences[1].names == ()  # computed: none named (not "unknown")
    # So are the pattern results and counted numbers briefs test each sentence for (analyzer
    # a14): "is expected to meet" is a pending state, the strike a count of 1,200 members.
    from bot.summarize import marks

    meeting = stored.sentences[3]
    assert meeting.marks is not None and meeting.marks.flags & marks.PENDING
    assert meeting.marks == marks.sentence_marks(meeting.text)
    assert strike.cardinals == ("1200",)
    assert stored.sentences[1].marks is None  # a subhead: never a bullet, nothing to test


def test_features_without_stored_names_still_read() -> None:
    # Rows written before names were stored decode as "not computed"; the brief derives them.
    from bot.nlp.features import SentenceFeatures

    old = SentenceFeatures.from_json(0, 0, "Ms Hewitt spoke.", {"kind": "prose"})
    assert old.names is None
    new = SentenceFeatures.from_json(0, 0, "It rained.", {"kind": "prose", "names": []})
    assert new.names == ()
    assert SentenceFeatures.from_json(0, 0, "x", new.features_json()).names == ()


def test_features_without_stored_marks_still_read() -> None:
    # Rows of an analyzer before a14 decode as "not computed"; the brief finds them itself.
    from bot.nlp.features import Marks, SentenceFeatures

    old = SentenceFeatures.from_json(0, 0, "Ten died.", {"kind": "prose", "nums": ["10"]})
    assert old.marks is None and old.cardinals is None
    new = replace(old, marks=Marks(1, 2, ("died",), ()), cardinals=())
    again = SentenceFeatures.from_json(0, 0, "Ten died.", new.features_json())
    assert again.marks == Marks(1, 2, ("died",), ()) and again.cardinals == ()


def test_reindex_fills_the_marks_of_rows_stored_without_them(core: Briefbot, db: Database) -> None:
    def stored_marks() -> list[bool]:
        with db.factory() as session:
            rows = [r for rs in sentence_store.load(session, _ids(session)).values() for r in rs]
        return ["marks" in features for _, _, _, features in rows]

    # Rows an older analyzer wrote: no marks in their features, an older version.
    with db.factory.begin() as session:
        for row in session.scalars(select(ArticleSentence)):
            row.features = {k: v for k, v in row.features.items() if k not in ("marks", "cards")}
        session.execute(update(ArticleAnalysis).values(version="a13+plain"))
    assert stored_marks() == [False] * 4
    assert core.reindex() == 1
    assert stored_marks() == [True, False, True, True]  # the prose sentences


def _ids(session: Any) -> list[int]:
    return list(session.scalars(select(ArticleAnalysis.article_id)))


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


# -- the in-process cache of decoded analyses (bot.nlp.analysis_cache) ------------------------


def _load_one(db: Database) -> tuple[int, Any]:
    with db.factory() as session:
        (article_id,) = list(session.scalars(select(ArticleAnalysis.article_id)))
        return article_id, analyze.load(session, [article_id], "none")[article_id]


def _reworded(analysis: Any) -> Any:
    """The same analysis with its last sentence's text changed (a re-analysis that differs)."""
    *head, last = analysis.sentences
    return replace(analysis, sentences=(*head, replace(last, text="The talks were cancelled.")))


def test_a_repeat_read_is_served_decoded_from_the_cache(core: Briefbot, db: Database) -> None:
    _, first = _load_one(db)
    _, again = _load_one(db)
    assert again is first  # not read back and decoded a second time


def test_a_re_analysed_article_is_not_served_stale(core: Briefbot, db: Database) -> None:
    article_id, first = _load_one(db)
    with db.factory.begin() as session:
        analyze.store_analyses(session, {article_id: _reworded(first)})
    _, again = _load_one(db)
    assert again.sentences[-1].text == "The talks were cancelled."
    assert again.sentences[:-1] == first.sentences[:-1]


def test_an_article_re_analysed_by_another_process_is_not_served_stale(
    core: Briefbot, db: Database
) -> None:
    # Another process (a worker, `briefbot db reindex`) writes the rows: nothing in this
    # process is told, only the stored stamp changes.
    article_id, first = _load_one(db)
    reworded = _reworded(first)
    with db.factory.begin() as session:
        sentence_store.replace(
            session,
            article_id,
            first.version,
            [(s.position, s.paragraph, s.text, s.features_json()) for s in reworded.sentences],
        )
    _, again = _load_one(db)
    assert again.sentences[-1].text == "The talks were cancelled."


def test_the_cache_keeps_at_most_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis_cache, "MAX_ARTICLES", 2)
    analysis_cache.clear()
    stamp = datetime(2025, 3, 14, tzinfo=UTC)
    for article_id in (1, 2, 3):
        analysis_cache.put(("db", article_id, "v", stamp), ArticleAnalysisData("v", ()))
    assert analysis_cache.size() == 2
    assert analysis_cache.get(("db", 1, "v", stamp)) is None  # the least recently used went
    assert analysis_cache.get(("db", 3, "v", stamp)) is not None
    analysis_cache.forget("db", 3)
    assert analysis_cache.get(("db", 3, "v", stamp)) is None
    analysis_cache.clear()


def test_db_reindex_detects_the_language_of_articles_stored_without_one(
    core: Briefbot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles stored before language detection (or when it failed) get one from `db
    reindex`: what an English brief then keeps or leaves out follows it."""
    from storage.models import Article

    with db.factory.begin() as session:
        session.execute(update(Article).values(language=None))
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("NLP_MODEL", "none")
    out = io.StringIO()
    assert main(["db", "reindex"], stdout=out) == 0
    assert out.getvalue().splitlines() == [
        "re-analysed 0 articles",
        "detected the language of 1 of 1 article without one (the rest: too short or unclear)",
    ]
    with db.factory() as session:
        assert list(session.scalars(select(Article.language))) == ["en"]
    out = io.StringIO()
    assert main(["db", "reindex"], stdout=out) == 0
    assert out.getvalue().strip() == "re-analysed 0 articles"  # nothing left to detect


def test_lede_terms_are_the_first_prose_sentences_terms_and_follow_a_re_analysis(
    core: Briefbot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a window too large to read whole is grouped into stories by (`load_ledes`): the
    # counts of the terms of its first LEDE_SENTENCES prose sentences, as from the full analysis.
    from bot.summarize.model import ArticleInput
    from bot.summarize.stories import LEDE_SENTENCES, stored_counts_and_terms

    article_id, full = _load_one(db)
    reads: list[int] = []
    load_lede_terms = sentence_store.load_lede_terms

    def counted(session: Any, ids: Any, per_article: int) -> Any:
        reads.append(len(ids))
        return load_lede_terms(session, ids, per_article)

    monkeypatch.setattr(sentence_store, "load_lede_terms", counted)
    with db.factory() as session:
        ledes = analyze.load_ledes(session, [article_id])[article_id]
        again = analyze.load_ledes(session, [article_id])[article_id]
    # Stored with the analysis at ingestion: no sentence's features read.
    assert again == ledes and reads == []

    def counts(analysis: ArticleAnalysisData | tuple[Any, Any]) -> dict[str, float]:
        if isinstance(analysis, ArticleAnalysisData):
            article = ArticleInput(id="1", title="t", text="x", sentences=analysis.sentences)
        else:
            article = ArticleInput(id="1", title="t", text="x", lede_terms=analysis)
        matrix, terms = stored_counts_and_terms([article], LEDE_SENTENCES)
        return {terms[c]: v for c, v in zip(matrix.indices, matrix.data, strict=True)}

    assert counts(ledes) == counts(full) and counts(full)
    first = next(n for n, s in enumerate(full.sentences) if s.is_prose)
    sentences = list(full.sentences)
    sentences[first] = replace(sentences[first], terms=(("walkout", 3),))
    with db.factory.begin() as session:
        analyze.store_analyses(session, {article_id: replace(full, sentences=tuple(sentences))})
    _, reworded = _load_one(db)
    with db.factory() as session:
        fresh = analyze.load_ledes(session, [article_id])[article_id]
    assert counts(fresh) == counts(reworded) and counts(fresh)["walkout"] == 3


def _stored_ledes(db: Database) -> dict[int, str | None]:
    with db.factory() as session:
        return dict(
            session.execute(select(ArticleAnalysis.article_id, ArticleAnalysis.ledes)).all()
        )


def test_lede_terms_stored_before_their_column_are_read_from_the_sentences_until_reindex(
    core: Briefbot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An analysis stored before migration 0017 has no lede terms of its own: read from its
    # sentences' features (the same terms), until `briefbot db reindex` stores them, without
    # re-analysing anything.
    article_id, _ = _load_one(db)
    stored = _stored_ledes(db)[article_id]
    assert stored is not None and stored.split("\t")[1].split()[:3] == ["dock", "worker", "northh"]
    with db.factory() as session:
        from_column = analyze.load_ledes(session, [article_id])[article_id]
    with db.factory.begin() as session:
        session.execute(update(ArticleAnalysis).values(ledes=None))
    analysis_cache.clear()
    reads: list[int] = []
    load_lede_terms = sentence_store.load_lede_terms

    def counted(session: Any, ids: Any, per_article: int) -> Any:
        reads.append(len(ids))
        return load_lede_terms(session, ids, per_article)

    monkeypatch.setattr(sentence_store, "load_lede_terms", counted)
    with db.factory() as session:
        assert analyze.load_ledes(session, [article_id])[article_id] == from_column
    assert reads == [1]
    assert core.reindex() == 0  # nothing re-analysed...
    assert _stored_ledes(db) == {article_id: stored}  # ...but the lede terms stored
    analysis_cache.clear()
    with db.factory() as session:
        assert analyze.load_ledes(session, [article_id])[article_id] == from_column
    assert reads == [1, 1]  # (reindex read them once; this read did not)


def test_lede_terms_that_cannot_be_encoded_are_read_from_the_sentences(
    core: Briefbot, db: Database
) -> None:
    # A term holding whitespace (no analyzer makes one today) would garble the compact
    # column: none is stored, and readers get the sentences' terms as before.
    article_id, full = _load_one(db)
    first = next(n for n, s in enumerate(full.sentences) if s.is_prose)
    sentences = list(full.sentences)
    sentences[first] = replace(sentences[first], terms=(("new york", 2), ("port", 1)))
    with db.factory.begin() as session:
        analyze.store_analyses(session, {article_id: replace(full, sentences=tuple(sentences))})
    assert _stored_ledes(db) == {article_id: None}
    with db.factory() as session:
        terms, counts = analyze.load_ledes(session, [article_id])[article_id]
    assert terms[:2] == ("new york", "port") and counts[:2] == (2, 1)
