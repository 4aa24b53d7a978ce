"""The editor-style checks of a brief, written for the harness alone (docs/quality.md).

Deliberately independent of the product: none of `bot.summarize`'s own support, fragment or
section logic is used to grade it. Sentences and words come from the harness's tokenizer
(`bench.tokenizer`), stems and stopwords from sumy's English Snowball stemmer and list, and
spaCy (loaded through the project's shared loader, when installed) only supplies named
entities and the parse used to find a bullet's main verb.

Every function is pure: text in, verdicts out. Inputs are bounded (bullets are cut to
`MAX_BULLET_CHARS` before any regular expression runs) and every pattern here is linear.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from bench.baselines import TOKENIZER, stemmer, stop_words
from bench.tokenizer import paragraphs

__all__ = [
    "SUPPORT_MIN_OVERLAP",
    "KeyFact",
    "Outdated",
    "SupportVerdict",
    "fact_in_text",
    "fragment_reasons",
    "passages_of",
    "section_errors",
    "sentences_of",
    "support",
]

MAX_BULLET_CHARS = 2_000
# A (bullet, article) pair is supported when some passage of at most two adjacent sentences of
# the article holds all the bullet's numbers and named entities and at least this share of its
# content-word stems. A bullet copied or trimmed from one of the article's sentences scores
# 1.0; one or two words added by the product (an anchored date, a resolved name) still pass at
# 0.75 on a 10-word bullet; an article that merely shares the story's vocabulary or a background
# sentence, and not the claim, stays well below (see docs/quality.md for the sensitivity).
SUPPORT_MIN_OVERLAP = 0.75


# ------------------------------------------------------------------------------------------
# Key facts
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFact:
    """A fact every human summary of a story would hold, as regular expressions.

    It is present in a text when every pattern matches it (case-insensitive unless a pattern
    says otherwise), so the parts of one fact may come in any order.
    """

    id: str
    fact: str  # in our own words, for the report
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyFact:
        return cls(
            data["id"],
            data["fact"],
            tuple(re.compile(p, re.IGNORECASE) for p in data["all"]),
        )


def fact_in_text(fact: KeyFact, text: str) -> bool:
    text = text[:MAX_BULLET_CHARS]  # a bullet; every pattern is linear
    return all(p.search(text) for p in fact.patterns)


@dataclass(frozen=True)
class Outdated:
    """A claim a later article of the story overtakes (a question answered, a plan carried out,
    a figure superseded): shown in the brief while `by` is in the window, it is an error."""

    id: str
    why: str
    patterns: tuple[re.Pattern[str], ...]
    by: str  # the key of the article that overtakes it
    sections: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outdated:
        return cls(
            data["id"],
            data["why"],
            tuple(re.compile(p, re.IGNORECASE) for p in data["all"]),
            data["by"],
            tuple(data.get("sections", ("key_provisions", "open_questions", "next_steps"))),
        )


# ------------------------------------------------------------------------------------------
# Words, numbers, entities
# ------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_MONTHS = (
    "january february march april may june july august september october november december"
).split()


def _norm_number(raw: str) -> str:
    raw = raw.replace(",", "")
    if "." in raw:
        raw = raw.rstrip("0").rstrip(".") if re.fullmatch(r"\d+\.\d+", raw) else raw
    return raw.lstrip("0") or "0"


def numbers_in(text: str) -> set[str]:
    """Numbers as digits ("1,200" -> "1200"), number words up to twenty included."""
    found = {_norm_number(m.group()) for m in _NUMBER.finditer(text)}
    found |= {_NUMBER_WORDS[w.lower()] for w in _WORD.findall(text) if w.lower() in _NUMBER_WORDS}
    return found


def content_stems(text: str) -> set[str]:
    words = (w.lower().replace("’", "'") for w in _WORD.findall(text))
    stem, stops = stemmer(), stop_words()
    return {stem(w) for w in words if w not in stops and (len(w) > 1 or w.isdigit())}


@cache
def _nlp() -> Any:
    from bot.nlp import load_pipeline

    return load_pipeline("auto")


_ENTITY_LABELS = frozenset(
    "PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE".split()
)
_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'.-]*[A-Za-z]")


@cache
def entities_in(text: str) -> frozenset[str]:
    """Named entities (names, places, organisations, groups), lower-cased.

    spaCy's entities when a pipeline is installed; otherwise capitalised words that do not
    start a sentence (a cruder, stricter stand-in)."""
    nlp = _nlp()
    if nlp is not None:
        doc = nlp(text[:MAX_BULLET_CHARS])
        out = set()
        for ent in doc.ents:
            if ent.label_ in _ENTITY_LABELS:
                name = re.sub(r"^(?:the|a|an)\s+", "", ent.text.strip(), flags=re.IGNORECASE)
                name = re.sub(r"['’]s$", "", name)
                if name:
                    out.add(" ".join(name.lower().split()))
        return frozenset(out)
    return frozenset(
        m.group().lower().rstrip(".")
        for m in _CAPITALIZED.finditer(text)
        if m.group().lower() not in stop_words()
    )


# ------------------------------------------------------------------------------------------
# (b) Citation support
# ------------------------------------------------------------------------------------------


def sentences_of(text: str) -> list[str]:
    """The article's sentences (the harness's offline tokenizer, paragraph by paragraph)."""
    return [s for p in paragraphs(text) for s in TOKENIZER.to_sentences(p)]


def passages_of(text: str) -> list[str]:
    """Every sentence of the article, and every pair of adjacent sentences."""
    sentences = sentences_of(text)
    return sentences + [f"{a} {b}" for a, b in itertools.pairwise(sentences)]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_RE = "|".join(_MONTHS)
_ANCHORED = re.compile(
    rf"\b(?P<wd>{'|'.join(_WEEKDAYS)}),?\s+(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RE})\b"
    r"(?:,?\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"^(?P<prefix>[^—–.!?]{1,60}?)\s+[—–]\s+(?P<rest>\S.*)$", re.DOTALL)
_PREFIX_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH_RE})|(?P<m2>{_MONTH_RE})\s+(?P<d2>\d{{1,2}}))\b"
    r"(?:,?\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
# How far from its publication an anchored weekday date may lie ("on Sunday" -> "Sunday 15
# November" in an article of Saturday 14 November).
ANCHOR_MAX_DAYS = 10


def _anchored_dates(bullet: str, published: datetime | None) -> tuple[set[str], set[str]]:
    """Numbers and words of dates the product anchored from a relative day: "Sunday 15
    November" counts as stated when 15 November of the publication year (or the stated year)
    is a Sunday within ANCHOR_MAX_DAYS of the article's publication."""
    numbers: set[str] = set()
    words: set[str] = set()
    if published is None:
        return numbers, words
    for m in _ANCHORED.finditer(bullet):
        year = int(m.group("y")) if m.group("y") else published.year
        try:
            day = datetime(year, _MONTHS.index(m.group("m").lower()) + 1, int(m.group("d")))
        except ValueError:
            continue
        close = abs((day.date() - published.date()).days) <= ANCHOR_MAX_DAYS
        if close and _WEEKDAYS[day.weekday()] == m.group("wd").lower():
            numbers |= {str(day.day), str(day.year)}
            words |= {m.group("wd").lower(), m.group("m").lower()}
    return numbers, words


