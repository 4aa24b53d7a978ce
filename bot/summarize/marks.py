"""What briefs test about a sentence's own text, pattern by pattern: found once per sentence at
ingestion (`analysis.analyze_article` stores it as `SentenceFeatures.marks`) instead of in every
brief. Each brief searched these patterns again on every sentence of its window (a quarter of a
100-article brief: promoting events, supersession, answered questions, lead candidates).

`sentence_marks(text)` is the one place they are computed; a brief calls it itself only for
sentences analysed without marks (rows of an older analyzer) or whose text it changed. The
patterns live here, below both `analysis` and `extractive`, so that both can read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.nlp.features import Marks
from bot.summarize.sentences import content_words

__all__ = [
    "CONCESSIVE",
    "EVENT",
    "FIRST_PERSON",
    "LEANS",
    "MAY_LEAD",
    "OPEN_FORM",
    "OPEN_FORM_RE",
    "PENDING",
    "QUESTIONISH",
    "SPEAKS",
    "THOSE_PEOPLE",
    "TOLL",
    "UNITED_STATES_RE",
    "CaseFree",
    "folded_terms",
    "leans_on_context",
    "reports_what_happened",
    "sentence_marks",
    "short_terms",
    "speaks_for_itself",
]

# Words after "those" that make it "those people" (those who/killed/aboard…), not a
# demonstrative pointing back ("those measures").
THOSE_PEOPLE = (
    r"(?:who|whom|whose|[a-z]{3,}ed|hurt|held|taken|caught|aboard|inside|in|on|at|with|from"
    r"|responsible|affected)\b"
)
PREFIX = 6

UNITED_STATES_RE = re.compile(r"\b(?:the )?United States\b")


class CaseFree:
    """A case-insensitive pattern of lower-case words, matched against the lower-cased text.

    Python's `re` with IGNORECASE folds case at every position for every alternative: on the
    long word lists below that was 3-4x slower than lower-casing the text once and matching
    case-sensitively, and these searches ran on every sentence of every brief (a fifth of a
    100-article brief). Same matches for any text whose lower-casing keeps its length (all
    but a few exotic letters); match positions and groups refer to the lower-cased text."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str) -> None:
        # An upper-case letter outside an escape (\b, \w) could never match lower-cased text.
        if any(c.isupper() for c in re.sub(r"\\.", "", pattern)):
            raise ValueError(f"not a lower-case pattern: {pattern!r}")
        self.pattern = re.compile(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text.lower())

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text.lower())


# A report of what happened, anywhere in an article: a past-tense event verb (deaths, attacks,
# arrests, votes, rulings, releases) with someone, somewhere or a number to say who, where or
# how many. The section classifier, tuned on policy texts, gives most of these no section.
_EVENT = CaseFree(
    r"\b(?:killed|died|dead|injured|wounded|arrested|detained|charged|convicted|sentenced"
    r"|jailed|voted|elected|won|defeated|ruled|declared|released|freed|returned|seized"
    r"|captured|attacked|exploded|struck|stormed|raided|destroyed|collapsed|crashed|resigned"
    r"|claimed responsibility|opened fire|blew (?:himself|herself|themselves) up|evacuated"
    r"|rescued|identified|launched|unveiled|passed|found)\b",
)


# First person outside a quotation: a speech or a column talking ("As I speak, …").
_FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e|[Mm]y|[Oo]ur|us)\b")
_QUOTE = re.compile(r"[“\"][^“”\"]*[”\"]")


# "this particular case", "this new phone", "these measures": a demonstrative whose noun the
# bullet has not named before points back into the article. Time words ("this week") do not.
_DEMONSTRATIVE = re.compile(
    r"\b(?:this|these|those(?!\s+" + THOSE_PEOPLE + r"))\s+"
    r"(?:(?:particular|new|latest|same|very)\s+)?([a-z][a-z-]+)"
)
_DEICTIC_OK = frozenset(
    "year years week weeks month months morning afternoon evening night time times weekend"
    " spring summer autumn fall winter season decade century way is was are were".split()
)
# "such agreements had been struck": which agreements, only the sentence before says. A plural
# noun straight after "such", outside quotation marks; "such as", "such measures as curfews"
# name them, and "such a relief", "such inhumanity" say how much, not which.
_SUCH = re.compile(r"\bsuch\s+([a-z][a-z-]+s)\b(?!\s+as\b)")
# Openers that continue an account: "Earlier it was announced…", "Meanwhile, …".
_CONTINUING = re.compile(
    r"^(?:earlier|later|meanwhile|in the meantime|then|however|but|and|also|instead|still"
    r"|nonetheless|nevertheless|moreover|furthermore)\b",
    re.IGNORECASE,
)

