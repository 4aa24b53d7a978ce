"""Does a sentence hold an answer of the kind a question asks for? (pure: data in, data out)

A "when" question wants a date, a "how many people" question a number counting people, a "how
long" question a duration (not a condition like "until Russia agrees"), a "who" question a
person or organisation the question does not already name. Entities come from the spaCy parse
when a model is installed (`ents` below); the patterns here are the plain-text fallback and the
checks that a parse does not give (a number next to its unit, an age next to a name).

Every pattern is linear (no nested quantifiers) and runs on one sentence of bounded length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer import question as q
from bot.answer.stems import stem
from bot.summarize.sentences import words

MAX_SENTENCE_CHARS = 1_500

_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands dozen dozens million millions billion billions half"
)
# Digit runs bounded ({0,40}): unbounded, "1,1,1,…" was rescanned from every digit (quadratic).
_NUM = rf"(?:\d[\d,.]{{0,40}}\d|\d|(?:{'|'.join(_NUMBER_WORDS.split())})(?:-(?:[a-z]+))?)"
_NUMBER = re.compile(rf"\b{_NUM}\b", re.IGNORECASE)
_MONEY = re.compile(
    r"[$€£¥]\s?\d[\d,.]{0,40}(?:\s?(?:million|billion|bn|m|k)\b)?"
    r"|\b\d[\d,.]{0,40}\s?(?:million|billion|bn|m)?\s?(?:euros?|dollars?|USD|EUR|GBP|pounds?|lei|yen|roubles?|rubles?|rupees?|pence)\b"
    # "50p" is pence; "720p" is a screen's resolution (a sum of pence that large is pounds).
    r"|\b\d{1,2}(?:\.\d+)?p\b"
    r"|\b(?:half|one|two|three)[- ]billion[- ]dollar\b"
    # A bare "10 million" is money unless a counted thing follows ("10 million units").
    r"|\b\d[\d,.]{0,40}\s(?:million|billion)\b"
    r"(?!\s+(?!(?:dollars|euros|pounds|rupees|roubles|rubles|was|has|this|its|his|plus|less|"
    r"across|always|thus)\b)[a-z]{2,}s\b)",
    re.IGNORECASE,
)
_DURATION = re.compile(
    rf"\b{_NUM}(?:\s+(?:and|to|or)\s+{_NUM})?[\s-]+"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b"
    r"|\b(?:a|an)\s+(?:second|minute|hour|day|week|month|year|decade)\b"
    r"|\b[a-z]+-(?:day|week|month|year|hour)-long\b|\bmonth-long\b|\byear-long\b|\bweek-long\b"
    r"|\bfor\s+(?:several\s+|many\s+|a\s+few\s+)?(?:seconds|minutes|hours|days|weeks|months|years)\b",
    re.IGNORECASE,
)
_DISTANCE = re.compile(
    r"\b\d[\d,.]{0,40}\s?(?:nautical\s+miles?|miles?|km|kilometres?|kilometers?|metres?|meters?|m|"
    r"ft|feet|foot|inch(?:es)?|cm|centimetres?|centimeters?|yards?)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    r"\b\d[\d,.]{0,40}\s?(?:%|per\s?cent\b|percent\b|percentage\s+points?\b)"
    r"|\b(?:a|one)\s+(?:third|quarter|half|fifth)\b",
    re.IGNORECASE,
)
# "How big / how large is the package": a size may be a sum of money as well as a distance.
_SIZE_QUESTION = re.compile(r"\bhow\s+(?:big|large)\b", re.IGNORECASE)
_WEIGHT = re.compile(
    r"\b\d[\d,.]{0,40}\s?(?:g|grams?|kg|kilos?|kilograms?|lbs?|pounds?|oz|ounces?|tonnes?|tons?)\b",
    re.IGNORECASE,
)
# Amounts of data, land and liquid, each in a unit that says what is measured.
_MEASURE = re.compile(
    rf"\b{_NUM}\s?(?:(?:kilo|mega|giga|tera)?bytes|[kmgt]b|acres?|hectares?|"
    r"square\s+(?:miles?|kilometres?|kilometers?|metres?|meters?|km)|sq\s?km|litres?|liters?|"
    r"gallons?|barrels?)\b",
    re.IGNORECASE,
)
# Any stated figure: a sum, a share, a measure or a plain number.
_FIGURE = re.compile(
    rf"[$€£¥]\s?\d[\d,.]{{0,40}}(?:\s?(?:million|billion|bn|m|k)\b)?|\b{_NUM}\b", re.IGNORECASE
)
# How far (characters) a figure may stand from the noun it measures: "a 2800 mAh battery",
# "a deficit of 5.9 per cent of GDP".
FIGURE_GAP = 40
_AGE = re.compile(r"\b\d{1,3}[ -]years?[ -]old\b|\baged\s+\d{1,3}\b", re.IGNORECASE)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:in|since|by|until|from|of)\s+(?:1[89]|20)\d\d\b"
    r"|\b(?:yesterday|today|tomorrow|last\s+(?:week|month|year)|next\s+(?:week|month|year))\b"
    r"|\b\d{1,2}[:.]\d\d\s?(?:a\.?m\.?|p\.?m\.?|BST|GMT|UTC)?",
)
_REASON = re.compile(
    r"\b(?:because|since|due\s+to|owing\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|"
    r"aim(?:ed|s)?\s+(?:at|to)|intended\s+to|meant\s+to|designed\s+to|to\s+(?:avoid|prevent|"
    r"ensure|allow|help|stop|protect)|after|over|following|reason|why)\b",
    re.IGNORECASE,
)
_PROPER = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|de\s+|bin\s+|al-)?[A-Z][\w'’.-]*)*")
_NOT_NAMES = frozenset(
    (
        "the a an this that these those it he she they we i his her their its our in on at of "
        "for and but or if when while after before as by with from to also however meanwhile "
        "mr mrs ms dr"
    ).split()
)
# Capitalised, but no one's name: not an answer to "who" or "where".
_CALENDAR = frozenset(
    (
        "january february march april may june july august september october november december "
        "monday tuesday wednesday thursday friday saturday sunday"
    ).split()
)

# spaCy entity labels that answer each kind of question.
# Words a "which …" question names its answer by, and the entity label such an answer has.
_UNIT_LABELS = {
    stem(word): label
    for words_, label in (
        ("team club side company firm brand maker manufacturer carrier airline bank", "ORG"),
        ("country nation city town state province capital", "GPE"),
        ("player person man woman singer actor", "PERSON"),
    )
    for word in words_.split()
}
# Things a "which …" question can only be answered by naming.
_NAMED_UNITS = frozenset(_UNIT_LABELS) | frozenset(
    stem(w)
    for w in (
        "university school college film movie book song album band newspaper magazine ship "
        "hospital hotel airport stadium festival"
    ).split()
)
# Named things that stand somewhere: the place beside them is where, not which.
_SITED_UNITS = frozenset(
    stem(w) for w in "university school college hospital hotel airport stadium".split()
)
ENTITY_LABELS: dict[str, frozenset[str]] = {
    q.WHO: frozenset({"PERSON", "ORG"}),
    q.WHERE: frozenset({"GPE", "LOC", "FAC"}),
    q.WHEN: frozenset({"DATE", "TIME"}),
    q.WHICH: frozenset(
        {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
    ),
}


# Entities that say where only after a place preposition ("at", "from", "bound for"); the
# small model also tags some cities as organisations ("bound for Oslo").
_PLACE_LIKE = frozenset({"ORG", "EVENT"})
_PLACE_PREPOSITION = r"(?:at|from|in|to|into|(?:bound|headed|heading|destined)\s+for)"
_PLACE_NOUN = (
    rf"\b{_PLACE_PREPOSITION}\s+(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){{0,2}}?"
    r"(?:village|town|city|island|province|region|district|suburb|port|county|state|country)"
)


def _name_tokens(text: str) -> set[str]:
    return {t for w in words(text) for t in w.replace("-", " ").split()}


def _outside_question(span: str, question_tokens: set[str]) -> bool:
    """A span that says something the question does not already say ("the United Nations" says
    nothing new to a question about "the UN")."""
    tokens = _name_tokens(span) - _NOT_NAMES
    if not tokens or tokens <= question_tokens:
        return False
    capitals = re.findall(r"\b[A-Z][a-z]+\b", span)
    initials = "".join(w[0] for w in capitals if w.lower() not in _NOT_NAMES)
    return not (len(initials) >= 2 and initials.lower() in question_tokens)


# Words a sentence uses for the people a question counts: "how many staff" is answered by
# "93,000 employees", "how many fans died" by "39 people died". Groups of one kind of thing.
_UNIT_GROUPS = (
    "people persons staff employees workers personnel",
    "people persons fans supporters spectators",
    "people persons passengers",
    "troops soldiers",
    "band group",
    "firm company",
    "banks lenders institutions",
)
UNIT_SYNONYMS: dict[str, frozenset[str]] = {}
for _group in _UNIT_GROUPS:
    _unit_stems = frozenset(stem(w) for w in _group.split())
    for _s in _unit_stems:
        UNIT_SYNONYMS[_s] = UNIT_SYNONYMS.get(_s, frozenset()) | _unit_stems


# What a thing counted by its name is counted in: "800,000 units" of the PSP, "three
# nationals" of the Britons.
_NAMED_COUNTERS = frozenset(
    stem(w)
    for w in (
        "units copies devices consoles machines handsets people persons nationals citizens"
    ).split()
)


def _number_near_unit(
    text: str, unit: str, window: int = 4, also: frozenset[str] = frozenset()
) -> list[str]:
    """Numbers within `window` words of the unit the question counts ("600 people"), or of a
    unit in `also` (stems)."""
    # "16-megapixel", "30-day": the number and its unit are two words.
    tokens = re.findall(r"[\w$€£.,'’-]+", re.sub(r"(\d)-(?=[A-Za-z])", r"\1 ", text))
    unit_stem = stem(unit.lower())
    units = UNIT_SYNONYMS.get(unit_stem, frozenset()) | {unit_stem} | also
    unit_at = [i for i, t in enumerate(tokens) if stem(_plain(t)) in units]
    found: list[str] = []
    for i, token in enumerate(tokens):
        if not _NUMBER.fullmatch(token.strip(".,")) or _is_year(token):
            continue
        if any(0 < j - i <= window or 0 < i - j <= 2 for j in unit_at):
            found.append(token.strip(".,"))
    return found


def _plain(token: str) -> str:
    return token.strip(".,'’").lower().removesuffix("'s").removesuffix("’s")


def _is_year(token: str) -> bool:
    return bool(re.fullmatch(r"(?:1[89]|20)\d\d", token.strip(".,")))


def answer_spans(
    sentence: str,
    info: q.QuestionInfo,
    ents: Sequence[tuple[str, str]] | None = None,
) -> list[str]:
    """The pieces of `sentence` that answer a question of `info`'s kind (empty: none).

    `ents` are the sentence's (text, label) entities from spaCy, or None without a model. A
    question with no particular kind (what, yes/no) gets [""]: any sentence may answer it.
    """
    text = sentence[:MAX_SENTENCE_CHARS]
    if info.kind in (q.WHAT, q.YES_NO):
        return [""]
    if info.kind in _PATTERN_SPANS:
        return [m.group() for m in _PATTERN_SPANS[info.kind].finditer(text)]
    by_kind = _SPANS_BY_KIND.get(info.kind)
    if by_kind is not None:
        return by_kind(text, info, ents)
    if info.kind == q.WHICH and info.unit:
        return _which_spans(text, info, ents)
    asked = _name_tokens(info.text)
    if info.kind == q.WHO and info.role:
        return named_near(text, info.role, asked, ents)
    if ents is not None:
        return _entity_spans(text, info.kind, asked, ents)
    return _plain_entities(text, info.kind, asked)


Ents = Sequence[tuple[str, str]] | None


def _far_spans(text: str, info: q.QuestionInfo, ents: Ents) -> list[str]:
    found = [m.group() for m in _DISTANCE.finditer(text)]
    if _SIZE_QUESTION.search(info.text):
        found += [m.group() for m in _MONEY.finditer(text)]
    if _MOVE_QUESTION.search(info.text):
        found += [m.group() for m in _PERCENT.finditer(text)]
    return found


# "How far have the shares fallen": a change in a price or a figure is a percentage ("a 13%
# fall"), not a distance.
_MOVE_QUESTION = re.compile(
    r"\bhow\s+far\b.*\b(?:f[ae]ll|fallen|drop|rise|rose|risen|climb|slid|slump|plunge|jump|"
    r"gain|decline|sink|sank|sunk|tumble|soar)",
    re.IGNORECASE,
)


# A "how much" question about money: what was paid, cost, spent, owed, earned or raised.
_MONEY_QUESTION = re.compile(
    r"\b(?:pa(?:y|ys|id|ying)|cost(?:s|ing)?|price[ds]?|spen[dt]|spending|worth|fined?|"
    r"owe[sd]?|charge[sd]?|earn(?:s|ed|t)?|rais(?:e|es|ed|ing)|valued?|money|cash|funding|"
    r"budget|bill|fees?|salary|wages?|sum)\b|[£$€]|"
    r"\b(?:bought|buy(?:s|ing)?|sold|sell(?:s|ing)?)\b.*\bfor\s*\??$",
    re.IGNORECASE,
)


def _much_spans(text: str, info: q.QuestionInfo, ents: Ents) -> list[str]:
    if info.unit == q.WEIGHT_UNIT:
        return [m.group() for m in _WEIGHT.finditer(text)]
    # A measure in its own unit ("three to four megabytes", "12,900 acres") says how much of a
    # thing that is not money: how much traffic, data, land. Never for a question about money
    # ("How much did the council pay for the land?" is not answered by "300 acres").
    measures = (
        [] if _MONEY_QUESTION.search(info.text) else [m.group() for m in _MEASURE.finditer(text)]
    )
    if info.unit:
        return _number_near_unit(text, info.unit) + measures
    return [m.group() for m in _MONEY.finditer(text)] + measures


def _many_spans(text: str, info: q.QuestionInfo, ents: Ents) -> list[str]:
    # A share is not a count: "31% of the vote" does not say how many votes.
    counts = _PERCENT_AFTER.sub(" ", text)
    # A number the question gives ("how many of the *56* estates") is what it asks about.
    given = {_plain(m.group()) for m in _NUMBER.finditer(info.text)}
    if info.unit:
        asked = _name_tokens(info.text)
        # "How many PSPs …": a thing counted by its name may be counted in units.
        named = info.unit in {n.lower() for n in info.names}
        return [
            n
            for n in _number_near_unit(
                counts, info.unit, also=_NAMED_COUNTERS if named else frozenset()
            )
            if n.lower() not in asked and _plain(n) not in given
        ]
    return [
        m.group()
        for m in _NUMBER.finditer(counts)
        if not _is_year(m.group()) and _plain(m.group()) not in given
    ]


_PERCENT_AFTER = re.compile(r"\b\d[\d,.]{0,40}\s?(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
# Kinds whose answer is whatever a pattern finds in the sentence.
_PATTERN_SPANS: dict[str, re.Pattern[str]] = {
    q.WHY: _REASON,
    q.HOW_LONG: _DURATION,
    q.SHARE: _PERCENT,
}
_SPANS_BY_KIND = {
    q.HOW_FAR: _far_spans,
    q.HOW_OLD: lambda text, info, ents: _ages(text, info),
    q.FIGURE: lambda text, info, ents: figures_near(text, info.figure_nouns),
    q.HOW_MUCH: _much_spans,
    q.HOW_MANY: _many_spans,
}


def _which_spans(text: str, info: q.QuestionInfo, ents: Ents) -> list[str]:
    """ "Which newspaper…": a name next to the word, else a sentence that at least says the
    word ("which resources" -> "critical mineral resources"); never one that doesn't."""
    assert info.unit is not None
    asked = _name_tokens(info.text)
    named = named_near(text, info.unit, asked, ents)
    unit = stem(info.unit)
    if named and ents is not None and unit in _SITED_UNITS:
        # "Which university will she visit in Beijing?": Beijing is where, not which one.
        places = {s for s, label in ents if label in ("GPE", "LOC", "NORP")}
        named = [
            s
            for s in named
            if s not in places
            and not re.search(rf"\b(?:in|near|outside)\s+(?:\w+\s+and\s+)?{re.escape(s)}", text)
        ]
    if named:
        return named
    if unit in _NAMED_UNITS:
        # "Which university / band / film …" wants its name: a sentence that only says
        # "a university" does not answer.
        kind_of = _UNIT_LABELS.get(unit)
        if kind_of and ents is not None:
            return [s for s, label in ents if label == kind_of and _outside_question(s, asked)]
        return []
    if any(stem(w) == unit for w in words(text)):
        return [""]
    return []


