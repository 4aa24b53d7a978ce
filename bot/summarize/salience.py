"""Which sentences carry a window's main news: a score per sentence. Pure, deterministic.

    salience(s) = cosine(s, centroid) × prior(position of s in its article) ** alpha

Two regimes, chosen by how many articles the window holds:

- **One article.** The centroid is the article's own TF-IDF centroid and position is ignored
  (alpha 0): the sentences closest to what the whole article is about win. This is the classic
  centroid summarizer; on single news articles it beats taking the first sentences.
- **Several articles.** The centroid is built from each article's first `LEAD_SENTENCES`
  sentences only (every article weighs the same), and position counts (alpha `LEAD_ALPHA`).
  Why: across several reports of one story the background is what repeats (the same
  "the sailors had been inspecting a ship…" paragraph in every follow-up), so a centroid of
  everything rewards background. What each report adds sits in its lead, where news writing
  puts it; agreeing with the other reports' leads is what makes a point the window's news.

Inputs are unit TF-IDF vectors (term -> weight) with their article index and position; the
caller tokenizes. `select` turns scores into a non-redundant selection under a sentence or word
budget (used by `ExtractiveSummarizer.select_summary`, the plain "best N sentences" view that
the evaluation harness scores against standard baselines).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["LEAD_ALPHA", "LEAD_SENTENCES", "REDUNDANT_COSINE", "Unit", "salience", "select"]

LEAD_SENTENCES = 2
LEAD_ALPHA = 2.0
# Two sentences with a TF-IDF cosine above this say the same thing; the later one is dropped.
REDUNDANT_COSINE = 0.5


@dataclass(frozen=True)
class Unit:
    """One sentence as salience sees it."""

    article: int
    position: int  # among its article's kept sentences, from 0
    vec: Mapping[str, float]  # unit-length TF-IDF vector
    words: int


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def position_prior(position: int) -> float:
    """1, 0.71, 0.58, 0.5 …: earlier sentences of a news article matter more."""
    return 1.0 / math.sqrt(1.0 + position)


def _normalized(vec: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {t: w / norm for t, w in vec.items()}


def centroid(units: Sequence[Unit], weights: Sequence[float] | None = None) -> dict[str, float]:
    """The window's centroid: leads only when several articles; each article weighs the same,
    or `weights[article]` (the brief gives articles that never name the topic less say)."""
    several = len({u.article for u in units}) > 1
    per_article: dict[int, dict[str, float]] = {}
    for u in units:
        if several and u.position >= LEAD_SENTENCES:
            continue
        acc = per_article.setdefault(u.article, {})
        for t, w in u.vec.items():
            acc[t] = acc.get(t, 0.0) + w
    total: dict[str, float] = {}
    for article in sorted(per_article):
        weight = 1.0 if weights is None else weights[article]
        for t, w in _normalized(per_article[article]).items():
            total[t] = total.get(t, 0.0) + weight * w
    return _normalized(total)


def salience(units: Sequence[Unit]) -> list[float]:
    """One score per unit, in input order (higher is more salient; 0..1)."""
    if not units:
        return []
    center = centroid(units)
    alpha = LEAD_ALPHA if len({u.article for u in units}) > 1 else 0.0
    return [max(0.0, cosine(u.vec, center)) * position_prior(u.position) ** alpha for u in units]


def select(
    units: Sequence[Unit],
    scores: Sequence[float],
    *,
    max_sentences: int | None = None,
    max_words: int | None = None,
) -> list[int]:
    """Indexes of the best units, best first, skipping any that repeats one already chosen.

    Stops at `max_sentences` units or once `max_words` words are reached (the last unit may
    run past the word budget; callers cut it). Ties go to the earlier article and position.
    """
    order = sorted(
        range(len(units)), key=lambda i: (-scores[i], units[i].article, units[i].position)
    )
    chosen: list[int] = []
    words = 0
    for i in order:
        if max_sentences is not None and len(chosen) >= max_sentences:
            break
        if max_words is not None and words >= max_words:
            break
        if any(cosine(units[i].vec, units[j].vec) > REDUNDANT_COSINE for j in chosen):
            continue
        chosen.append(i)
        words += units[i].words
    return chosen