# "… after the weather agency did the same", "The other two followed suit": an action copied
# from one the sentence never states. Fine after a clause that states it ("France raised its
# alert, and Germany did the same").
_ECHO = re.compile(
    r"\b(?:did|do|does|doing|done) (?:the same|likewise)\b(?! (?:thing|way)s?\b)"
    r"|\b(?:follow|follows|followed|following) suit\b",
    re.IGNORECASE,
)
_CLAUSE_BEFORE = re.compile(r"[,;:]| and | but | while | as ", re.IGNORECASE)
# A speaker named earlier in the sentence ("Ms Ito said … and, she added, …") is fine.
_NAMED_BEFORE = re.compile(r"\b[A-Z][a-z]+ (?:said|says|told|added)\b")
# "…, he said." with no one named as the speaker: who said it is in the sentence before.
_PRONOUN_SPEAKER = re.compile(
    r"[,;]\s*[\"'”’]?\s*(?:he|she|they)\s+(?:said|says|added|adds|told \w+|explained|noted)"
    r"\s*[.!]?[\"'”’]?$",
    re.IGNORECASE,
)


def leans_on_context(text: str) -> bool:
    """Does the sentence need the one before it to be understood (a continuing opener, a
    demonstrative whose noun it never named, an action it echoes but never states)?"""
    if _CONTINUING.match(text):
        return True
    if _PRONOUN_SPEAKER.search(text.strip()) and not _NAMED_BEFORE.search(text):
        return True
    lowered = text.lower()
    echo = (
        _ECHO.search(text)
        if "same" in lowered or "suit" in lowered or "likewise" in lowered
        else None
    )
    if echo and not _CLAUSE_BEFORE.search(text[: echo.start()]):
        return True
    unquoted = _QUOTE.sub("", lowered) if "such" in lowered else ""
    for m in _SUCH.finditer(unquoted):
        if m.group(1)[:5] not in unquoted[: m.start()]:
            return True
    for m in _DEMONSTRATIVE.finditer(lowered):
        noun = m.group(1)
        if noun in _DEICTIC_OK:
            continue
        stem = noun[:5]
        if stem not in lowered[: m.start()]:
            return True
    return False


# A sentence ends as a sentence does; a headline or subhead ("Survey upgrades quake to 9.0")
# does not, whatever the splitter made of it.
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


def speaks_for_itself(text: str) -> bool:
    """Can the sentence be a bullet as it stands: a whole sentence (not a headline left without
    its full stop) in the reporter's voice, not a speaker's or a live blog's first person
    outside quotation marks ("As I speak, …", "We're live at …": who is "I"?)."""
    if not _TERMINAL.search(text.strip()):
        return False
    return not _FIRST_PERSON.search(_QUOTE.sub("", text))


_QUESTIONISH = re.compile(r"\?[\"'”’)]*$")


_CONCESSIVE = re.compile(r"^(?:while|although|though|even though|despite|whereas|if)\b", re.I)


# "X also said…" adds to something said before: not an opener.
_ALSO = CaseFree(r"\b(?:also|too|as well|again)\b")


# A lead states what happened, not what would, could or might have.
_MODAL = re.compile(r"\b(?:would|could|might|may)\b")


# Nor what did not happen, nor a turn against something said before (", however,").
_NEGATED = CaseFree(
    r"\b(?:did|does|do|has|have|had|was|were|is|are) not\b|\b(?:didn't|hasn't|haven't|wasn't)\b"
    r"|,\s*however\s*,",
)


def reports_what_happened(text: str) -> bool:
    """Could the sentence open a story as its lead: not what would or could happen, not what
    did not, not a concession, nor a turn or an addition to something said before."""
    return not (
        _MODAL.search(text)
        or _CONCESSIVE.match(text)
        or _ALSO.search(text)
        or _NEGATED.search(text)
    )


def _may_lead(text: str) -> bool:
    """The pattern tests a lead passes: a statement of what happened that stands alone."""
    return (
        not _QUESTIONISH.search(text)
        and reports_what_happened(text)
        and not leans_on_context(text)
        and speaks_for_itself(text)
    )


# A later report overrides an earlier one about the same thing: a conditional or pending
# state ("suspended", "expected to", "will") by a reported outcome, or another figure.
_PENDING = CaseFree(
    r"\b(?:suspend(?:ed|s)?|postpone[ds]?|delay(?:ed|s)?|pending|expected to|will|plans? to"
    r"|set to|due to|unconfirmed|feared)\b",
)