def _date_tokens(published: datetime | None) -> tuple[set[str], set[str]]:
    """The numbers and words of an article's publication date: a bullet may anchor a relative
    date ("today" -> "14 March") from it without the text stating them."""
    if published is None:
        return set(), set()
    month = _MONTHS[published.month - 1]
    weekday = published.strftime("%A").lower()
    return {str(published.day), str(published.year)}, {month, weekday, month[:3]}


@dataclass(frozen=True)
class SupportVerdict:
    supported: bool
    overlap: float  # the best passage's share of the bullet's content stems
    missing_numbers: tuple[str, ...] = ()
    missing_entities: tuple[str, ...] = ()
    passage: str = field(default="", repr=False)
    dateline_ok: bool | None = None  # None: the bullet has no dateline


def _dateline_holds(
    prefix: str, sentences: Sequence[str], span: tuple[int, int], published: datetime | None
) -> bool:
    """A lead's dateline ("Jeddah, 11 March —"). Its date is the article's publication date,
    a date the article states (day and month together, either order), or a relative day the
    passage names, anchored consistently ("on Friday" near the claim, and the date is a Friday
    within ANCHOR_MAX_DAYS of publication; "yesterday" and the day before publication). Each
    place in it is stated in the article's title or within one sentence of the passage that
    supports the claim (a place mentioned elsewhere in the article is not where it happened)."""
    start, end = span
    near = " ".join([*sentences[:1], *sentences[max(0, start - 1) : end + 2]])
    near_lower = near.lower()
    date_match = _PREFIX_DATE.search(prefix)
    if date_match:
        day = int(date_match.group("d1") or date_match.group("d2"))
        month = (date_match.group("m1") or date_match.group("m2")).lower()
        stated = re.search(
            rf"\b(?:{day}(?:st|nd|rd|th)?\s+{month}|{month}\s+{day}(?:st|nd|rd|th)?)\b",
            " ".join(sentences),
            re.IGNORECASE,
        )
        anchored = False
        if published is not None:
            year = int(date_match.group("y")) if date_match.group("y") else published.year
            try:
                when = datetime(year, _MONTHS.index(month) + 1, day).date()
            except ValueError:
                return False
            delta = (when - published.date()).days
            anchored = (
                delta == 0
                or (delta == -1 and "yesterday" in near_lower)
                or (
                    abs(delta) <= ANCHOR_MAX_DAYS
                    and re.search(rf"\b{_WEEKDAYS[when.weekday()]}\b", near_lower) is not None
                )
            )
        if not (stated or anchored):
            return False
        prefix = prefix[: date_match.start()] + prefix[date_match.end() :]
    places = [p.strip(" ,") for p in prefix.split(",") if p.strip(" ,")]
    return all(place.lower() in near_lower for place in places)


