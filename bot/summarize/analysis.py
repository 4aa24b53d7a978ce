"""Per-article sentence analysis (pure: text in, features out), done once when an article is
stored (`bot.ingest.analyze` stores and reads it back).

`analyze_article` splits an article into sentences and records what briefs and answers need
about each (see `bot.nlp.features.SentenceFeatures`): whether it can stand alone as a bullet,
its entities, numbers, dates, tense, term counts and section label. With the spaCy pipeline
(`bot.nlp.load_pipeline`) sentence boundaries come from the parser and the checks use the
dependency parse (a main verb, a subject, a leading pronoun); without one (`NLP_MODEL=none`)
plain-text rules stand in, and the stored version says which ran so `briefbot db reindex`
redoes the work once a model is installed.

Summarizers given articles without a stored analysis run `analyze_article(…, nlp=None)`
themselves: the same rules, minus the parse.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.nlp.features import ArticleAnalysis, SentenceFeatures
from bot.summarize.marks import THOSE_PEOPLE, sentence_marks
from bot.summarize.names import name_terms
from bot.summarize.sections import analyze as section_analyze
from bot.summarize.sentences import paragraphs, split_paragraph, terms

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

__all__ = [
    "ANALYZER_VERSION",
    "THOSE_PEOPLE",
    "analyze_article",
    "analyzer_version",
    "dates_of",
    "is_stale",
    "numbers_of",
]

# Bump when the stored features for the same article would change.
# a17: no "He" after "a spokesman said", nor an acronym as a person
# a16: "such agreements" leans on the sentence before (marks)
# a15: "He" is the previous subject; an epithet ("The 34-year-old") is resolved like "He"
# a14: marks and cardinals; a13: "those involved" may open; a12: "of this week"; a11: names
ANALYZER_VERSION = "a17"

MIN_WORDS = 6
MAX_WORDS = 70
# Paragraphs longer than this are cut before parsing: the parser's cost grows with length, and
# no news paragraph is this long (a page whose extraction failed can be one huge "paragraph").
MAX_PARAGRAPH_CHARS = 5_000
# At most this many paragraphs per article are analysed (a book-sized file is not an article).
MAX_PARAGRAPHS = 2_000

_BOILERPLATE = re.compile(
    r"^(?:reporting by|editing by|additional reporting|writing by|contact |click here|sign up"
    r"|subscribe|read more|related:|advertisement|photo:|image:|copyright|all rights reserved"
    r"|your email address|required fields|leave a (?:reply|comment)|share this|follow us"
    r"|watch:|listen:|see also|more on this story|get (?:the|our) )",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^by [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}\W*$", re.IGNORECASE)
# Pictures, maps and videos the reader of a brief cannot see.
_CAPTION = re.compile(
    r"\b(?:(?:this|the|a|our|following|above|below) (?:map|photo|photograph|picture|image|graphic"
    r"|chart|video|infographic|gallery)s?\b(?: (?:shows?|showing|below|above|of))?"
    r"|(?:pictured|photographed) (?:here|above|below|left|right)\b"
    r"|\((?:pictured|photo|left|right|centre|center)\)"
    r"|\bgetty images\b|\bphoto(?:graph)?: |\bimage copyright\b|\bimage caption\b)",
    re.IGNORECASE,
)
# "KYIV, Ukraine (AP) — ", "JEDDAH, Saudi Arabia, March 11 (Reuters) - ", "WASHINGTON — "
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\- ]{2,}(?:,\s*[A-Z][\w.' ]{1,30}){0,2}\s*(?:\([\w .&]{1,30}\))?\s*"
    r"(?:[—–-]{1,2}|:)\s+"
    # "Saturday, March 26, 2005 Up to four times…": a date line run into the first sentence
    r"|^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?(?:January|February|March|April|May"
    r"|June|July|August|September|October|November|December) \d{1,2},? \d{4}\s+(?=[A-Z])"
)
# Openers that tie a sentence to the one before and say nothing on their own.
_DANGLING_OPENER = re.compile(
    r"^(?:then|in the meantime|meanwhile|at the same time|after that|afterwards|later"
    r"|since then|instead|still|also|moreover|furthermore|however|in addition|additionally"
    r"|separately|similarly|likewise|nevertheless|nonetheless|as a result|consequently"
    r"|in turn|by contrast|in contrast|on the other hand|for (?:its|his|her|their) part"
    r"|to that end|in response|that said|even so|and|but|so|yet)\s*,?\s+(?=\S)",
    re.IGNORECASE,
)
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_ON_WEEKDAY = re.compile(
    r"\b((?i:on|last|next|this|from|until|by)) (Monday|Tuesday|Wednesday|Thursday|Friday"
    r"|Saturday|Sunday)\b(?!,? (?:\d|the \d|(?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov"
    r"|Dec)\b))( (?:morning|afternoon|evening|night)(?! \())?"
    # "on Monday of this week": the week is said, the date will say it (dropped).
    r"(?: of (this|last|next) week\b)?"
)
_FUTURE_RE = re.compile(
    r"\b(?:will|shall|is to|are to|is due to|are due to|is set to|are set to|plans? to"
    r"|is expected to|are expected to|scheduled (?:to|for)|going to|next (?:week|month|year))\b",
    re.IGNORECASE,
)
_PAST_AUX = frozenset({"has", "have", "had", "was", "were", "did"})
# "The 34-year-old", "The double-Olympic champion", "The 30-year-old actor, who…": a person
# called by an epithet because the sentence before named them; read like a leading "He".
_EPITHET_START = re.compile(
    r"^The (?:(?:former|double|triple|reigning|defending|veteran|world|[a-z]+-time"
    r"|(?:double-|triple-)?olympic|\d+-year-old)[ -])*"
    r"(?:\d+-year-old|champion|actor|actress|striker|midfielder|defender|goalkeeper|singer"
    r"|athlete|runner|sprinter|winger)(?=[ ,])",
    re.IGNORECASE,
)
# "Before doing so, he…": the action it follows is only in the sentence before.
_DONE_SO_START = re.compile(
    r"^(?:before|after|by|without|in|since|instead of) (?:doing|having done) so\b", re.IGNORECASE
)
# A leading word that needs an antecedent outside the sentence.
_DEPENDENT_START = re.compile(
    r"^(?:once (?:that|this|it)(?:'s|’s| is| has)?|he|she|they|them|his|her|their|this|these"
    r"|those(?!\s+" + THOSE_PEOPLE + r")|such|it|its|that|the latter"
    r"|the former|the two|(?:both|each|neither|either|all)(?= of (?:them|these|those)\b|"
    r"\s+(?:is|are|was|were|have|has|had|will|would|said|agreed)\b))\b",
    re.IGNORECASE,
)
# "resumed both", and "agreed to resume both" in any form of the verb: which two things, the
# reader cannot tell. "it"/"them" only after a past verb ("accepts it" in "the truce holds if
# Russia accepts it" names its antecedent first).
_DANGLING_OBJECT = re.compile(
    r"\b(?:(?:(?:resum|restor|approv|oppos|welcom|criticis|criticiz)(?:e|es|ed|ing)"
    r"|(?:accept|reject|sign|confirm|lift)(?:s|ed|ing)?|den(?:y|ies|ied|ying)"
    r"|(?:agree[sd]?|agreeing|object(?:s|ed|ing)?|respond(?:s|ed|ing)?) to) both"
    r"|(?:resumed|restored|lifted|accepted|rejected|signed|approved|agreed to|objected to"
    r"|responded to|opposed|welcomed|criticised|criticized|denied|confirmed) (?:it|them))"
    r"(?=\s*(?:[,.;]|and\b|after\b|before\b|on\b|in\b|at\b|when\b|while\b|$))",
    re.IGNORECASE,
)
# "How will the countries they hit be affected?": a question leaning on what came before.
_QUESTION_PRONOUN = re.compile(
    r"^(?=.*\?[\"'”’)]*$).*\b(?:they|them|their|it|its|this|these|those|he|she|his|her)\b",
    re.IGNORECASE,
)
# "It is unclear whether…", "It remains to be seen…": an expletive "it", not a reference.
_EXPLETIVE_IT = re.compile(
    r"^it (?:is|was|remains|remained|has been|had been|seems|seemed|appears|appeared|would be"
    r"|will be|is still|was still|is not|was not|isn't|wasn't)\b(?! (?:the|a|an|his|her|its"
    r"|their)\b)",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"})
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_MONTH_NAMES = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_ABBR = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_DATE_MD = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? (\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,? (\d{4}))?"
)
_DATE_DM = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)? (January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b(?:,? (\d{4}))?"
)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SPACY_ENTITY_LABELS = frozenset(
    {
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "NORP",
        "FAC",
        "EVENT",
        "LAW",
        "PRODUCT",
        "DATE",
        "CARDINAL",
        "MONEY",
        "PERCENT",
        "QUANTITY",
        "ORDINAL",
    }
)


def analyzer_version(nlp: Language | None) -> str:
    """The version string stored with an analysis: the rules' version and the model used."""
    if nlp is None:
        return f"{ANALYZER_VERSION}+plain"
    meta = nlp.meta
    return f"{ANALYZER_VERSION}+{meta.get('name', 'model')}-{meta.get('version', '')}"[:64]


