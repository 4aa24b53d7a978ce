"""What ingestion keeps about each sentence of an article: plain data, no spaCy needed to read it.

`bot.ingest.analyze` computes these once per article when it is stored (with the spaCy pipeline
when one is installed, plain-text rules otherwise) and `storage.sentences` keeps them; briefs
and answers read them back instead of re-parsing the article (`bot.ingest.analyze.load`).

Fields a reader may rely on (a stable, documented read API):

- `position`: index of the sentence in its article (all sentences, kept or not), from 0;
  `paragraph`: index of its paragraph.
- `text`: the sentence as a bullet would show it (relative dates anchored: "on Monday" becomes
  "on Monday 10 March"; a leading connective such as "Then," removed); `raw`: as written
  (less a dateline), when different.
- `kind`: "prose" (a sentence a brief may quote), or why it is not: "heading", "subhead" (a
  stand-alone question heading, as in FAQ explainers), "caption" (picture/map/video
  references), "byline", "boilerplate" (sign-up lines, teasers), "dateline", "title" (restates
  the title), "fragment" (no main verb or no subject, or too short/long), "dependent" (leans on
  an earlier sentence: a leading pronoun or "this/these …" that was not resolved).
- `issue`: one line saying why a non-prose sentence was set aside (None for prose).
- `entities`: (text, label) pairs (spaCy labels: PERSON, ORG, GPE, DATE, CARDINAL …);
  `numbers`: the numbers it states, normalised ("30", "1200", "3.5"); `dates`: ISO dates it
  names, resolved against the article's publication date; `places`: places where something
  happens ("in Jeddah", "at Heathrow": a GPE/LOC/FAC entity after "in", "at" or "near").
- `terms`: content-word counts (the term vector briefs and answers build TF-IDF from).
- `tense`: "past", "future" or "present" (of the main clause), None when unknown.
- `section`, `score`, `cues`: the section label of `bot.summarize.sections.analyze` (section
  or None, briefability score, and the (key, open, next, opinion) cue sums).
- `names`: the terms of the names it states (`bot.summarize.names`); for prose, `marks`: the
  pattern results briefs test it for (`Marks`, `bot.summarize.marks`), and `cardinals`: the
  numbers that count something. None when not computed (an older analyzer's rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["ArticleAnalysis", "Marks", "SentenceFeatures"]


class Marks(NamedTuple):
    """What briefs test about a prose sentence's `text`, found once at ingestion
    (`bot.summarize.marks.sentence_marks`): `flags`, a bit per pattern it matches (the bits are
    `bot.summarize.marks`' constants); `words`, its whitespace-separated word count; `events`
    and `awaits`, the terms of the event words it reports and of those it says are still to
    happen, in order; `folded`, its terms with synonyms folded (the repetition test's), each
    once."""

    flags: int
    words: int
    events: tuple[str, ...] = ()
    awaits: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentenceFeatures:
    position: int
    paragraph: int
    text: str
    kind: str
    issue: str | None = None
    raw: str | None = None
    entities: tuple[tuple[str, str], ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    terms: tuple[tuple[str, int], ...] = ()
    tense: str | None = None
    section: str | None = None
    score: float = 0.0
    cues: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    names: tuple[str, ...] | None = None
    # None: not computed (stored by an analyzer before a14, or not prose).
    marks: Marks | None = None
    cardinals: tuple[str, ...] | None = None

    @property
    def is_prose(self) -> bool:
        return self.kind == "prose"

    def features_json(self) -> dict[str, Any]:
        """Everything but position, paragraph and text (stored in their own columns)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.issue:
            out["issue"] = self.issue
        if self.raw is not None:
            out["raw"] = self.raw
        if self.entities:
            out["ents"] = [list(e) for e in self.entities]
        if self.numbers:
            out["nums"] = list(self.numbers)
        if self.dates:
            out["dates"] = list(self.dates)
        if self.places:
            out["places"] = list(self.places)
        if self.terms:
            out["terms"] = [list(t) for t in self.terms]
        if self.tense:
            out["tense"] = self.tense
        if self.section:
            out["section"] = self.section
        if self.score:
            out["score"] = self.score
        if any(self.cues):
            out["cues"] = list(self.cues)
        if self.names is not None:
            out["names"] = list(self.names)
        if self.marks is not None:
            m = self.marks
            out["marks"] = [m.flags, m.words, list(m.events), list(m.awaits), list(m.folded)]
        if self.cardinals is not None:
            out["cards"] = list(self.cardinals)
        return out

    @classmethod
    def from_json(
        cls, position: int, paragraph: int, text: str, data: dict[str, Any]
    ) -> SentenceFeatures:
        # map/listcomp rather than generator expressions: this runs for every sentence a
        # brief reads back (about 10,000 for a 5,000-article window's first brief).
        cues = data.get("cues") or (0.0, 0.0, 0.0, 0.0)
        names = data.get("names")
        marks = data.get("marks")
        cards = data.get("cards")
        return cls(
            position=position,
            paragraph=paragraph,
            text=text,
            kind=str(data.get("kind", "prose")),
            issue=data.get("issue"),
            raw=data.get("raw"),
            entities=tuple([(str(t), str(label)) for t, label in data.get("ents", ())]),
            numbers=tuple(map(str, data.get("nums", ()))),
            dates=tuple(map(str, data.get("dates", ()))),
            places=tuple(map(str, data.get("places", ()))),
            terms=tuple([(str(t), int(c)) for t, c in data.get("terms", ())]),
            tense=data.get("tense"),
            section=data.get("section"),
            score=float(data.get("score", 0.0)),
            cues=(float(cues[0]), float(cues[1]), float(cues[2]), float(cues[3])),
            names=None if names is None else tuple(map(str, names)),
            marks=None
            if marks is None
            else Marks(
                int(marks[0]),
                int(marks[1]),
                tuple(map(str, marks[2])),
                tuple(map(str, marks[3])),
                tuple(map(str, marks[4])),
            ),
            cardinals=None if cards is None else tuple(map(str, cards)),
        )


@dataclass(frozen=True)
class ArticleAnalysis:
    """An article's analysed sentences and the analyzer version that produced them."""

    version: str
    sentences: tuple[SentenceFeatures, ...]

    def prose(self) -> tuple[SentenceFeatures, ...]:
        return tuple(s for s in self.sentences if s.is_prose)