def support(
    bullet: str,
    sentences: Sequence[str],
    *,
    published: datetime | None = None,
    min_overlap: float = SUPPORT_MIN_OVERLAP,
) -> SupportVerdict:
    """Does one passage (one sentence or two adjacent ones) of the article state the bullet?

    `sentences` are the article's sentences (title first). A leading dateline ("Place, D
    Month — claim") is checked apart (`_dateline_holds`); dates the product anchored from a
    relative day ("on Sunday" -> "Sunday 15 November") count as stated when consistent."""
    bullet = " ".join(bullet[:MAX_BULLET_CHARS].split())
    dateline = _DATELINE.match(bullet)
    prefix = None
    if dateline and len(dateline.group("prefix").split()) <= 6:
        prefix, bullet = dateline.group("prefix"), dateline.group("rest")
    date_numbers, date_words = _date_tokens(published)
    anchored_numbers, anchored_words = _anchored_dates(bullet, published)
    date_numbers |= anchored_numbers
    date_words |= anchored_words
    numbers = numbers_in(bullet)
    entities = {e for e in entities_in(bullet) if e not in date_words}
    stems = content_stems(bullet)
    spans = [(i, i) for i in range(len(sentences))]
    spans += [(i, i + 1) for i in range(len(sentences) - 1)]
    best = SupportVerdict(False, 0.0, tuple(sorted(numbers)), tuple(sorted(entities)))
    for start, end in spans:
        passage = " ".join(sentences[start : end + 1])
        lowered = " ".join(passage.lower().split())
        passage_numbers = numbers_in(passage) | date_numbers
        passage_stems = content_stems(passage) | {stemmer()(w) for w in date_words}
        missing_n = tuple(sorted(n for n in numbers if n not in passage_numbers))
        missing_e = tuple(sorted(e for e in entities if e not in lowered))
        overlap = len(stems & passage_stems) / len(stems) if stems else 1.0
        ok = not missing_n and not missing_e and overlap >= min_overlap
        dateline_ok = None
        if ok and prefix is not None:
            dateline_ok = _dateline_holds(prefix, sentences, (start, end), published)
            ok = dateline_ok
        verdict = SupportVerdict(ok, overlap, missing_n, missing_e, passage, dateline_ok)
        if ok:
            return verdict
        if (len(missing_n) + len(missing_e), -overlap) < (
            len(best.missing_numbers) + len(best.missing_entities),
            -best.overlap,
        ):
            best = verdict
    return best