def is_stale(stored: str | None, current: str) -> bool:
    """Must an analysis stored under version `stored` be redone by the `current` analyzer?

    Yes when missing, when the rules changed, or when a model is now installed and the stored
    one was made without; never to replace a model's analysis by the plain fallback.
    """
    if stored is None:
        return True
    if stored == current:
        return False
    stored_rules, _, stored_model = stored.partition("+")
    rules, _, model = current.partition("+")
    if stored_rules != rules:
        return True
    return stored_model == "plain" and model != "plain"


# -- the analysis (pure: data in, data out) -------------------------------------------------


def analysis_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text` that `analyze_article` reads (bounded)."""
    return [p[:MAX_PARAGRAPH_CHARS] for p in paragraphs(text)[:MAX_PARAGRAPHS]]


def analyze_article(
    title: str,
    text: str,
    published_at: datetime | None,
    nlp: Language | None,
    *,
    docs: Sequence[Any] | None = None,
) -> ArticleAnalysis:
    """The sentences of one article with their features, in order.

    `docs`: `nlp`'s docs of `analysis_paragraphs(text)` when already parsed (ingestion parses
    a batch of articles in one `nlp.pipe`: `bot.ingest.analyze.analyze_batch`)."""
    paras = analysis_paragraphs(text)
    day = published_at.date() if published_at is not None else None
    out: list[SentenceFeatures] = []
    title_key = _key(title)
    title_terms = frozenset(terms(title))
    last_person: str | None = None
    named: dict[str, str] = {}  # noun lemma -> its last mention with something pinning it down
    if nlp is not None:
        parsed: Iterable[Any] = docs if docs is not None else nlp.pipe(paras, batch_size=64)
        for p_index, doc in enumerate(parsed):
            sents = _spacy_sentences(doc)
            for s_index, span in enumerate(sents):
                feats, person = _sentence(
                    span.text,
                    span,
                    position=len(out),
                    paragraph=p_index,
                    alone=len(sents) == 1,
                    title_key=title_key,
                    day=day,
                    last_person=last_person,
                    first=not out,
                    starts_paragraph=s_index == 0,
                    named=named,
                    title_terms=title_terms,
                )
                out.append(feats)
                last_person = (person or None) if person is not None else last_person
                _remember_named(span, named)
    else:
        for p_index, para in enumerate(paras):
            sents = split_paragraph(para)
            for s_index, sent in enumerate(sents):
                feats, _ = _sentence(
                    sent,
                    None,
                    position=len(out),
                    paragraph=p_index,
                    alone=len(sents) == 1,
                    title_key=title_key,
                    day=day,
                    last_person=None,
                    first=not out,
                    starts_paragraph=s_index == 0,
                )
                out.append(feats)
    # What briefs read about each sentence, found once here rather than in every brief: the
    # name terms they compare sentences by; for prose (the sentences a brief may quote) the
    # pattern results (`marks`) and the numbers that count something (`cardinals`).
    memo: dict[str, list[str]] = {}
    done = tuple(
        replace(
            f,
            names=name_terms(f.entities, f.text, memo),
            marks=sentence_marks(f.text) if f.is_prose else None,
            cardinals=cardinals(f.numbers, f.entities) if f.is_prose else None,
        )
        for f in out
    )
    return ArticleAnalysis(analyzer_version(nlp), done)


def cardinals(numbers: Sequence[str], entities: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The numbers that count something (spaCy CARDINAL: "239 people", not "9:20 p.m.", "20
    miles", "Group of 20"); without entities (no parse), every number. In `numbers`' order."""
    if not numbers or not entities:
        return tuple(dict.fromkeys(numbers))
    counted = {n for text, label in entities if label == "CARDINAL" for n in numbers_of(text)}
    return tuple(n for n in dict.fromkeys(numbers) if n in counted)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _spacy_sentences(doc: Any) -> list[Span]:
    """The parser's sentences, with a break not after sentence punctuation undone: the parser
    sometimes splits at a colon or inside a long quotation."""
    merged: list[Any] = []
    for sent in doc.sents:
        if merged:
            prev = merged[-1]
            tail = prev.text.rstrip()
            if (tail and tail[-1] not in ".!?…\"'”’)") or not sent.text[:1].strip():
                merged[-1] = doc[prev.start : sent.end]
                continue
        merged.append(sent)
    return merged


def _sentence(
    text: str,
    span: Span | None,
    *,
    position: int,
    paragraph: int,
    alone: bool,
    title_key: str,
    day: date | None,
    last_person: str | None,
    first: bool,
    starts_paragraph: bool = False,
    named: dict[str, str] | None = None,
    title_terms: frozenset[str] = frozenset(),
) -> tuple[SentenceFeatures, str | None]:
    raw = " ".join(text.split())
    shown = raw
    if first or starts_paragraph:
        shown = raw = _DATELINE.sub("", shown, count=1)  # a dateline is never part of it
    entities, places, person, tense = _span_features(span, raw)
    kind, issue = _kind(shown, span, alone=alone, title_key=title_key)
    if kind == "prose":
        shown, kind, issue = _stand_alone(shown, last_person)
    if kind == "prose" and span is not None:
        shown, kind, issue = _name_bare_reference(shown, span, title_terms, named)
    if day is not None and kind == "prose":
        shown = _anchor_weekdays(shown, day, tense, _weekday_tenses(span))
    numbers = _numbers(shown, span)
    dates = tuple(d.isoformat() for d in _dates(shown, day))
    counts: dict[str, int] = {}
    for term in terms(shown):
        counts[term] = counts.get(term, 0) + 1
    section: str | None = None
    score = 0.0
    cues = (0.0, 0.0, 0.0, 0.0)
    if kind == "prose":
        if len(counts) < 3:
            kind, issue = "fragment", "too few content words"
        else:
            label = _section_label(shown, day)
            section, score = label.section, label.score
            cues = (label.key, label.open, label.next, label.opinion)
            section = _by_time(section, label, tense, dates, day, shown)
    feats = SentenceFeatures(
        position=position,
        paragraph=paragraph,
        text=shown,
        kind=kind,
        issue=issue,
        raw=raw if raw != shown else None,
        entities=entities,
        numbers=numbers,
        dates=dates,
        places=places,
        terms=tuple(counts.items()),
        tense=tense,
        section=section,
        score=score,
        cues=cues,
    )
    return feats, person


def _span_features(
    span: Span | None, raw: str
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], str | None, str | None]:
    """Entities, places ("in/at/near X"), the last person named and the tense of a parsed
    sentence; without a parse, only a future tense from the words."""
    if span is None:
        return (), (), None, "future" if _FUTURE_RE.search(raw) else None
    places = tuple(
        dict.fromkeys(
            re.sub(r"^the ", "", " ".join(e.text.split()))
            for e in span.ents
            if e.label_ in ("GPE", "LOC", "FAC")
            and e.start > span.start
            and span.doc[e.start - 1].lower_ in ("in", "at", "near")
        )
    )
    entities = tuple(
        (" ".join(e.text.split()), e.label_) for e in span.ents if e.label_ in _SPACY_ENTITY_LABELS
    )
    persons = [
        t
        for t, label in entities
        if label == "PERSON" and len(t.split()) <= 4 and not _ACRONYM.search(t)
    ]
    subject = _subject_person(span)
    person = subject if subject is not None else (persons[-1] if persons else None)
    return entities, places, person, _tense(span)


# "BBC Sport", "ITV News": an acronym in a name makes it an organisation, whatever the tagger says.
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
# A person the sentence does not name: a "He" after it is not anyone named earlier.
_UNNAMED = frozenset(
    "spokesman spokeswoman spokesperson official aide lawyer source representative".split()
)


def _subject_person(span: Span) -> str | None:
    """The person the sentence is about: its main subject when that is a name the entity
    tagger calls a person or leaves untagged. "Mutu … is now represented by Alessandro Moggi,
    son of Luciano Moggi. He is to undergo…": "He" is Mutu (the tagger missed him), not the
    last person named. "" when the subject is a person left unnamed ("a spokesman")."""
    subject = next((c for c in span.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.pos_ == "NOUN" and subject.lemma_.lower() in _UNNAMED:
        return ""  # "A spokesman said … He added …": "He" is no one named before
    if subject is None or subject.pos_ != "PROPN" or subject.ent_type_ not in ("PERSON", ""):
        return None
    name = None
    if subject.ent_type_ == "PERSON":
        name = next((e for e in span.ents if e.start <= subject.i < e.end and len(e) <= 4), None)
    else:
        first = subject.i
        while (
            first > span.start
            and span.doc[first - 1].dep_ == "compound"
            and (span.doc[first - 1].pos_ == "PROPN" and span.doc[first - 1].head.i == subject.i)
        ):
            first -= 1
        name = span.doc[first : subject.i + 1]
    if name is None or _ACRONYM.search(name.text):
        return None  # "BBC Sport understands…": an acronym names an organisation, not "He"
    return " ".join(name.text.split())


def _stand_alone(shown: str, last_person: str | None) -> tuple[str, str, str | None]:
    """A prose sentence with its dangling opener stripped and a leading pronoun resolved, as
    (text, kind, issue); kind "dependent" when it leans on what came before."""
    kind, issue = "prose", None
    shown = _strip_opener(shown)
    dangling = _DANGLING_OBJECT.search(shown)
    if dangling:
        kind, issue = "dependent", f"“{dangling.group(0).strip()}” refers to something before"
    unquoted = shown.lstrip("\"'“‘")  # '“He just wanted…,” said X': the same pronoun
    dependent = _DEPENDENT_START.match(unquoted)
    if kind == "prose" and dependent and unquoted != shown:
        kind, issue = "dependent", f"a quotation opening with “{dependent.group(0)}”"
    elif kind == "prose" and _QUESTION_PRONOUN.search(shown):
        kind, issue = "dependent", "a question about something named before"
    elif kind == "prose" and dependent and not _EXPLETIVE_IT.match(shown):
        resolved = _resolve(shown, dependent.group(0), last_person)
        if resolved is None:
            kind, issue = "dependent", f"opens with “{dependent.group(0)}” and no antecedent"
        else:
            shown = resolved
    elif kind == "prose" and _DONE_SO_START.match(shown):
        kind, issue = "dependent", "“doing so” refers to an action before"
    elif kind == "prose" and (epithet := _EPITHET_START.match(shown)):
        if last_person is None:
            kind, issue = "dependent", f"“{epithet.group(0)}” is never named"
        else:  # the person the sentence before was about, as for "He"
            shown = last_person + shown[epithet.end() :]
    return shown, kind, issue


def _name_bare_reference(
    shown: str, span: Span, title_terms: frozenset[str], named: dict[str, str] | None
) -> tuple[str, str, str | None]:
    """A bare definite reference ("the union") replaced by its earlier full name, as (text,
    kind, issue); kind "dependent" when the article never named it."""
    bare = _bare_reference(span, title_terms)
    if bare is None:
        return shown, "prose", None
    phrase, lemma = bare
    earlier = (named or {}).get(lemma)
    if earlier and shown.startswith(phrase):
        return earlier[:1].upper() + earlier[1:] + shown[len(phrase) :], "prose", None
    if earlier and f" {phrase}" in shown:
        return shown.replace(f" {phrase}", f" {earlier}", 1), "prose", None
    return shown, "dependent", f"“{phrase}” is never named"


@functools.lru_cache(maxsize=8192)
def _section_label(text: str, day: date | None) -> Any:
    """`sections.analyze`, cached: syndicated copies and boilerplate repeat sentences."""
    return section_analyze(text, published=day)


def _kind(text: str, span: Span | None, *, alone: bool, title_key: str) -> tuple[str, str | None]:
    n_words = len(text.split())
    if _BYLINE.match(text):
        return "byline", "a byline"
    if _BOILERPLATE.match(text):
        return "boilerplate", "site boilerplate or a teaser"
    if _CAPTION.search(text):
        return "caption", "refers to a picture, map or video"
    if title_key and _key(text) == title_key:
        return "title", "restates the title"
    if alone and text.rstrip("\"'”’").endswith("?") and n_words <= 20:
        return "subhead", "a question standing alone as a subheading"
    if text.rstrip().endswith(":"):
        return "fragment", "a lead-in to a list"
    if text.count('"') % 2 or text.count("“") != text.count("”"):
        return "fragment", "a piece of a quotation"
    if n_words < MIN_WORDS:
        return "fragment", "too short to be a bullet"
    if n_words > MAX_WORDS:
        return "fragment", "too long to be a bullet"
    if span is not None:
        root = span.root
        finite_tags = ("VBD", "VBZ", "VBP", "MD")
        finite = (
            root.tag_ in finite_tags
            or any(
                c.dep_ in ("aux", "auxpass", "conj") and c.tag_ in finite_tags
                for c in root.children
            )
            or (root.tag_ == "VB" and root.i == span.start)  # an imperative
        )
        if not finite:
            return "fragment", "no main verb"
        subjects = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
        has_subject = any(c.dep_ in subjects for c in root.children) or any(
            t.dep_ in subjects for t in span if t.head.i == root.i or t.head.head.i == root.i
        )
        if not has_subject and root.pos_ in ("VERB", "AUX"):
            return "fragment", "no subject"
    return "prose", None


# Nouns a reader places without an antecedent: "this week", "the time".
_TIME_NOUNS = frozenset(
    "week month year day time morning afternoon evening night weekend season spring summer"
    " autumn fall winter quarter decade century moment hour minute".split()
)
_PINNING = frozenset(
    {"amod", "compound", "poss", "nummod", "prep", "relcl", "acl", "appos", "nmod", "npadvmod"}
)


def _bare_reference(span: Any, title_terms: frozenset[str]) -> tuple[str, str] | None:
    """("The proposal", "proposal") when the sentence's subject, or any "this/these + noun",
    is a common noun with only a determiner: which proposal, the reader cannot tell. Nouns of
    the article's title and time nouns are known without an antecedent."""
    for token in span:
        if token.dep_ != "det" or token.head.pos_ != "NOUN" or token.head.i < token.i:
            continue
        noun = token.head
        word = token.lower_
        is_subject = noun.dep_ in ("nsubj", "nsubjpass") and noun.head.i == span.root.i
        if not (word in ("this", "these") or (word in ("the", "those") and is_subject)):
            continue
        lemma = noun.lemma_.lower()
        if lemma in _TIME_NOUNS or set(terms(noun.text)) & title_terms:
            continue
        if any(c.dep_ in _PINNING for c in noun.children):
            continue
        if noun.i != token.i + 1:
            continue  # words between: "the two leaders", "this new plan" say something
        return span.doc[token.i : noun.i + 1].text, lemma
    return None


def _remember_named(span: Any, named: dict[str, str]) -> None:
    """Noun phrases that say which one ("the U.S. proposal"), for `_bare_reference`."""
    for chunk in span.noun_chunks:
        root = chunk.root
        if root.pos_ != "NOUN" or len(chunk) > 6:
            continue
        pinned = [t for t in chunk if t.dep_ in ("amod", "compound", "poss", "nummod")]
        if not pinned or not any(t.pos_ in ("PROPN", "ADJ", "NUM") for t in pinned):
            continue
        text = chunk.text
        if chunk[0].lower_ in ("a", "an", "this", "these", "that", "those", "its", "their"):
            text = "the " + chunk[1:].text
        named[root.lemma_.lower()] = " ".join(text.split())


def _strip_opener(text: str) -> str:
    """Drop openers that lean on the sentence before ("Then, on 12 March, …")."""
    out = text
    for _ in range(2):
        match = _DANGLING_OPENER.match(out)
        if not match:
            break
        rest = out[match.end() :]
        if len(rest.split()) < MIN_WORDS:
            break
        out = rest[:1].upper() + rest[1:]
    return out


def _resolve(text: str, opener: str, last_person: str | None) -> str | None:
    """A leading "He"/"She" replaced by the person last named before it, else None."""
    if opener.lower() not in ("he", "she") or last_person is None:
        return None
    return last_person + text[len(opener) :]


_REPORTING = frozenset(
    {
        "say",
        "announce",
        "tell",
        "state",
        "confirm",
        "add",
        "report",
        "warn",
        "insist",
        "promise",
        "pledge",
        "vow",
        "declare",
        "indicate",
        "signal",
        "agree",
        "decide",
        "expect",
    }
)
_PLANNING = frozenset({"expect", "plan", "set", "schedule", "due", "intend", "aim", "prepare"})


def _future_marked(token: Any) -> bool:
    aux = {c.lower_ for c in token.children if c.dep_ in ("aux", "auxpass")}
    return bool(aux & {"will", "shall", "'ll", "wo"}) or (
        token.lemma_ in _PLANNING and any(c.dep_ == "xcomp" for c in token.children)
    )


def _tense(span: Span) -> str | None:
    """The main clause's tense; a reported plan ("said it will meet") counts as future."""
    root = span.root
    if _future_marked(root):
        return "future"
    if root.lemma_ in _REPORTING:
        for child in root.children:
            if child.dep_ in ("ccomp", "xcomp") and _future_marked(child):
                return "future"
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass")]
    lemmas = {c.lower_ for c in aux}
    if root.tag_ == "VBD" or (root.tag_ == "VBN" and lemmas & _PAST_AUX):
        return "past"
    if any(c.tag_ == "VBD" for c in aux):
        return "past"
    return "present"


_UNKNOWN_MAIN = re.compile(
    r"^it (?:is|was|remains|remained) (?:still )?(?:not (?:yet )?(?:known|clear)|unclear"
    r"|uncertain|unknown)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"][^“”\"]*[”\"]")
_SECOND_PERSON = re.compile(r"\b(?:you|your)\b", re.IGNORECASE)


def _by_time(
    section: str | None,
    label: Any,
    tense: str | None,
    dates: tuple[str, ...],
    day: date | None,
    text: str = "",
) -> str | None:
    """Next steps are in the future: a past event is a key provision, or nothing. A sentence
    whose main clause is an unknown ("It is not known when…") is an open question; one that
    talks to the reader ("what you have to do") is no bullet at all."""
    if section is not None and _SECOND_PERSON.search(_QUOTED.sub("", text)):
        return None
    if section == "next_steps" and _UNKNOWN_MAIN.match(text):
        return "open_questions"
    if section != "next_steps":
        return section
    past_date = day is not None and bool(dates) and all(d < day.isoformat() for d in dates)
    if tense == "past" or (past_date and tense != "future"):
        return "key_provisions" if label.key >= 1.5 else None
    return section


def _weekday_tenses(span: Span | None) -> dict[str, str]:
    """The tense of the verb each weekday named in a parsed sentence belongs to: in "On
    Tuesday the minister said the port will reopen" Tuesday is when he *said* it (past), though
    the sentence reports a plan; in "the port will reopen on Friday", Friday is ahead."""
    out: dict[str, str] = {}
    if span is None:
        return out
    for token in span:
        name = token.lower_
        if name not in _WEEKDAYS or name in out:
            continue
        verb = token.head
        for _ in range(4):  # "on" -> the verb it modifies ("said", "reopen")
            if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
                break
            verb = verb.head
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        if _future_marked(verb):
            out[name] = "future"
        elif verb.tag_ == "VBD" or any(
            c.tag_ == "VBD" for c in verb.children if c.dep_ in ("aux", "auxpass")
        ):
            out[name] = "past"
    return out


def _anchor_weekdays(
    text: str, day: date, tense: str | None, own: dict[str, str] | None = None
) -> str:
    """ "on Monday" -> "on Monday 10 March", from the article's publication day. `own`: the
    tense of the verb each weekday belongs to, where the parse gives it (else the sentence's)."""

    def repl(match: re.Match[str]) -> str:
        prep, name = match.group(1), match.group(2)
        target = _WEEKDAYS[name.lower()]
        prep_l = prep.lower()
        when_tense = (own or {}).get(name.lower(), tense)
        future = when_tense == "future" or prep_l in ("next", "until")
        week = match.group(4)
        if week:  # that weekday of the publication's week (Monday first), or the one before/after
            shift = {"this": 0, "last": -7, "next": 7}[week.lower()]
            when = day + timedelta(days=target - day.weekday() + shift)
        elif future and prep_l != "last":
            delta = (target - day.weekday()) % 7 or 7
            when = day + timedelta(days=delta)
        else:
            delta = (day.weekday() - target) % 7
            if prep_l == "last" and delta == 0:
                delta = 7
            when = day - timedelta(days=delta)
        label = f"{when.day} {calendar.month_name[when.month]}"
        part = match.group(3)
        if part:  # "on Wednesday morning" -> "on Wednesday morning (5 March)"
            return f"{prep} {name}{part} ({label})"
        return f"{prep} {name} {label}"

    return _ON_WEEKDAY.sub(repl, text)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _numbers(text: str, span: Span | None) -> tuple[str, ...]:
    """The figures a sentence states; dates and years are when, not how many."""
    for pattern in (_DATE_MD, _DATE_DM, _DATE_ISO, _YEAR):
        text = pattern.sub(" ", text)
    found: list[str] = [m.group(0).replace(",", "") for m in _DIGITS.finditer(text)]
    for word in re.findall(r"[A-Za-z]+", text):
        value = _NUMBER_WORDS.get(word.lower())
        if value is not None and word.lower() not in ("one", "zero"):
            found.append(value)
    del span
    # Years and day numbers of dates count too: "30-day" and "30 days" are the same number.
    return tuple(dict.fromkeys(n.rstrip(".") for n in found if n))


def numbers_of(text: str) -> tuple[str, ...]:
    """The figures a text states ("1,200" -> "1200", "six" -> "6"), dates and years left out."""
    return _numbers(text, None)


def dates_of(text: str, day: date | None) -> list[str]:
    """ISO dates a text names (a date without a year takes `day`'s year; none without `day`)."""
    return [d.isoformat() for d in _dates(text, day)]


def _dates(text: str, day: date | None) -> list[date]:
    year = day.year if day else None
    found: list[date] = []

    def add(y: str | None, month: int, d: str) -> None:
        the_year = int(y) if y else year
        if the_year is None:
            return
        with contextlib.suppress(ValueError):  # "31 February"
            found.append(date(the_year, month, int(d)))

    for m in _DATE_MD.finditer(text):
        name = m.group(1).lower()
        add(m.group(3), _MONTH_NAMES.get(name) or _MONTH_ABBR.get(name[:3], 1), m.group(2))
    for m in _DATE_DM.finditer(text):
        add(m.group(3), _MONTH_NAMES[m.group(2).lower()], m.group(1))
    for m in _DATE_ISO.finditer(text):
        with contextlib.suppress(ValueError):
            found.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return list(dict.fromkeys(found))