def _entity_spans(
    text: str, kind: str, asked: set[str], ents: Sequence[tuple[str, str]]
) -> list[str]:
    """The parse's entities of the labels that answer `kind` (who, when, where), new to the
    question."""
    labels = ENTITY_LABELS.get(kind, frozenset())
    found = [span for span, label in ents if label in labels and _outside_question(span, asked)]
    if kind == q.WHERE:
        # "an MBA from Harvard", "unveiled at Mobile World Congress": an institution or an
        # event after a place preposition says where, though it is not a place's name.
        found += [
            span
            for span, label in ents
            if label in _PLACE_LIKE
            and _outside_question(span, asked)
            and re.search(rf"\b{_PLACE_PREPOSITION}\s+(?:the\s+)?{re.escape(span)}", text)
        ]
        # "from a Dutch village, Vlodrop": the small model may tag the village's name as a
        # person; named right after a place noun, it is the place.
        found += [
            span
            for span, label in ents
            if label not in labels
            and _outside_question(span, asked)
            and re.search(rf"{_PLACE_NOUN},\s+{re.escape(span)}\b", text, re.IGNORECASE)
        ]
    return found


def figures_near(text: str, nouns: Sequence[str]) -> list[str]:
    """Figures (not years) within FIGURE_GAP characters of one of `nouns`."""
    stems = {stem(n) for n in nouns}
    at = [m for m in re.finditer(r"[A-Za-z][\w'’-]*", text) if stem(_plain(m.group())) in stems]
    found = []
    for match in _FIGURE.finditer(text):
        if _is_year(match.group()):
            continue
        if any(
            0 <= n.start() - match.end() <= FIGURE_GAP or 0 <= match.start() - n.end() <= FIGURE_GAP
            for n in at
        ):
            found.append(match.group())
    return found