# ------------------------------------------------------------------------------------------
# (c) Fragments
# ------------------------------------------------------------------------------------------

_PRONOUN_START = re.compile(
    r"^[\"“‘']?(?:he|she|it(?!\s+(?:is|was|remains|remained|seems|seemed|appears|appeared|"
    r"has been|had been|will be|would be|may be|might be|could be|is still|was still)\s+(?:not\s+)?"
    r"(?:yet\s+)?(?:unclear|clear|known|unknown|likely|unlikely|possible|impossible|expected|"
    r"believed|thought|understood|reported|said|feared|hoped|estimated|important|uncertain|"
    r"too early|the first|time|certain|probable|difficult|hard|easy)\b)|"
    r"they|them|him|his|her|hers|its|their|theirs|this|these|"
    # "those involved", "those who survived", "those aboard": people, named by what follows.
    r"those(?!\s+(?:who|whom|whose|[a-z]{3,}ed|hurt|held|taken|caught|aboard|inside|in|on|at"
    r"|with|from|responsible|affected)\b)|"
    r"that|the latter|the former|the same|"
    r"(?:both|either|neither|each|all)(?: of (?:them|these|those|us))?"
    r"(?=\s+(?:said|say|says|were|are|have|had|will|would|agreed|did|do)\b))\b(?![-’'])",
    re.IGNORECASE,
)
_DANGLING_START = re.compile(
    r"^[\"“‘']?(?:then|meanwhile|in the meantime|however|but|and|or|also|additionally|"
    r"moreover|furthermore|still|instead|likewise|as a result|in addition|nevertheless|"
    r"nonetheless|yet|so|thus|therefore|hence|otherwise|afterwards|afterward|"
    r"(?:later|earlier)(?!\s+(?:this|that|in|on|last|next|today|than))|"
    r"by contrast|in contrast|on the other hand|similarly|indeed|besides|even so|in turn|"
    r"at the same time|that said|again|finally|first|second|third|lastly|"
    r"for example|for instance|in fact|of course|after that|before that|since then|"
    r"as such|to that end|in response|in other words)\b",
    re.IGNORECASE,
)
_PICTURE = re.compile(
    r"\b(?:(?:this|the|a|above|below|following)\s+(?:\w+\s+){0,2}"
    r"(?:map|photo|photograph|picture|image|graphic|video|chart|infographic|gallery|footage)"
    r"\s+(?:shows?|showing|above|below|released|taken)|pictured|click here|read more|"
    r"watch:|related:|share this|getty images|ap photo|file photo|\(photo|photo:|image:|"
    r"caption:|scroll down|see also)\b",
    re.IGNORECASE,
)
_TIMESTAMP = re.compile(r"^\(?\d{1,2}[:.]\d{2}\b|\bline break\b", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3}\b|updated\b|posted\b)")
_GLUED = re.compile(r"[a-z]{2,}[.!?][\"”’]?[A-Z][a-z]")
_TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$")
# Starts mid-sentence: with punctuation (",000 people…") or a lower-case word ("and then…"),
# a brand written in camel case ("iPhone", "eBay") excepted.
_CUT_START = re.compile(r"^(?:[,.;:)\]]|[a-z](?![a-z]*[A-Z]))")
_CUT_NUMBER_END = re.compile(r"\d,$|\d,\d{0,2}$")
_WH_SUBHEAD = re.compile(r"^(?:what|who|where|when|why|how|which)\b[^?]{0,80}\?$", re.IGNORECASE)
_FINITE_TAGS = frozenset({"VBD", "VBP", "VBZ", "MD"})

