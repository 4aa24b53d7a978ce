"""What changed since the last digest, claim by claim. Pure: no database, no Slack.

A digest remembers what it told the channel as "points" (`points_of`): one
`{"section", "text", "source_ids"}` dict per bullet. The next digest compares each of its
bullets with those points on content words (stemmed, stopwords dropped, see
`bot.summarize.sentences.content_words`) and labels it:

- "new": no earlier point makes the same claim;
- "updated": an earlier point makes the same claim, but this bullet adds to it: numbers the
  earlier one did not have (a toll, a date, an amount), materially new wording (more than a
  fifth of its content words were not in the earlier point), or more sources (it still cites
  an article the earlier point cited, plus articles it did not);
- "unchanged": the same point again, which the digest drops. Digest windows do not overlap, so
  a repeated claim usually comes from a *newer article* restating it (background paragraphs do
  this daily); a different article saying the same thing is still the same point, not news.

"Same claim" is content-word similarity: a Dice coefficient of at least `SAME_CLAIM` on the
words other than numbers (so a changed number does not hide the match), or, for points of at
least `MIN_CONTAINED` words, one containing nearly all (`CONTAINED`) of the other's words (a
bullet that extends an earlier point).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.summarize.model import SECTIONS, Brief, Bullet
from bot.summarize.sentences import content_words

__all__ = [
    "CONTAINED",
    "MAX_REMEMBERED_POINTS",
    "MIN_CONTAINED",
    "NOVEL_WORDS",
    "SAME_CLAIM",
    "Change",
    "compare",
    "mark_changes",
    "points_of",
    "remember",
    "without_unchanged",
]

Change = Literal["new", "updated", "unchanged"]

SAME_CLAIM = 0.5
CONTAINED = 0.8
MIN_CONTAINED = 4
# Share of a bullet's (non-number) content words that must be new for its wording to count
# as an update rather than a restatement.
NOVEL_WORDS = 0.2
# How many points a digest carries forward (its own first, then older ones not restated).
MAX_REMEMBERED_POINTS = 60


@dataclass(frozen=True)
class _Claim:
    words: frozenset[str]  # content words without numbers
    numbers: frozenset[str]
    sources: frozenset[str]

    @classmethod
    def of(cls, text: str, source_ids: Sequence[Any]) -> _Claim:
        words, numbers = _words_and_numbers(text)
        return cls(words, numbers, frozenset(str(i) for i in source_ids))


@functools.lru_cache(maxsize=4096)
def _words_and_numbers(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A bullet's content words and numbers. Cached: a digest round compares the same bullets
    for every channel of a topic, in the process answering Slack (`content_words` stems each
    word: a tenth of a delivery's CPU in `bench/ack_latency.py`'s cProfile)."""
    tokens = content_words(text)
    numbers = frozenset(t.replace(",", "") for t in tokens if t[:1].isdigit())
    words = frozenset(t for t in tokens if not t[:1].isdigit())
    return words, numbers


def points_of(brief: Brief) -> list[dict[str, Any]]:
    """The brief's bullets as JSON-ready points, in section order (stored on the delivery)."""
    return [
        {"section": name, "text": bullet.text, "source_ids": [str(i) for i in bullet.source_ids]}
        for name in SECTIONS
        for bullet in brief.sections.get(name, ())
    ]


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _same_claim(a: _Claim, b: _Claim) -> tuple[bool, float]:
    """Whether two points make the same claim, and how similar they are (for ranking)."""
    dice = _dice(a.words, b.words)
    if dice >= SAME_CLAIM:
        return True, dice
    smaller = min(len(a.words), len(b.words))
    if smaller >= MIN_CONTAINED and len(a.words & b.words) / smaller >= CONTAINED:
        return True, dice
    return False, dice


def _best_match(claim: _Claim, earlier: Sequence[_Claim]) -> _Claim | None:
    best: tuple[float, _Claim] | None = None
    for other in earlier:
        same, score = _same_claim(claim, other)
        if same and (best is None or score > best[0]):
            best = (score, other)
    return best[1] if best else None


def _change(claim: _Claim, match: _Claim | None) -> Change:
    if match is None:
        return "new"
    if claim.numbers - match.numbers:
        return "updated"  # a number the earlier point did not have
    if claim.words and len(claim.words - match.words) / len(claim.words) > NOVEL_WORDS:
        return "updated"  # says more than the earlier point
    if claim.sources & match.sources and claim.sources - match.sources:
        return "updated"  # the same claim, now backed by more articles
    return "unchanged"


def _claims(points: Sequence[Mapping[str, Any]]) -> list[_Claim]:
    return [_Claim.of(str(p.get("text", "")), p.get("source_ids") or ()) for p in points]


def mark_changes(
    previous_points: Sequence[Mapping[str, Any]], bullets: Sequence[Bullet]
) -> list[Change]:
    """One label per bullet, in order: "new", "updated" or "unchanged"."""
    earlier = _claims(previous_points)
    return [_change(c, _best_match(c, earlier)) for c in _claims(_as_points(bullets))]


def compare(brief: Brief, previous_points: Sequence[Mapping[str, Any]]) -> dict[str, Change]:
    """Bullet text -> change for every bullet of `brief` (the renderer's `new_marks` shape)."""
    bullets = brief.bullets()
    return {b.text: c for b, c in zip(bullets, mark_changes(previous_points, bullets), strict=True)}


def without_unchanged(brief: Brief, changes: Mapping[str, Change]) -> Brief:
    """The brief minus its "unchanged" bullets, and minus sources no remaining bullet cites."""
    sections = {
        name: tuple(b for b in brief.sections.get(name, ()) if changes.get(b.text) != "unchanged")
        for name in SECTIONS
    }
    cited = {i for bullets in sections.values() for b in bullets for i in b.source_ids}
    return replace(
        brief, sections=sections, sources=tuple(s for s in brief.sources if s.id in cited)
    )


def remember(
    current: Sequence[Mapping[str, Any]],
    previous: Sequence[Mapping[str, Any]],
    limit: int = MAX_REMEMBERED_POINTS,
) -> list[dict[str, Any]]:
    """The points a digest stores: its own, then earlier ones it did not restate (capped).

    Carrying older points forward means a claim told three days ago and restated today is
    still recognised as already told, even when yesterday's digest did not repeat it.
    """
    kept = [dict(p) for p in current]
    claims = _claims(kept)
    for point, claim in zip(previous, _claims(previous), strict=True):
        if len(kept) >= limit:
            break
        if _best_match(claim, claims) is None:
            kept.append(dict(point))
            claims.append(claim)
    return kept[:limit]


def _as_points(bullets: Sequence[Bullet]) -> list[dict[str, Any]]:
    return [{"text": b.text, "source_ids": list(b.source_ids)} for b in bullets]