def _ages(text: str, info: q.QuestionInfo) -> list[str]:
    found = [m.group() for m in _AGE.finditer(text)]
    for name in info.names:
        # "Ambani, 45," and, for a family sharing the surname, "Anil, 45,": news gives an age
        # in commas after the name, the surname or the given name.
        for word in {name.split()[-1], name.split()[0]}:
            match = re.search(rf"\b{re.escape(word)}\s*,\s*(\d{{1,3}})\s*,", text)
            if match:
                found.append(match.group(1))
    return found


def named_near(
    text: str, unit: str, asked: set[str], ents: Sequence[tuple[str, str]] | None
) -> list[str]:
    """For "which newspaper…" or "who is the president…": a name standing next to the word
    ("the Ethnos newspaper", "the frigate HMS Cornwall", "President Nicos Anastasiades")."""
    names = (
        [s for s, label in ents if label in ENTITY_LABELS[q.WHICH]]
        if ents is not None
        else [m.group() for m in _PROPER.finditer(text)]
    )
    unit_stem = stem(unit)
    units = UNIT_SYNONYMS.get(unit_stem, frozenset()) | {unit_stem}
    near = []
    for name in names:
        if not _outside_question(name, asked):
            continue
        at = text.find(name)
        if at < 0:
            continue
        around = text[max(0, at - 40) : at + len(name) + 40]
        if any(stem(w) in units for w in words(around)) or _is_the(text, name, unit):
            near.append(name)
    return near