FRAGMENT_REASONS = (
    "pronoun_start",
    "dangling_opener",
    "no_finite_verb",
    "heading_or_caption",
    "glued_sentences",
    "cut",
    "unbalanced_quote",
    "question_subhead",
    "unresolved_reference",
)


def _has_finite_main_verb(sentence: str) -> bool | None:
    """True when the parse's root is finite (or has a finite auxiliary); None without spaCy."""
    nlp = _nlp()
    if nlp is None:
        return None
    doc = nlp(sentence[:MAX_BULLET_CHARS])
    for sent in doc.sents:
        root = sent.root
        if root.tag_ in _FINITE_TAGS:
            continue
        if any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE_TAGS for c in root.children):
            continue
        # "X, Y and Z were killed": coordination can hang the finite verb on a conjunct.
        if any(c.dep_ == "conj" and c.tag_ in _FINITE_TAGS for c in root.children):
            continue
        if root.tag_ == "VB" and root.i == sent.start:  # an imperative: "Read the report."
            continue
        return False
    return True


_TIME_NOUNS = frozenset(
    "year years week weeks month months day days morning afternoon evening night weekend time "
    "season summer winter spring autumn fall century decade quarter moment hour hours".split()
)
_DEMONSTRATIVES = frozenset({"this", "these", "those", "that"})
# Children that name or pin down a noun phrase's referent ("the council of Wellington",
# "the council's vote", "the British government", "the five convicted").
_PINNING = frozenset(
    {"prep", "acl", "relcl", "appos", "poss", "compound", "nummod", "amod", "npadvmod"}
)


def _unresolved_reference(text: str, story_terms: frozenset[str]) -> bool | None:
    """A noun phrase whose referent a reader cannot know without the article (spaCy):

    - the bullet opens with "the/this/these/those + common noun" as a subject with nothing
      that pins it down (no name, number, adjective, possessive, of-phrase or relative
      clause), and the noun is not a word of the story's own headlines or topic ("The company
      said…" in a story whose headlines never say "company");
    - "this/these (+ adjectives) + noun" anywhere, the noun neither a time word ("this week")
      nor a headline word, nor mentioned earlier in the bullet ("…this part of the ocean");
    - "that/this" as the subject of the bullet's first clause ("Once that's established…").
    None without spaCy."""
    nlp = _nlp()
    if nlp is None:
        return None
    doc = nlp(text[:MAX_BULLET_CHARS])
    for token in doc:
        if token.dep_ != "det" or token.head.pos_ != "NOUN":
            continue
        noun = token.head
        lemma = noun.lemma_.lower()
        if lemma in story_terms or noun.lower_ in story_terms or lemma in _TIME_NOUNS:
            continue
        word = token.lower_
        between = doc[token.i + 1 : noun.i]
        if (
            word in ("this", "these")
            and token.i < noun.i
            and all(t.pos_ == "ADJ" for t in between)
            and lemma not in {t.lemma_.lower() for t in doc[: token.i]}
        ):
            return True
        if (
            word in {"the", *_DEMONSTRATIVES}
            and token.i == 0
            and noun.dep_ in ("nsubj", "nsubjpass")
            and not any(c.dep_ in _PINNING for c in noun.children)
        ):
            return True
    for token in doc[:4]:
        if token.lower_ in ("that", "this") and token.dep_ in ("nsubj", "nsubjpass"):
            return True
    return False


