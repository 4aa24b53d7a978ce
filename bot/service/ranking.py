"""A channel's feedback applied to a brief (issue 17 item 4): pure, data in and data out.

Bullets citing outlets (or reporting stories) the channel marked not useful move down their
section, those it marked useful move up, and the sources list is ordered the same way. Bounded
and explainable:

- a target's weight is FACTOR ** (👍 − 👎), capped to [1/CAP, CAP]: ten 👎 weigh what two do;
- a bullet's weight is the mean of its outlets' weights (a bullet also carried by an outlet the
  channel likes is moved less) times its story's weight;
- nothing is removed: every bullet, citation and source stays, only the order changes, so no
  story ever loses all its sources;
- `Ranking.changes` says what moved and why, for `/brief why <topic>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.render.feedback_value import clean
from bot.summarize.model import SECTIONS, Brief, Bullet

FACTOR = 1.5
CAP = 2.25  # two net votes reach it
MAX_KEY = 200


def key(text: str | None) -> str:
    """How an outlet or a story label is matched across briefs: case and spacing ignored, and
    cleaned as a 👍/👎 value cleans it (so a vote on "A&B" matches the outlet "A&B")."""
    return clean(text, MAX_KEY).casefold()


@dataclass(frozen=True)
class Preference:
    """A channel's votes on one target."""

    kind: str  # outlet | story
    label: str
    up: int
    down: int

    @property
    def weight(self) -> float:
        return min(CAP, max(1 / CAP, FACTOR ** (self.up - self.down)))


@dataclass(frozen=True)
class Preferences:
    """A channel's feedback: outlet key → preference, story key → preference."""

    outlets: Mapping[str, Preference]
    stories: Mapping[str, Preference]

    @classmethod
    def of(cls, prefs: Iterable[Preference]) -> Preferences:
        outlets: dict[str, Preference] = {}
        stories: dict[str, Preference] = {}
        for pref in prefs:
            (outlets if pref.kind == "outlet" else stories)[key(pref.label)] = pref
        return cls(outlets, stories)

    @property
    def empty(self) -> bool:
        return not self.outlets and not self.stories


NO_PREFERENCES = Preferences({}, {})


@dataclass(frozen=True)
class Change:
    """One target's effect on a brief: its votes, weight, and how many bullets it touched."""

    kind: str
    label: str
    up: int
    down: int
    weight: float
    bullets: int

    @property
    def direction(self) -> str:
        return "up" if self.weight > 1 else "down" if self.weight < 1 else "unchanged"


@dataclass(frozen=True)
class Ranking:
    brief: Brief
    changes: tuple[Change, ...]


def bullet_outlets(bullet: Bullet, brief: Brief) -> tuple[str, ...]:
    """The outlets a bullet cites: its own list, else its sources' outlets."""
    if bullet.outlets:
        return tuple(dict.fromkeys(o for o in bullet.outlets if o))
    by_id = {s.id: s for s in brief.sources}
    return tuple(
        dict.fromkeys(o for i in bullet.source_ids if i in by_id if (o := by_id[i].outlet))
    )


def bullet_story(bullet: Bullet, brief: Brief) -> str | None:
    if bullet.story is None or not 0 <= bullet.story < len(brief.stories):
        return None
    return brief.stories[bullet.story].label


def rank(brief: Brief, prefs: Preferences) -> Ranking:
    """The brief reordered by the channel's feedback, and what changed."""
    if prefs.empty or brief.is_empty:
        return Ranking(brief, ())
    touched: dict[tuple[str, str], int] = {}

    def weight(bullet: Bullet) -> float:
        outlets = [key(o) for o in bullet_outlets(bullet, brief)]
        known = [o for o in outlets if o]
        w = sum(_w(prefs.outlets.get(o)) for o in known) / len(known) if known else 1.0
        for o in set(known):
            if o in prefs.outlets:
                touched[("outlet", o)] = touched.get(("outlet", o), 0) + 1
        story = key(bullet_story(bullet, brief))
        if story and story in prefs.stories:
            w *= prefs.stories[story].weight
            touched[("story", story)] = touched.get(("story", story), 0) + 1
        return w

    sections = {
        name: _reorder(tuple(brief.sections.get(name, ())), weight)
        for name in SECTIONS
        if name in brief.sections
    }
    sources = sorted(
        enumerate(brief.sources),
        key=lambda pair: (-_w(prefs.outlets.get(key(pair[1].outlet))), pair[0]),
    )
    ranked = replace(brief, sections=sections, sources=tuple(s for _, s in sources))
    changes = [
        Change(p.kind, p.label, p.up, p.down, p.weight, touched.get((p.kind, k), 0))
        for kind, table in (("outlet", prefs.outlets), ("story", prefs.stories))
        for k, p in table.items()
        if touched.get((kind, k))
    ]
    changes.sort(key=lambda c: (-abs(c.up - c.down), c.label))
    return Ranking(ranked, tuple(changes))


def _w(pref: Preference | None) -> float:
    return pref.weight if pref is not None else 1.0


def _reorder(bullets: Sequence[Bullet], weight: Callable[[Bullet], float]) -> tuple[Bullet, ...]:
    """Bullets by (position score × weight), position score falling linearly from 1 for the
    first to 1/n for the last: a weight of 0.5 moves the first bullet about halfway down."""
    n = len(bullets)
    if n < 2:
        return tuple(bullets)
    scored = [((n - i) / n * weight(b), -i, b) for i, b in enumerate(bullets)]
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return tuple(b for _, _, b in scored)