def _is_the(text: str, name: str, unit: str) -> bool:
    """ "Charlie Brandts, a carpenter for 25 years, is now the First Beekeeper": the sentence
    says the name holds the role, however far apart the two stand."""
    return bool(
        re.search(
            rf"{re.escape(name)}(?:\s*,[^,]{{0,80}},)?\s+(?:is|was|has\s+been|became|becomes)\s+"
            rf"(?:now\s+)?(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){{0,3}}?{re.escape(unit)}",
            text,
            re.IGNORECASE,
        )
    )


def _plain_entities(text: str, kind: str, asked: set[str]) -> list[str]:
    """Without a parse: capitalised names (who, where) and date patterns (when)."""
    if kind == q.WHEN:
        return [m.group() for m in _DATE.finditer(text)]
    out = []
    for match in _PROPER.finditer(text):
        span = match.group()
        tokens = span.split()
        if match.start() == 0 and len(tokens) < 2:
            continue  # a capital that only opens the sentence
        if {t.lower() for t in tokens} <= _CALENDAR | _NOT_NAMES:
            continue
        if kind == q.WHERE and not re.search(
            rf"\b(?:in|at|near|from|to|into|outside|inside|across)\s+(?:the\s+)?{re.escape(span)}",
            text,
        ):
            continue
        if _outside_question(span, asked):
            out.append(span)
    return out