def _unbalanced_quotes(text: str) -> bool:
    if text.count("“") != text.count("”"):
        return True
    straight = re.sub(r"(?<=\w)'(?=\w)|(?<=s)'(?=\s)", "", text)  # apostrophes are not quotes
    return text.count('"') % 2 == 1 or (straight.count("'") % 2 == 1 and "‘" not in text)


def _cut_in_source(text: str, sources: Sequence[str]) -> bool:
    """The bullet ends where its source sentence goes on: its last characters occur in a cited
    article only directly followed by a letter, a digit or a comma ("magnitude 9." of "9.0")."""
    tail = text[-30:]
    seen = False
    for source in sources:
        start = 0
        while (at := source.find(tail, start)) >= 0:
            seen = True
            after = source[at + len(tail) : at + len(tail) + 1]
            if not after or not (after.isalnum() or after == ","):
                return False
            start = at + 1
    return seen


def fragment_reasons(
    text: str,
    section: str | None = None,
    sources: Sequence[str] = (),
    story_terms: frozenset[str] = frozenset(),
) -> list[str]:
    """Why a bullet cannot stand alone (empty when it can). See docs/quality.md.

    `sources` are the cited articles' texts (whitespace-normalised), for the cut check;
    `story_terms` the lower-cased words of the story's headlines and topic, which a bullet
    may refer to with "the" ("the plane" in a story about a missing plane)."""
    text = " ".join(text[:MAX_BULLET_CHARS].split())
    reasons: list[str] = []
    if _PRONOUN_START.search(text):
        reasons.append("pronoun_start")
    if _DANGLING_START.search(text):
        reasons.append("dangling_opener")
    words = text.split()
    if (
        _PICTURE.search(text)
        or _BYLINE.search(text)
        or _TIMESTAMP.search(text)
        or (len(words) < 12 and not _TERMINAL.search(text))
    ):
        reasons.append("heading_or_caption")
    if _GLUED.search(text):
        reasons.append("glued_sentences")
    unfinished = not _TERMINAL.search(text) and "heading_or_caption" not in reasons
    if (
        unfinished
        or _CUT_START.search(text)
        or _CUT_NUMBER_END.search(text)
        or text.endswith(("...", "…"))
        or _cut_in_source(text, sources)
    ):
        reasons.append("cut")
    if _unbalanced_quotes(text):
        reasons.append("unbalanced_quote")
    if section == "open_questions" and _WH_SUBHEAD.search(text) and len(words) <= 10:
        reasons.append("question_subhead")
    if "heading_or_caption" not in reasons and _has_finite_main_verb(text) is False:
        reasons.append("no_finite_verb")
    if "pronoun_start" not in reasons and _unresolved_reference(text, story_terms):
        reasons.append("unresolved_reference")
    return reasons


# ------------------------------------------------------------------------------------------
# (d) Sections by time
# ------------------------------------------------------------------------------------------

