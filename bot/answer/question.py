"""What a question asks for (pure: text in, data out).

A question has a kind (who, when, where, how many, how much, how long, how old, why, which,
yes/no, what), the unit a quantity question counts ("how many *people*"), and the names it is
about. The answerer uses the kind to prefer sentences holding an answer of that type, and the
names to refuse sentences about someone else. Follow-ups that refer back ("what about Russia?",
"and when?") are rewritten here against the thread's previous question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.stems import content_stems, spell_out_roles

MAX_QUESTION_CHARS = 500

WHO = "who"
WHEN = "when"
WHERE = "where"
HOW_MANY = "how_many"
HOW_MUCH = "how_much"
HOW_LONG = "how_long"
HOW_FAR = "how_far"
HOW_OLD = "how_old"
SHARE = "share"  # "what share of the vote": a percentage
FIGURE = "figure"  # "what was Portugal's budget deficit": a figure beside the noun asked about
WHY = "why"
WHICH = "which"
YES_NO = "yes_no"
WHAT = "what"

# Nouns that name a measured figure: "what was Portugal's budget *deficit*" wants a number, as
# "how much" would (a sentence about the deficit without a figure does not answer it).
FIGURE_NOUNS = frozenset(
    (
        "deficit surplus debt capacity population price cost salary wage fee rate score toll "
        "weight height length size value revenue revenues profit profits loss losses turnover "
        "income majority resolution speed temperature magnitude attendance turnout fine ransom "
        "reward fare budget bill sum total figure earnings capitalisation capitalization "
        "valuation dividend sales stake"
    ).split()
)
_FIGURE_OPENING = (
    r"^\W*what\s+(?:is|was|are|were)\s+(?P<phrase>(?:[\w'’.-]+\s+){0,5}(?:"
    + "|".join(sorted(FIGURE_NOUNS))
    + r"))\b"
)
# Order matters: the first pattern that matches the question's opening decides its kind.
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (HOW_MANY, r"\bhow\s+many\b"),
        (HOW_MUCH, r"\bhow\s+much\b"),
        (HOW_LONG, r"\bhow\s+long\b"),
        # "How big a stake does Atticus hold?": a share, not a size.
        (SHARE, r"\bhow\s+(?:big|large|high|much\s+of)\s+(?:a\s+)?(?:stake|share|proportion)\b"),
        # "How big a loss did Marsh report?": a sum of money, not a size.
        (
            HOW_MUCH,
            r"\bhow\s+(?:big|large|high|small)\s+(?:an?\s+)?(?:loss|losses|profits?|deficit|debts?|"
            r"fines?|payouts?|bonus|bonuses|charges?|budget|bids?|settlement|salary|salaries|bills?|"
            r"donations?|grants?|loans?|bail-?out|investment|revenues?|pay\s*-?\s*off)\b",
        ),
        (HOW_FAR, r"\bhow\s+(?:far|tall|high|big|large|deep|wide)\b"),
        (SHARE, r"\bwhat\s+(?:share|percentage|proportion|per\s?cent|percent)\b"),
        (FIGURE, _FIGURE_OPENING),
        (HOW_OLD, r"\bhow\s+old\b"),
        (WHO, r"\b(?:who|whom|whose)\b"),
        (WHEN, r"\b(?:when|what\s+(?:date|day|time|year|month))\b|\bwhat\s+time\b"),
        (WHERE, r"\b(?:where|what\s+(?:city|country|place|town|airport|region))\b"),
        (WHERE, r"\b(?:in|at|to|from)\s+which\s+(?:city|country|place|town|airport|region)\b"),
        (WHY, r"\b(?:why|what\s+for|for\s+what\s+reason)\b"),
        (HOW_MUCH, r"\bwhat\s+(?:amount|sum|price|figure)\b"),
        (
            WHICH,
            r"^\W*(?:\w+\s+)?(?:which|what)\s+(?!(?:is|are|was|were|did|does|do|has|have|had|"
            r"will|would|can|could|should|about|if|happen|happens|happened)\b)[a-z]+",
        ),
        (YES_NO, r"^(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should)\b"),
    )
)
_HOW_MANY_UNIT = re.compile(
    # Past names first: "how many *Galaxy S5* phones" counts phones.
    r"\b(?i:how\s+(?:many|much)\s+(?:more\s+)?)(?:(?:[A-Z]|\d)[\w-]*\s+){0,3}"
    r"((?i:[a-z][a-z-]*))(?:\s+((?i:[a-z][a-z-]*)))?"
)
# "How many *PSPs* did …", "how many *Britons* were …": a capitalised plural counted.
_COUNTED_CAPITALS = re.compile(
    r"\b(?i:how\s+many\s+(?:more\s+)?)(?:[A-Z][\w-]*\s+){0,2}([A-Z][\w-]*s)\s+"
    r"(?:(?i:did|do|does|were|was|are|is|have|has|had|will|would|can|could)\b|[a-z]+ed\b)"
)
# After "how many": words that end the counted noun phrase ("how many people *were*").
_UNIT_END = frozenset(
    (
        "is are was were did does do has have had will would can could should may might must "
        "more of in on at to for from than before after during since by with that who which "
        "per each"
    ).split()
)
_FIGURE_PHRASE = re.compile(_FIGURE_OPENING, re.IGNORECASE)
# "How much does it weigh": a weight, not a sum of money.
_WEIGH = re.compile(r"\bweigh(?:s|ed|ing)?\b", re.IGNORECASE)
_WHICH_NOUN = re.compile(r"\b(?:which|what)\s+([a-z][a-z-]+)", re.IGNORECASE)
# "How much" followed by one of these asks about an amount of money; others ("how much fuel")
# ask for a quantity of that thing.
_MONEY_WORDS = frozenset(
    "money aid did does do was were is are will has have had would cash funding extra more "
    "additional in".split()
)
# Words that open a question or a follow-up without naming anything.
_NAME_STOP = frozenset(
    (
        "what who whom whose when where why which how is are was were did does do has have had "
        "will would can could should and but or so also then the a an in on at of for about "
        "tell me us please i we you it they he she this that these those under with during "
        "after before since according apart besides despite by into onto over"
    ).split()
)
_WH_PREFIX = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+)?(?:how\s+(?:many|much)(?:\s+[a-z-]+)?|how\s+\w+|"
    r"(?:which|what)\s+(?=(?:is|are|was|were|did|does|do|has|have|will)\b)|"
    r"who|whom|whose|when|where|why|what|which\s+\w+)\s+",
    re.IGNORECASE,
)
_FOLLOW_ABOUT = re.compile(
    r"^\s*(?:and\s+|but\s+|ok(?:ay)?,?\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$",
    re.IGNORECASE,
)
_FOLLOW_AND = re.compile(
    r"^\s*(?i:and)\s+(?P<x>(?:the\s+)?[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*)\s*\?\s*$"
)
_FOLLOW_WH = re.compile(
    # One \s* per gap: two in a row ("\s*(?:and)?\s*") split a run of spaces every way.
    r"^\s*(?:(?:and|but|so|ok(?:ay)?,?)\s*)?(?P<wh>who|when|where|why|how\s+many|how\s+much|"
    r"how\s+long|how\s+old)\s*\??\s*$",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^(?:who|what)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?([a-z]+)"
    r"(?:\s+(?:of|for|on|in|at)\b|\s*\?|$)",
    re.IGNORECASE,
)
_ACCORDING_TO = re.compile(r"\b(?:according\s+to|as\s+reported\s+by)\b[^,;?]*", re.IGNORECASE)
# A name may end in a number: "Flight 17", "Apollo 11" (a different number is another thing).
_CAPITALISED = re.compile(
    r"\b[A-Z][\w'.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'.-]*)*(?:\s+\d[\w-]{0,10}\b)?"
)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    kind: str
    unit: str | None  # the thing a "how many"/"which" question counts or names ("people")
    names: tuple[str, ...]  # proper names the question is about ("Russia", "HMS Cornwall")
    terms: tuple[str, ...]  # stemmed content words, question words removed
    counted: str | None = None  # the word after "how much"/"how many", even "aid" (money)
    role: str | None = None  # "who is the *president* of Cyprus": the answer holds that role
    # For FIGURE: the nouns of the figure asked about ("battery", "capacity"); a number beside
    # any of them answers ("a 2800 mAh battery" answers "what is the battery capacity").
    figure_nouns: tuple[str, ...] = ()

    @property
    def wants_entity(self) -> bool:
        return self.kind in (WHO, WHEN, WHERE, WHICH)

    @property
    def wants_quantity(self) -> bool:
        return self.kind in (HOW_MANY, HOW_MUCH, HOW_LONG, HOW_FAR, HOW_OLD, SHARE, FIGURE)


def question_kind(question: str) -> str:
    text = question.strip()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return WHAT


def question_names(question: str) -> tuple[str, ...]:
    """Capitalised names in a question, without its first word when that is a question word.

    A plain-text reading that works without a spaCy model: "Who commanded HMS Cornwall?" ->
    ("HMS Cornwall",).
    """
    names: list[str] = []
    for match in _CAPITALISED.finditer(question[:MAX_QUESTION_CHARS]):
        words = match.group().split()
        while words and words[0].lower() in _NAME_STOP and not _ACRONYM_WORD.fullmatch(words[0]):
            words = words[1:]
        name = " ".join(words).strip(".'")
        if name.endswith("'s"):
            name = name[:-2]
        # "the US" is a name, not the pronoun "us".
        if (
            name
            and (name.lower() not in _NAME_STOP or _ACRONYM_WORD.fullmatch(name))
            and len(name) > 1
        ):
            names.append(name)
    return tuple(dict.fromkeys(names))


_ACRONYM_WORD = re.compile(r"[A-Z]{2,}")
# "What are the names of Obama's daughters?" asks who they are: a name is the answer.
_NAME_OF = re.compile(
    r"^\W*what\s+(?P<be>is|are|was|were)\s+(?:the\s+)?names?\s+of\s+(?=\S)", re.IGNORECASE
)


# "Who's MCI's boss?", "When's the marathon?": a question word with a clipped "is"/"has" reads
# as a name ("Who's MCI") to the capitalised-run reader and as a possessive to the parser.
_CLIPPED = re.compile(
    r"^(?P<lead>\W*)(?P<word>who|what|when|where|why|how|which)['’](?P<verb>s|re)\b\s*",
    re.IGNORECASE,
)
# "What's happened", "Who's been charged": the clipped word is "has" before a past participle.
_HAS_NEXT = frozenset("been got gotten gone happened done changed become made said agreed".split())


def expand_clipped(question: str) -> str:
    """ "Who's the boss?" as "Who is the boss?"; "What's happened?" as "What has happened?"."""
    match = _CLIPPED.match(question)
    if not match:
        return question
    rest = question[match.end() :]
    if match.group("verb").lower() == "re":
        verb = "are"
    else:
        following = rest.split(maxsplit=1)[0].lower() if rest.strip() else ""
        verb = "has" if following.strip(".,?!") in _HAS_NEXT else "is"
    return f"{match.group('lead')}{match.group('word')} {verb} {rest}"


def ask_for_names(question: str) -> str:
    """ "What is the name of X?" as "Who is X?" (kept as is otherwise)."""
    match = _NAME_OF.match(question)
    if not match:
        return question
    return f"Who {match.group('be').lower()} {question[match.end() :]}"


def analyze_question(question: str, stop_terms: frozenset[str] = frozenset()) -> QuestionInfo:
    text = " ".join(question.split())[:MAX_QUESTION_CHARS]
    text = ask_for_names(spell_out_roles(expand_clipped(text)))
    kind = question_kind(text)
    unit: str | None = None
    match = None
    if kind in (HOW_MANY, HOW_MUCH):
        match = _HOW_MANY_UNIT.search(text)
        word = ""
        if match:
            # "how many British sailors": the noun is the last word before the verb.
            second = (match.group(2) or "").lower()
            word = match.group(1).lower()
            named = _COUNTED_CAPITALS.search(text) if kind == HOW_MANY else None
            if named:
                # "How many PSPs did Sony sell?", "how many MPs voted": the capitalised plural
                # just before the verb is what is counted (else any number answers, "one US
                # shop", or the verb is taken for the thing counted).
                word = named.group(1).lower()
            elif word in _UNIT_END:
                word = ""
            elif (
                second
                and second not in _UNIT_END
                and word not in _MONEY_WORDS
                and _modifies(match.group(1), second)
            ):
                word = second
        if kind == HOW_MANY:
            unit = word or _counted_name(text)
        elif word and word not in _MONEY_WORDS:
            unit = word
    elif kind == WHICH:
        match = _WHICH_NOUN.search(text)
        unit = match.group(1).lower() if match else None
    counted = unit
    if kind == SHARE:
        share = re.search(
            r"\b(?:what|how\s+(?:big|large|high)\s+(?:a\s+)?)\s*(share|percentage|proportion|percent|stake)\b",
            text,
            re.I,
        )
        counted = share.group(1).lower() if share else None  # the answer's unit, not a topic word
    if kind == HOW_MUCH and unit is None and match and match.group(1).lower() not in _UNIT_END:
        counted = match.group(1).lower()
    if kind == HOW_MUCH and _WEIGH.search(text):
        unit, counted = WEIGHT_UNIT, None  # "how much does it weigh": grams, not money
    figure_nouns: tuple[str, ...] = ()
    if kind == FIGURE:
        phrase = _FIGURE_PHRASE.search(text)
        # Lower-case words only: "Portugal's" names whose figure it is, not which figure.
        found = re.findall(r"\b[a-z][a-z-]+\b", phrase.group("phrase")) if phrase else []
        figure_nouns = tuple(w for w in found if w not in _NAME_STOP and w not in _FIGURE_SKIP)
        unit = counted = figure_nouns[-1] if figure_nouns else None
    terms = tuple(dict.fromkeys(t for t in content_stems(text) if t not in stop_terms))
    role_match = _ROLE.match(text) if kind in (WHO, WHAT) else None
    role = role_match.group(1).lower() if role_match else None
    if role and role.endswith("ed"):
        role = None  # "what was the boat *called*": a verb, not a role
    # "… according to the UK": who says it is not what the question is about.
    about = _ACCORDING_TO.sub("", text)
    return QuestionInfo(text, kind, unit, question_names(about), terms, counted, role, figure_nouns)


# "How many of the 56 large idle *estates* are …": the counted thing is the plural before the
# verb (the plain pattern stops at "of").
_COUNTED_OF = re.compile(
    r"\b(?i:how\s+many)\s+of\s+(?:the|these|those|its|their|his|her)\s+(?:[\w,-]+\s+){0,4}?"
    r"([a-z]+s)\s+(?:is|are|was|were|did|do|does|have|has|had|will|would|can|could)\b"
)


def _counted_name(text: str) -> str | None:
    match = _COUNTED_OF.search(text)
    return match.group(1).lower() if match else None


WEIGHT_UNIT = "weight"
# Words inside "what was X's … deficit" that say nothing about which figure.
_FIGURE_SKIP = frozenset("'s s its current latest new total annual".split())


def _modifies(first: str, second: str) -> bool:
    """True when `first` describes `second` ("*British* sailors", "police *officers*"), so the
    counted thing is `second`; false when `second` is what happened to `first` ("fans *died*")."""
    if first[:1].isupper():
        return True
    second = second.lower()
    return second.endswith("s") and not second.endswith("ss") and not first.lower().endswith("s")


def resolve_followup(question: str, previous: str | None) -> str:
    """`question` made to stand alone, using the thread's previous question.

    "what about Russia?" after "What did Ukraine agree to?" -> "What did Russia agree to?";
    "and when?" after "What did Russia demand?" -> "When did Russia demand?". A question that
    already stands alone is returned unchanged.
    """
    text = " ".join(question.split())
    if not previous:
        return text
    previous = " ".join(previous.split()).rstrip("?").strip()
    about = _FOLLOW_ABOUT.match(text) or _FOLLOW_AND.match(text)
    if about:
        subject = about.group("x").strip().rstrip("?")
        old = question_names(previous)
        if old:
            # Replace the name the previous question was about with the new one.
            return _replace_word(previous, old[0], subject) + "?"
        return f"{previous}, about {subject}?"
    wh = _FOLLOW_WH.match(text)
    if wh:
        rest = _WH_PREFIX.sub("", previous, count=1)
        if rest == previous:
            return text
        word = wh.group("wh").lower()
        return f"{word[0].upper()}{word[1:]} {rest}?"
    return text


def _replace_word(text: str, old: str, new: str) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", new, text, count=1)
