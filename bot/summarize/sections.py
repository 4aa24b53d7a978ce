"""Which brief section a sentence belongs to, and how "briefable" it is. Rules, no model.

`section_of(sentence)` returns "key_provisions", "open_questions", "next_steps" or None; `analyze`
returns the same label with the cue scores behind it and a `score` (how good a bullet the
sentence would make). Every rule is a weighted regular expression ("cue"); a sentence's score for
a section is the sum of the weights of the cues it matches.

Cue lists (see the `_KEY`, `_OPEN`, `_NEXT`, `_OPINION` tables for the full set and weights):

- key_provisions: decisions and announcements, what was agreed or done: "agreed", "announced",
  "will immediately", "lifted", "signed", "approved", "accepted", "decided", "said it would",
  "committed", "will resume", "calls for", "pledged", "imposed", "rejected".
- open_questions: real questions (a sentence ending in "?" that is not rhetorical) and
  non-question phrasings of an unknown: "it remains unclear whether", "it is not clear",
  "hinges on", "depends on (whether)", "contingent on", "has yet to", "did not say how",
  "declined to say how", "failed to explain", "without saying whether", "unresolved",
  "open question", "questions open", "left open", "uncertain", "no details on",
  "remains to be seen", "not yet decided", "question of whether".
- next_steps: scheduled or intended future actions: "will meet", "is expected to", "plans to",
  "is due to", "set to", "scheduled", "next week", "later this month", "on Thursday" (with a
  future verb), "will travel", "talks will", "negotiations will", "agreed to name/meet/begin",
  "will be communicated to", "the ball is in X's court", and dates after the article's
  publication date when `published` is given.
- None (not a bullet): opinion and analysis ("this marks a turning point", "analysts say", "is
  seen as", "underscores", "is critical"), the writer talking about the text ("this report
  examines", "we discuss"), rhetorical questions ("What does this mean for you?"), list
  lead-ins ending in ":", sentences that are mostly a quotation (or a quotation whose speaker
  is only "he"/"she"), and anything whose best section cue is not stronger than its opinion
  cues or is below `MIN_CUE`.

The score mixes the winning cue strength, concreteness (numbers, dates, named actors) and
penalties for opinion, speculation ("could", "might"), sentences that lean on a previous one
("This", "It", "These" as the first word), concessive openers ("Although…", whose main clause is
usually comment) and length far from a bullet's (12-45 words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["MIN_CUE", "SectionLabel", "analyze", "briefability", "section_of"]

KEY = "key_provisions"
OPEN = "open_questions"
NEXT = "next_steps"

# A section needs at least this much cue weight to be chosen at all.
MIN_CUE = 1.5

# A cue: compiled pattern, weight, and the lower-case literals one of which any match must
# contain (None: no such literals known). The literal check is a fast substring test that
# skips most regex searches, which matters when a brief covers thousands of sentences.
_Cue = tuple[re.Pattern[str], float, tuple[str, ...] | None]


def _cues(*pairs: tuple[str, float], flags: int = re.IGNORECASE) -> tuple[_Cue, ...]:
    return tuple(
        (re.compile(pattern, flags), weight, _triggers(pattern)) for pattern, weight in pairs
    )


def _split_top(src: str, sep: str = "|") -> list[str]:
    """Split a regex source on `sep` outside groups and character classes."""
    parts, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(src[start:i])
            start = i + 1
        i += 1
    parts.append(src[start:])
    return parts


def _group_end(src: str, start: int) -> int:
    """Index just past the group opening at `start`."""
    depth, i = 0, start
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(src)


def _triggers(src: str) -> tuple[str, ...] | None:
    """Literal prefixes of every alternative of a cue pattern, or None when one has none."""
    out: list[str] = []
    for alt in _split_top(src):
        rest = alt
        while True:  # skip zero-width prefixes: \b, ^, look-behinds
            if rest.startswith("\\b"):
                rest = rest[2:]
            elif rest.startswith("^"):
                rest = rest[1:]
            elif rest.startswith(("(?<!", "(?<=")):
                rest = rest[_group_end(rest, 0) :]
            else:
                break
        if rest.startswith("(?:"):
            end = _group_end(rest, 0)
            if end < len(rest) and rest[end] in "?*{":
                return None
            inner = _triggers(rest[3 : end - 1])
            if inner is None:
                return None
            out.extend(inner)
            continue
        literal = re.match(r"[a-z' -]*", rest)
        text = literal.group(0) if literal else ""
        if len(text) < len(rest) and rest[len(text)] in "?*{":
            text = text[:-1]  # the last character is optional
        if len(text) < 2:
            return None
        out.append(text)
    return tuple(dict.fromkeys(out))


# Verbs of a scheduled appearance: "will meet", "is to visit", "would address parliament".
_MEETING_VERBS = (
    "meet|travel|visit|hold|host|convene|fly|appear|attend|testify|gather|join|deliver|ballot|"
    "face|sit|address (?:parliament|the (?:nation|assembly|conference|congress|summit|"
    "committee)|lawmakers|reporters)"
)

_KEY: tuple[_Cue, ...] = _cues(
    (r"\bagreed\b(?! to (?:name|meet|begin|start|hold|launch|appoint))", 2.0),
    (
        r"(?<!would )(?<!will )(?<!to )(?<!could )\bagrees?\b"
        r"(?! to (?:name|meet|begin|start|hold))",
        1.5,
    ),
    (r"\bannounc(?:ed|es)\b", 2.0),
    (r"\bwill immediately\b|\bimmediately (?:lift|resume|restore|halt|end|begin)", 3.5),
    (r"\b(?:lifted|lifts|will lift|to lift)\b", 1.5),
    (r"\blift\b", 1.0),
    (r"\bsigned\b|\bsigns\b", 2.0),
    (r"\bapproved\b|\bapproves\b", 2.0),
    (r"\baccepted\b|\baccepts\b|\bembraced\b", 2.5),
    (r"\bdecided\b|\bdecision to\b", 1.5),
    (r"\bsaid (?:it|they|he|she) would\b", 2.0),
    (r"\bcommit(?:ted|s)\b", 2.0),
    (r"\bwill resume\b|\bresumed\b|\bresumes\b|\brestor(?:ed|es)\b", 2.0),
    (r"\bcalls? for\b", 2.0),
    (r"\bpledged\b|\bpledges\b|\bvowed\b", 1.5),
    (r"\bimposed\b|\bimposes\b|\bordered\b|\bunveiled\b|\bendorsed\b|\bratified\b", 1.5),
    (r"\brejected\b|\brejects\b|\bsuspended\b|\bhalted\b|\bpaused\b", 1.0),
    (
        r"\bjoint statement\b|\bthe statement (?:said|says|calls|specifies|outlines|states)\b"
        r"|\bunder the (?:deal|plan|agreement)\b",
        1.0,
    ),
    (r"\bwill (?:provide|allow|include|cover|receive|grant|develop)\b", 1.0),
    (r"\bproposal\b|\bplan\b|\bdeal\b|\bceasefire\b|\btruce\b|\bagreement\b", 0.5),
    # Decisions in the words of courts, parliaments and governments.
    (r"\bannounced (?:plans?|proposals?) to\b", 3.0),
    (r"\b(?:has|have|had) (?:frozen|banned|ruled|confirmed|declared|scrapped|axed|dropped)\b", 2.0),
    (r"\bruled (?:that|out|on)\b|\bhas ruled\b|\bruling\b", 2.0),
    (r"\bvoted (?:\d+-\d+|in favou?r|for|against|to)\b", 2.5),
    (r"\b(?:found guilty|convicted|sentenced|jailed|acquitted)\b", 2.0),
    (r"\bdeclar(?:ed|ing)\b|\bfroze\b|\bexpelled\b", 1.5),
    # British news style for a decided plan: "Cyprus is to relax its rules".
    (
        r"\b(?:is|are) to (?!be (?:seen|decided|determined)\b|" + _MEETING_VERBS + r"\b)[a-z]+\b",
        2.5,
    ),
    (r"\b(?:said|told [^,.]{1,40}?)(?: that)? (?:[A-Z][\w.]*|the [a-z]+) would\b", 1.5),
)

_OPEN: tuple[_Cue, ...] = _cues(
    # The main clause is the unknown: "It is not known when they will appear in court".
    (
        r"^it (?:is|was|remains|remained) (?:still )?(?:not (?:yet |currently |immediately )?"
        r"(?:known|clear)|unclear|uncertain)\b",
        3.0,
    ),
    (r"\b(?:remains?|remained|is|was|it's|still) (?:unclear|not clear|uncertain|unknown)\b", 3.0),
    (
        r"\bnot (?:yet |currently |immediately |entirely )?"
        r"(?:clear|known|decided|agreed|settled|determined)\b",
        3.0,
    ),
    (
        r"\b(?:could not|couldn't|did not|didn't|would not|wouldn't|declined to|refused to)"
        r"(?:, however,)? (?:confirm|state|clarify|comment on|disclose|reveal|give|indicate)"
        r" (?:[a-z]+ ){0,3}?(?:how|when|whether|what|if|who|why)\b",
        3.0,
    ),
    (r"\bno decisions? (?:(?:has|have|had) been (?:taken|made)|(?:on|over|about))\b", 3.0),
    (r"\bno (?:response|answer|reply|comment) (?:as )?yet\b|\bgiven no (?:response|answer)\b", 3.0),
    (r"\buncertainty (?:remains|persists|over)\b", 3.0),
    (
        r"\b(?:still|are|were|is|was) (?:looking into|investigating|examining|studying) whether\b"
        r"|\bquestioned whether\b|\b(?:much|everything|a lot) (?:is|was) riding on\b",
        2.5,
    ),
    (r"\b(?:delayed|postponed|on hold) until\b", 2.0),
    (r"\bunclear (?:whether|how|when|if|what|who|why)\b", 3.0),
    (r"\bhinges? on\b", 3.0),
    (r"\bdepends? on whether\b|\bdepending on whether\b", 3.0),
    (r"\bdepends? on\b|\bdependent on\b", 2.0),
    (r"\bcontingent (?:on|upon)\b|\bconditioned on\b|\bconditional on\b", 2.0),
    (r"\bon (?:the )?condition that\b|\bprovided that\b", 1.5),
    (r"\b(?:has|have|had) yet to\b", 3.0),
    (
        r"\b(?:did not|didn't|does not|doesn't|would not|wouldn't) (?:say|specify|explain|detail)"
        r" (?:how|when|whether|what|if|who|why)\b",
        3.0,
    ),
    (
        r"\b(?:declined|refused) to (?:say|specify|disclose) (?:how|when|whether|what|if|who|why)\b"
        r"|\b(?:failed|unable) to (?:explain|determine|establish)\b"
        r"|\bwithout (?:saying|specifying|explaining) (?:how|when|whether|what|if|who|why)\b",
        3.0,
    ),
    (r"\bunresolved\b|\bunanswered\b|\bundecided\b|\bto be determined\b", 3.0),
    (
        r"\bopen questions?\b|\bquestions? (?:open|remain)\b|\bleft open\b"
        r"|\bleaves? [^.]{0,40}\bopen\b",
        3.0,
    ),
    (r"\buncertain\b", 2.5),
    (r"\buncertainty\b", 1.0),
    (r"\bno details\b|\bfew details\b|\bno timeline\b|\bno date\b", 3.0),
    (r"\bremains to be seen\b", 3.0),
    (r"\bquestion (?:of|is) (?:whether|how|when)\b", 3.0),
    (r"\bwhether\b", 1.0),
    (r"\bhow [^.]{0,60}\bwill be (?:implemented|enforced|monitored|measured|verified)\b", 2.0),
    (r"\bmust (?:accept|agree|implement|reciprocate)\b|\breciprocat\w*\b", 1.0),
    (r"\bobstacle\b|\bsticking point\b", 1.5),
    (r"\bcondition (?:for|is that|that)\b", 2.0),
)

_NEXT: tuple[_Cue, ...] = _cues(
    (r"\bwill (?:" + _MEETING_VERBS + r")\b", 3.0),
    (r"\b(?:is|are) to (?:" + _MEETING_VERBS + r")\b", 3.0),
    (r"\bwould (?:" + _MEETING_VERBS + r")\b", 2.5),
    (
        r"\bwould be (?:approved|discussed|presented|held|decided|announced|published|debated)"
        r" (?:at|on|by|in|next|later)\b",
        3.0,
    ),
    (
        r"\bexpected to be (?:put|tried|sentenced|released|named|held|published|charged|"
        r"extradited|signed|approved)\b",
        2.5,
    ),
    # "is expected to meet" is a plan; "is expected to have an impact" is a forecast.
    (
        r"\b(?:is|are|was|were) expected to\b(?! (?:have|be|provide|bring|help|improve|boost|"
        r"make|give|lead|increase|reduce|allow|create|strengthen|weaken))",
        2.5,
    ),
    (r"\bplans? to\b|\bplanning to\b|\bintends? to\b", 2.5),
    (r"\b(?:is|are) due to\b|\bdue (?:on|by|next)\b", 3.0),
    (r"\b(?:is|are) set to\b|\b(?:is|are|was|were) scheduled (?:to|for)\b|\bscheduled for\b", 3.0),
    (r"\bnext (?:week|month|year|round|meeting|step|steps)\b", 3.0),
    (r"\blater (?:this|in the) (?:week|month|year)\b|\bin the coming (?:days|weeks|months)\b", 3.0),
    (r"\b(?:talks|negotiations|discussions|meetings?) will\b", 3.0),
    (r"\bagreed to (?:name|meet|begin|start|hold|launch|appoint)\b", 3.5),
    (r"\bnegotiating teams?\b|\b(?:begin|start|launch|open) (?:negotiations|talks)\b", 2.0),
    (
        r"\bwill be (?:communicated|presented|discussed|held|sent|taken|submitted|put|conveyed)\b",
        2.5,
    ),
    (
        r"\bwill (?:begin|start|take|present|convey|send|name|appoint|negotiate|continue|return|"
        r"discuss|review|respond|decide|consider|seek|vote|sign|brief|propose)\b",
        2.0,
    ),
    (r"\btake (?:the|this|that) (?:proposal|offer|plan) to\b", 3.0),
    (r"\bball is (?:now )?in\b[^.]{0,30}\bcourt\b", 2.5),
    (r"\bwill (?:be )?involv\w*\b|\bwill play\b", 1.5),
    (r"\btomorrow\b|\bupcoming\b|\bin the next\b|\bdeadline\b|\bby the end of\b", 2.0),
    (r"\bwill\b|\bgoing to\b|\bshall\b", 0.8),
    (r"\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", 1.0),
)

_OPINION: tuple[_Cue, ...] = _cues(
    (r"\bturning point\b|\bnew chapter\b|\bmilestone\b|\bmarks? a\b", 3.0),
    (
        r"\b(?:analysts|experts|observers|critics|commentators) (?:say|said|believe|note|argue)\b",
        3.0,
    ),
    (
        r"\bthis (?:report|article|analysis|piece)\b"
        r"|\bwe (?:also )?(?:discuss|examine|explore|look)\b"
        r"|\breaders\b|\bin this (?:report|article)\b",
        4.0,
    ),
    (r"\b(?:is|are|was|were|be) (?:seen|viewed|regarded|perceived) as\b", 2.0),
    (
        r"\bunderscor\w+\b|\breflects?\b|\brepresents?\b|\bhighlights? (?:a|the)\b|\bsymboli\w+\b",
        1.5,
    ),
    (
        r"\b(?:is|are|was|were|remains?) (?:a |an )?"
        r"(?:critical|crucial|essential|vital|significant|"
        r"important|key|pivotal|necessary|profound|formidable|strong|clear)\b",
        2.0,
    ),
    (
        r"\b(?:critical|crucial|essential|vital|pivotal|important|significant|necessary) "
        r"(?:step|role|part|"
        r"component|factor|element|milestone|juncture)\b",
        1.5,
    ),
    (
        r"\bin (?:summary|conclusion|the end)\b|\bultimately\b|\bmoreover\b|\bfurthermore\b"
        r"|\btogether, these\b|\bin today's\b|\bin a world\b",
        2.0,
    ),
    (
        r"\bholistic\b|\breminder\b|\bapproach\b|\bimplications?\b|\bstrategic\b|\bgeopolitical\b"
        r"|\blandscape\b|\bnarrative\b|\bsignals?\b|\bsignaling\b",
        1.0,
    ),
    (
        r"\bby (?:examining|working|investing|tapping|harnessing|reinforcing|coordinating|"
        r"communicating|framing|involving|leaving|reestablishing)\b",
        1.5,
    ),
    (r"\bhopes?\b|\bonly by\b|\bno nation\b|\bthe path (?:forward|to)\b|\bsuccess of\b", 1.0),
    (
        r"\bin a vacuum\b|\binfluenced by\b|\bfar-reaching\b|\bconsequences\b|\bimpact\b"
        r"|\bcontroversy\b|\bripple effect\b",
        1.5,
    ),
    (r"\blikely\b|\bpotential(?:ly)?\b|\bperhaps\b|\barguably\b|\bundoubtedly\b", 1.0),
    (
        r"\bwillingness\b|\bmeaningful\b|\bhonest\b|\bconstructive\b|\btangible\b|\bunwavering\b"
        r"|\brobust\b|\bsteadfast\b|\bpragmati\w+\b",
        1.5,
    ),
)
_BALL = re.compile(r"\bball is (?:now )?in\b[^.]{0,30}\bcourt\b", re.IGNORECASE)
_ALL_TRIGGERS: tuple[str, ...] = tuple(
    dict.fromkeys(
        t for cues in (_KEY, _OPEN, _NEXT, _OPINION) for _, _, ts in cues for t in ts or ()
    )
)
# Modal verbs of speculation: case-sensitive so that the month "May" is not one.
_SPECULATION = re.compile(r"\b(?:could|might|may|would)\b")
_ANAPHORIC_START = re.compile(
    r"^(?:this|these|those|such|it|they|that|its|their|both of these|each of these)\b",
    re.IGNORECASE,
)
_CONCESSIVE_START = re.compile(r"^(?:although|though|even though|despite)\b", re.IGNORECASE)
# '"…," he told reporters.': a quotation whose speaker is only a pronoun.
_PRONOUN_ATTRIBUTION = re.compile(
    r"^\"…\"[,.]?\s+(?:he|she|they|it)\s+(?:said|says|told|added|noted|wrote|stated)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|I)\b")
_RHETORICAL = re.compile(
    r"\byou\b|\byour\b|\bwhat does (?:this|that|it) mean\b|\bisn't it\b|\bwhy not\b|\bwho could\b"
    r"|\beven possible\b|^so\b|\bwhy (?:fix|bother|change)\b"
    r"|\bwhat if\b|\bwho knows\b|\bhow (?:could|can) anyone\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:will|would|can|could|does|do|did|is|are|was|were|has|have|how|when|what|who|whether|"
    r"which|where|why|should)\b",
    re.IGNORECASE,
)
_QUOTE_SPAN = re.compile(r"[“\"]([^“”\"]*)[”\"]")
_NUMBER = re.compile(r"\d")
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+|\b[A-Z]{2,}\b|\b(?:[A-Z]\.){2,}")
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_MD = re.compile(rf"\b({_MONTH_ALT})\.? (\d{{1,2}})\b(?:,? (\d{{4}}))?", re.IGNORECASE)
_DATE_DM = re.compile(rf"\b(\d{{1,2}}) ({_MONTH_ALT})\b\.?(?:,? (\d{{4}}))?", re.IGNORECASE)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


# (slots: a brief makes one per sentence of its window; a dataclass with slots is built in
# less than half the time of one with a __dict__. Not frozen: a frozen one sets each field
# through object.__setattr__, twice the time again. Treat it as immutable all the same (the
# brief swaps in a changed copy with `dataclasses.replace`; cached records share labels);
# `unsafe_hash` keeps it hashable as before.)
@dataclass(slots=True, unsafe_hash=True)
class SectionLabel:
    """The verdict on one sentence: its section (or None), briefability score, cue sums."""

    section: str | None
    score: float
    key: float
    open: float
    next: float
    opinion: float

    def with_section(self, section: str | None, score: float | None = None) -> SectionLabel:
        """A copy in `section` (and with `score`, when given): `dataclasses.replace` without
        its per-call field introspection (a brief relabels hundreds of sentences)."""
        return SectionLabel(
            section,
            self.score if score is None else score,
            self.key,
            self.open,
            self.next,
            self.opinion,
        )


def _sum(cues: tuple[_Cue, ...], text: str, present: frozenset[str]) -> float:
    total = 0.0
    for pattern, weight, triggers in cues:
        if triggers is not None and present.isdisjoint(triggers):
            continue
        if pattern.search(text):
            total += weight
    return total


def _dates(text: str, default_year: int) -> list[date]:
    found: list[date] = []
    for match in _DATE_MD.finditer(text):
        month, day, year = match.group(1), match.group(2), match.group(3)
        if month.lower() == "may" and month != "May":
            continue  # the modal verb
        found.extend(_safe_date(year, _MONTHS[month.lower()], day, default_year))
    for match in _DATE_DM.finditer(text):
        found.extend(
            _safe_date(
                match.group(3), _MONTHS[match.group(2).lower()], match.group(1), default_year
            )
        )
    for match in _DATE_ISO.finditer(text):
        found.extend(_safe_date(match.group(1), int(match.group(2)), match.group(3), default_year))
    return found


def _safe_date(year: str | None, month: int, day: str, default_year: int) -> list[date]:
    try:
        return [date(int(year) if year else default_year, month, int(day))]
    except ValueError:
        return []


def _quoted_share(text: str) -> float:
    quoted = sum(len(m.group(1)) for m in _QUOTE_SPAN.finditer(text))
    return quoted / max(1, len(text))


def _unquoted(text: str) -> str:
    return _QUOTE_SPAN.sub('"…"', text)


def analyze(sentence: str, *, published: datetime | date | None = None) -> SectionLabel:
    """Section cue sums, the chosen section (or None) and a briefability score for a sentence.

    `published` (the article's date) lets a date after it count as a next-step cue.
    """
    text = " ".join(sentence.split())
    plain = _unquoted(text)  # cues inside quotations say less about the sentence itself
    lowered = plain.lower()
    present = frozenset(t for t in _ALL_TRIGGERS if t in lowered)
    key = _sum(_KEY, plain, present)
    open_ = _sum(_OPEN, plain, present)
    next_ = _sum(_NEXT, plain, present)
    if _BALL.search(text) and not _BALL.search(plain):
        next_ += 2.5  # "the ball is in Russia's court", often quoted
    opinion = _sum(_OPINION, plain, present)
    n_words = len(text.split())

    is_question = text.rstrip("\"'”’)").endswith("?")
    rhetorical = is_question and bool(_RHETORICAL.search(text))
    if is_question and not rhetorical and not text.startswith(("“", '"')):
        open_ += 3.0 if _QUESTION_START.match(text) else 2.0

    if published is not None:
        day = published.date() if isinstance(published, datetime) else published
        if any(d > day for d in _dates(plain, day.year)):
            next_ += 3.0

    speculation = len(_SPECULATION.findall(plain))
    anaphoric = bool(_ANAPHORIC_START.match(text))
    first_person = bool(_FIRST_PERSON.search(plain))
    concrete = min(2, len(_NUMBER.findall(text)) and 1) + min(3, len(_NAME.findall(text))) * 0.3

    scores = {KEY: key, OPEN: open_, NEXT: next_}
    section = max(scores, key=lambda name: (scores[name], -_ORDER[name]))
    best = scores[section]

    fluff = (
        rhetorical
        or text.endswith(":")
        or n_words < 6
        or _quoted_share(text) > 0.6
        or (_quoted_share(text) > 0.3 and _PRONOUN_ATTRIBUTION.search(plain) is not None)
        or first_person
        or best < MIN_CUE
        or opinion >= best
    )
    score = (
        best
        + concrete
        - 0.8 * opinion
        - 0.4 * speculation
        - (1.5 if anaphoric else 0.0)
        - (1.0 if _CONCESSIVE_START.match(text) else 0.0)
        - (0.0 if 12 <= n_words <= 45 else 0.05 * min(abs(n_words - 28) - 17, 40))
    )
    return SectionLabel(
        section=None if fluff else section,
        score=round(score, 6),
        key=key,
        open=open_,
        next=next_,
        opinion=opinion,
    )


_ORDER = {KEY: 0, OPEN: 1, NEXT: 2}


def section_of(sentence: str, *, published: datetime | date | None = None) -> str | None:
    """ "key_provisions", "open_questions", "next_steps", or None for background/opinion/fluff."""
    return analyze(sentence, published=published).section


def briefability(sentence: str, *, published: datetime | date | None = None) -> float:
    """How good a bullet the sentence would make (higher is better; roughly -10..10)."""
    return analyze(sentence, published=published).score