_FUTURE = re.compile(
    r"\b(?:will|won['’]t|shall|['’]ll|would|going to|expected|expects|expect|plans?|planned|"
    r"planning|scheduled|schedule|due to|set to|intends?|intended|aims? to|seeks? to|"
    r"hopes? to|pledged? to|vowed? to|promised? to|to be held|upcoming|"
    r"(?:agreed|agrees|committed|commits|decided|decides) to (?!the\b|a\b|an\b)[a-z]+|"
    r"next (?:week|month|year|day|step)|tomorrow|later this|deadline|"
    r"(?:is|are|was|were) to (?:be|meet|begin|start|hold|take|visit|return|sign|vote|decide)|"
    r"(?:is|are|am) to [a-z]+|propos\w*|prepar\w*|"
    r"to launch|launching|forecasts?|predicts?|predicted|projected|sees? [^.]{0,60}(?:falling|"
    r"rising|reaching))\b",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(
    r"\b(?:unclear|not clear|unknown|not known|uncertain|uncertainty|remains? to be seen|"
    r"undecided|whether|no response|not yet|as yet|yet to|open question|undetermined|"
    r"unconfirmed|could not (?:be )?confirm\w*|cannot (?:be )?confirm\w*|no decision|"
    r"did not (?:say|state|specify|disclose)|(?:declined|refused) to (?:comment|say|disclose)|"
    r"would not (?:say|comment)|(?:few|no) details|little is known|"
    r"has not (?:said|decided|been)|have not "
    r"(?:said|decided|been)|no (?:word|indication|explanation|details?)|mystery|unanswered|"
    r"under investigation|investigating|to be determined|questions? (?:remains?|open|"
    r"unanswered)|leaves? [^.]{0,60}\bopen\b|not been (?:determined|established|"
    r"found|identified|decided))\b",
    re.IGNORECASE,
)
_DATED = re.compile(
    r"\b(?:(?P<d1>\d{1,2})\s+(?P<m1>january|february|march|april|may|june|july|august|"
    r"september|october|november|december)|(?P<m2>january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\s+(?P<d2>\d{1,2})\b)(?:,?\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)


def _dates_in(text: str, default_year: int) -> list[datetime]:
    out = []
    for m in _DATED.finditer(text):
        day = int(m.group("d1") or m.group("d2"))
        month = _MONTHS.index((m.group("m1") or m.group("m2")).lower()) + 1
        year = int(m.group("y")) if m.group("y") else default_year
        try:
            out.append(datetime(year, month, day, tzinfo=None))
        except ValueError:
            continue
    return out


_RELATIVE_DAY = re.compile(
    rf"\b(?:(?P<wd>{'|'.join(_WEEKDAYS)})\b(?!,?\s+\d)|(?P<rel>today|tonight|tomorrow|"
    r"this week(?:end)?|next week))",
    re.IGNORECASE,
)


def _relative_day_passed(text: str, cited_published: Sequence[datetime], newest: datetime) -> bool:
    """A relative day ("on Saturday", "tomorrow", "next week") anchored from the newest cited
    article's publication falls before the newest article of the window: by then it is past.
    A weekday is read as that day of the publication week, or the next such day after it."""
    if not cited_published:
        return False
    base = max(cited_published).date()
    latest = None
    for m in _RELATIVE_DAY.finditer(text):
        if m.group("wd"):
            ahead = (_WEEKDAYS.index(m.group("wd").lower()) - base.weekday()) % 7
            when = base + timedelta(days=ahead)
        else:
            rel = m.group("rel").lower()
            days = {"today": 0, "tonight": 0, "tomorrow": 1, "next week": 13}.get(rel, 7)
            when = base + timedelta(days=days)
        latest = when if latest is None or when > latest else latest
    return latest is not None and latest < newest.date()


def section_errors(
    section: str,
    text: str,
    *,
    cited_published: Iterable[datetime],
    newest: datetime,
) -> list[str]:
    """Why a bullet is in the wrong section by time (empty when it is not).

    - next_steps: no future marker (a past event), or a stated date before the newest article;
    - open_questions: neither a question nor an explicit unknown.
    (Outdated claims — answered questions, plans carried out — come from the labelled data.)
    """
    text = " ".join(text[:MAX_BULLET_CHARS].split())
    errors = []
    if section == "next_steps":
        if not _FUTURE.search(text):
            errors.append("past_event_in_next_steps")
        else:
            years = [d.year for d in cited_published] or [newest.year]
            naive_newest = newest.replace(tzinfo=None)
            if any(d.date() < naive_newest.date() for d in _dates_in(text, max(years))):
                errors.append("dated_before_newest_article")
            elif _relative_day_passed(text, list(cited_published), newest):
                errors.append("relative_day_before_newest_article")
    elif section == "open_questions" and "?" not in text and not _UNKNOWN.search(text):
        errors.append("open_question_not_open")
    return errors
