"""The seed article (../shared/corpus/seed): every point is restated 3-4 times in it.

The brief must say each point once. Overlap between two bullets is measured on their content
words (`content_words`: stopwords removed, light stemming), independently of the summarizer's
own TF-IDF: both the Jaccard index of the word sets and the cosine of the word counts must stay
below MAX_OVERLAP.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.summarize.extractive import ExtractiveSummarizer, similarity
from bot.summarize.model import SECTIONS, ArticleInput
from tests.summarize.helpers import SEED_DIR

MAX_OVERLAP = 0.5

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not SEED_DIR.is_dir() or not any(SEED_DIR.glob("*.txt")),
        reason=f"seed corpus not found at {SEED_DIR} (../shared/corpus is not part of a clone)",
    ),
]


def seed_brief():
    path = sorted(SEED_DIR.glob("*.txt"))[0]
    article = ArticleInput(
        id="seed",
        title="US and Ukraine issue joint statement after Jeddah talks",
        text=path.read_text(encoding="utf-8"),
        outlet="seed",
        published_at=datetime(2025, 3, 14, tzinfo=UTC),
    )
    now = datetime(2025, 3, 14, 12, tzinfo=UTC)
    return ExtractiveSummarizer().summarize(
        "ukraine", [article], since=datetime(2025, 3, 10, tzinfo=UTC), until=now, now=now
    )


def test_seed_brief_says_each_point_once() -> None:
    brief = seed_brief()
    for name in SECTIONS:
        print(f"{name}:")
        for bullet in brief.sections[name]:
            print(f"  • {bullet.text}")
        assert brief.sections[name], f"empty section {name}"
    pairs = list(itertools.combinations(brief.bullets(), 2))
    scores = [(similarity(a.text, b.text), a.text, b.text) for a, b in pairs]
    max_cosine = max(s[0][0] for s in scores)
    max_jaccard = max(s[0][1] for s in scores)
    print(
        f"largest overlap between two bullets: cosine {max_cosine:.3f}, Jaccard {max_jaccard:.3f}"
    )
    assert max_cosine < MAX_OVERLAP and max_jaccard < MAX_OVERLAP


def test_seed_brief_covers_the_editor_brief() -> None:
    """The points of the ideal brief in DESIGN.md that an extractive brief can reach."""
    brief = seed_brief()
    text = {name: " ".join(b.text for b in brief.sections[name]).lower() for name in SECTIONS}
    for needle in ("intelligence sharing", "30-day ceasefire", "mineral", "prisoners of war"):
        assert needle in text["key_provisions"], needle
    assert "russia" in text["open_questions"]
    assert "implement" in text["open_questions"]
    assert "negotiat" in text["next_steps"]
    assert all("turning point" not in b.text for b in brief.bullets())
