"""Near-duplicates: a syndicated copy with small edits is one article with several outlets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.core import Briefbot
from bot.ingest import near_dup
from bot.settings import Settings
from storage import articles as article_store
from storage.models import Article, ArticleBand
from tests.conftest import Database
from tests.summarize.helpers import DEMO_DIR, load_articles

DEMO = load_articles(DEMO_DIR)


def _edited_copy(text: str) -> str:
    """What a second outlet prints: its own dateline, the last paragraph cut, a credit line."""
    paragraphs = text.split("\n\n")
    return (
        "GENEVA (Wire) - "
        + "\n\n".join(paragraphs[:-1])
        + "\n\nReporting by the Wire desk; editing by the night team."
    )


def test_edited_copies_are_near_duplicates_and_other_reports_are_not() -> None:
    for article in DEMO[:6]:
        original = near_dup.signature(article.text)
        copy = near_dup.signature(_edited_copy(article.text))
        assert original is not None and copy is not None
        assert near_dup.is_near_duplicate(original, copy), article.id
        assert set(near_dup.band_keys(original)) & set(near_dup.band_keys(copy))
    # Ten reports of the same negotiations, by different writers: none is a copy of another.
    signatures = [near_dup.signature(a.text) for a in DEMO[:10]]
    for i, a in enumerate(signatures):
        for b in signatures[i + 1 :]:
            assert a is not None and b is not None
            assert near_dup.similarity(a, b) < 0.3


def test_short_texts_get_no_signature_and_signatures_are_stable() -> None:
    assert near_dup.signature("Talks ended without a deal on Tuesday.") is None
    text = DEMO[0].text
    assert near_dup.signature(text) == near_dup.signature(text)
    sig = near_dup.signature(text)
    assert sig is not None and len(sig) == near_dup.PERMUTATIONS * 8
    assert all(0 <= key < 1 << 63 for key in near_dup.band_keys(sig))
    assert near_dup.similarity(sig, b"garbage") == 0.0


def _write(path: Path, title: str, outlet: str, published: str, body: str) -> Path:
    path.write_text(
        f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\n---\n\n{body}\n",
        encoding="utf-8",
    )
    return path


def test_ingesting_a_syndicated_copy_adds_an_outlet_not_an_article(
    db: Database, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "SUMMARIZER": "extractive"}, dotenv_path=None
    )
    core = Briefbot(settings, engine=db.engine, migrate=False)
    core.add_topic("ukraine")
    source = DEMO[0]
    first = _write(
        tmp_path / "wire.md", source.title, "Harbour Wire", "2025-03-11T20:00:00Z", source.text
    )
    copy = _write(
        tmp_path / "copy.md",
        "Kyiv agrees to US truce plan, Moscow's answer awaited",  # its own headline
        "Lakeside Courier",
        "2025-03-11T21:30:00Z",
        _edited_copy(source.text),
    )
    report = core.ingest([str(first), str(copy)], topic="ukraine")

    assert report.summary_line().endswith("1 new article, 1 duplicate")
    with db.factory() as session:
        stored = session.scalars(select(Article)).all()
        assert len(stored) == 1
        outlets = article_store.outlets_of(session, [stored[0].id])[stored[0].id]
        assert sorted(outlets) == ["Harbour Wire", "Lakeside Courier"]
        assert outlets[0] == stored[0].outlet  # the copy stored first keeps its text
        assert session.scalar(select(func.count(ArticleBand.band_key))) == near_dup.BANDS
    brief = core.brief(
        "ukraine",
        since=datetime(2025, 3, 11, tzinfo=UTC),
        until=datetime(2025, 3, 13, tzinfo=UTC),
    ).brief
    assert brief.article_count == 1
    # One article, two outlets: its points are reported by 2 sources, cited once.
    assert all(b.text.endswith("(reported by 2 sources)") for b in brief.bullets())
    assert all(len(b.source_ids) == 1 for b in brief.bullets())


def _reference_signature(text: str) -> bytes | None:
    """One-permutation MinHash as first written (a loop over the set of shingle hashes):
    signatures stored by earlier versions are compared with new ones, so the vectorised
    version must give the same bytes."""
    if len(text.split()) < near_dup.MIN_WORDS:
        return None
    values = near_dup.shingles(text)
    if not values:
        return None
    shift, mask = 64 - 6, (1 << 58) - 1
    empty = mask + 1
    minima = [empty] * near_dup.PERMUTATIONS
    for h in values:
        minima[h >> shift] = min(minima[h >> shift], h & mask)
    step = 0x9E3779B97F4A7C15 & mask
    for i in range(near_dup.PERMUTATIONS):
        j = i
        while minima[j] == empty:
            j = (j + 1) % near_dup.PERMUTATIONS
        if j != i:
            minima[i] = (minima[j] + (j - i) % near_dup.PERMUTATIONS * step) & mask
    return b"".join(m.to_bytes(8, "big") for m in minima)


def test_signatures_are_the_bytes_stored_before() -> None:
    texts = [a.text for a in DEMO[:12]]
    texts += [
        "Short text.",
        "word " * 60,  # one shingle: 63 bins borrowed
        "Zürich café naïve — “quotes” 中文 " * 12,
        "\n\n".join(a.text for a in DEMO[:3]),
    ]
    for text in texts:
        assert near_dup.signature(text) == _reference_signature(text)