# What a sentence says is still to happen: "will/would/could be released", "to vote".
_AWAITS = CaseFree(
    r"\b(?:will|would|could|may|might|shall|to|expected to|set to|due to)(?: not)?"
    r"(?: (?:soon|now|also|then|finally|eventually))?(?: [\"“]?be)?(?: \w+ly)? ([a-z]+)\b",
)


_TOLL = CaseFree(r"\b(?:death toll|death count|toll|killed|dead|died|deaths|casualties|lives)\b")


# An open question reads as one: a question, or an explicit unknown. A condition the classifier
# filed there ("depends on Russia's acceptance") says that it is not yet met.
OPEN_FORM_RE = CaseFree(
    r"\?|\b(?:unclear|not clear|unknown|not known|uncertain|uncertainty|remains? to be seen"
    r"|undecided|whether|no response|not yet|as yet|yet to|open question|undetermined"
    r"|unconfirmed|could not confirm|cannot confirm|no decision|did not (?:say|state|specify)"
    r"|declined to (?:comment|say)|refused to (?:comment|say)|would not (?:say|comment)"
    r"|few details|no details|little is known|has not (?:said|decided)|have not (?:said|decided)"
    r"|unanswered|under investigation|investigating|to be determined|questions? remains?"
    r"|leaves? [^.]{0,60}\bopen\b|not been (?:determined|established|found|identified|decided))\b",
)


def short_terms(text: str) -> list[str]:
    """Content words cut to 6 characters ("reciprocity"/"reciprocal", "Russian"/"Russia").

    "United States" counts as "U.S.".
    """
    return [w[:PREFIX] for w in content_words(UNITED_STATES_RE.sub("U.S.", text))]


# Words news writers use interchangeably for one event, folded only when testing two bullets
# for repetition, so that "Construction will begin in September" and "Work is expected to
# start in September" are one point. Deliberately short: each entry must mean the same in
# every news context. (Folding them into the scoring terms too reshuffled whole briefs.)
SYNONYMS = {
    "start": "begin",
    "commen": "begin",  # commence; "comment" is kept apart in `folded_terms`
    "constr": "work",  # construction works
    "finish": "end",
    "conclu": "end",
}


def folded_terms(text: str) -> tuple[str, ...]:
    """`short_terms` with `SYNONYMS` folded, each once, in first-seen order (for the
    repetition test only)."""
    return tuple(
        dict.fromkeys(
            term if word.startswith("comment") else SYNONYMS.get(term, term)
            for word in content_words(UNITED_STATES_RE.sub("U.S.", text))
            for term in (word[:PREFIX],)
        )
    )


# `Marks.flags` bits: which of the patterns above the sentence's text matches.
EVENT = 1  # `_EVENT` (a past-tense event verb)
FIRST_PERSON = 2  # first person outside quotation marks
QUESTIONISH = 4  # ends as a question
CONCESSIVE = 8  # opens with a concession ("While…", "Although…")
PENDING = 16  # `_PENDING` (a pending state)
OPEN_FORM = 32  # `OPEN_FORM_RE` (reads as an open question)
TOLL = 64  # `_TOLL` (a count of victims)
LEANS = 128  # `leans_on_context`
SPEAKS = 256  # `speaks_for_itself`
MAY_LEAD = 512  # `_may_lead`


def sentence_marks(text: str) -> Marks:
    """The pattern results briefs read about `text` (see `Marks`)."""
    flags = 0
    if _EVENT.search(text):
        flags |= EVENT
    if _FIRST_PERSON.search(_QUOTE.sub("", text)):
        flags |= FIRST_PERSON
    if _QUESTIONISH.search(text):
        flags |= QUESTIONISH
    if _CONCESSIVE.match(text):
        flags |= CONCESSIVE
    if _PENDING.search(text):
        flags |= PENDING
    if OPEN_FORM_RE.search(text):
        flags |= OPEN_FORM
    if _TOLL.search(text):
        flags |= TOLL
    if leans_on_context(text):
        flags |= LEANS
    if speaks_for_itself(text):
        flags |= SPEAKS
    if _may_lead(text):
        flags |= MAY_LEAD
    return Marks(
        flags,
        len(text.split()),
        tuple(t for m in _EVENT.finditer(text) for t in short_terms(m.group(0))),
        tuple(t for m in _AWAITS.finditer(text) for t in short_terms(m.group(1))),
        folded_terms(text),
    )
