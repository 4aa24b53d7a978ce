"""The offline answerer: the stored sentence that answers the question asked, or a plain "no".

No model writes anything here, so the answer is chosen, never composed. A sentence answers only
when it (with the sentence before it, for "he" and "that demand") is about what the question is
about: every name the question gives, the action it asks about (or a close synonym), most of its
other words; and when it holds an answer of the question's kind (a date for "when", a number of
the asked unit for "how many" …). Otherwise the answer says the articles don't say, and may show
the closest sentence they do have, labelled as such. A sentence that opens with an unexplained
"He" or "That demand" is resolved from the sentence before it, or another sentence is chosen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.answer import question as q
from bot.answer.evidence import ENTITY_LABELS, answer_spans
from bot.answer.model import AnswerDraft, AnswerSentence, Passage
from bot.answer.stems import NAME_FORMS, normalize_spelling, spell_out_roles, stem, tokens
from bot.summarize.analysis import _FUTURE_RE, _anchor_weekdays

if TYPE_CHECKING:
    from spacy.language import Language

NOT_ANSWERED = "The stored articles don't answer this."
MAX_CANDIDATES = 40
# Within this much of the best score, a quantity question takes the latest article's figure.
FIGURE_WINDOW = 0.1
# Within this much of the best score, other questions take the first report of an event.
FIRST_REPORT_WINDOW = 0.05
# Verbs that carry no action of their own ("who *is* …", "how much did Cyprus *get*").
LIGHT_VERBS = frozenset(
    "be is are was were been have has had do does did get got make made become go goes went "
    "gone happen happens happened".split()
)
# Kinds whose answer may be any sentence about the question (no entity or figure to find).
_UNTYPED = (q.WHAT, q.YES_NO, q.WHICH)
# Kinds whose figure a scope word narrows ("how much will *each* pay"); a duration is anyway one
# thing's ("how long will each power cut last").
_SCOPED_KINDS = (q.HOW_MUCH, q.HOW_MANY, q.FIGURE, q.SHARE)
_SUBJECTS = ("nsubj", "nsubjpass")
# A count, like a place or a date, answers only beside its own action: "the 500,000-strong stock
# it plans to ship" after "… expected it to sell out" does not say how many were sold.
_TIED_TO_VERB = (q.WHERE, q.WHEN, q.WHICH, q.HOW_MANY)
_LIGHT_STEMS = frozenset(stem(v) for v in LIGHT_VERBS)
# Verbs a duration or size question implies: "how long did it *last*", "how far did it *go*".
# "When was the election *held*": the verb only says that the event happened.
IMPLIED_VERBS = {
    q.HOW_LONG: {"last", "take", "run", "held", "hold"},
    q.HOW_FAR: {"go", "reach"},
    q.WHEN: {"held", "hold", "occur", "happen", "take"},
    # "How much does it *weigh* / *cost*": the unit says it; "weighs 145 g" or "at 145 g".
    q.HOW_MUCH: {"weigh", "cost"},
    q.WHERE: {"held", "hold", "take"},  # "where will the ceremony be held"
}
# A few close equivalents a news sentence uses for the action a question names. Kept small and
# general: a synonym lets a sentence through the "same action" check, nothing more.
_SYNONYM_GROUPS = (
    "agree accept back endorse approve",
    "say tell warn call state claim describe add announce emphasize stress insist declare argue",
    "kill die dead death",
    "capture seize detain arrest hold held captivity",
    "prison jail",
    "hold held organise organize stage host",
    "lead head",
    "free release pardon",
    "pledge promise donate give contribute contribution pay payment",
    "join member membership",
    "own hold control possess",
    "return hand repay refund",
    "defend defence defense",
    "publish report print",
    "raise collect",
    "election vote ballot poll",
    "find found discover discovery locate spot detect",
    "search hunt",
    "plane aircraft jet airliner flight",
    "unveil launch introduce reveal debut unveiling",
    "hack spoof crack breach",
    "quake earthquake tremor temblor",
    "sale launch available ship",
    "head bound destined",
    "earn receive obtain gain award win secure acquire",
    "play perform",
    # Naming: "a group that went by the name …", "a microbus known as …".
    "call name known dub nickname",
    "sell sale shift flog",
    "see view regard consider deem",
    "push kick oust",
    "pick select choose",
    "buy purchase pay",
    # Blaming someone is accusing them; the head of a business is its chief or boss.
    "blame accuse",
    "poll survey",
    "head chief boss",
)
SYNONYMS: dict[str, frozenset[str]] = {}
for _group in _SYNONYM_GROUPS:
    _stems = frozenset(stem(w) for w in _group.split())
    for _s in _stems:
        SYNONYMS[_s] = SYNONYMS.get(_s, frozenset()) | _stems

# "Where/when was the flight heading?": a thing, then what it was doing, and nothing after.
_PROGRESSIVE = re.compile(
    r"^\W*(?:where|when|why)\s+(?:is|was|are|were)\s+(?:the\s+|a\s+|an\s+)?"
    r"(?:[a-z'-]+\s+){0,2}?(?P<thing>[a-z'-]+)\s+(?P<verb>[a-z]+ing)\W*$",
    re.IGNORECASE,
)
_PRONOUN_OPENING = re.compile(
    r"^\W*(?:(?:but|and|so|yet)\s+)?(?:he|she|they|it|this|that|these|those|his|her|their|its|the\s+latter|the\s+former|"
    r"such)\b",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(
    r"^\W*(?:(?i:the|this|that|these|those|its|their|his|her)\s+[a-z][\w-]*\b(?!\s+of\b)"
    r"|(?i:it|they|he|she)\b)"
)
# A sentence that opens with a description of something named before ("The company plans …").
_DEFINITE_OPENING = re.compile(r"^\W*(?i:the|this|these)\s+[a-z][\w-]*\b(?!\s+of\b)")
# A person referred back to inside the sentence ("… tried to distance *his* client"); "their",
# "its" mostly point at the sentence's own subject ("two auditors … *their* role").
_MENTIONS_BACK = re.compile(r"\b(?:he|she|him|his|her)\b", re.IGNORECASE)
_WORLDWIDE = re.compile(r"\b(?:global(?:ly)?|worldwide|world(?:'s|’s)?|international)\b", re.I)
_NOW = re.compile(r"\b(?:now|currently|at\s+present)\b", re.IGNORECASE)
_DEFINITE_AGE = re.compile(r"\bthe\s+\d{1,3}-year-old\b", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:might|may|could|normally|usually|typically)\b", re.IGNORECASE)
_QUESTION_STOP = frozenset(
    stem(w)
    for w in (
        "what when where who whom whose which why how many much long far tall old big large high "
        "deep wide happen "
        "happened tell explain did does do is are was were will would could should according"
    ).split()
)


@dataclass(frozen=True)
class _Asked:
    info: q.QuestionInfo
    name_tokens: tuple[frozenset[str], ...]  # each name, as its tokens
    verb: frozenset[str]  # the stemmed action asked about, when the parse finds one
    role: str | None  # "who is the *president* of Cyprus"
    others: tuple[str, ...]  # the remaining content stems
    modal: bool
    subject: frozenset[str] = frozenset()  # the named subject of the asked verb ("Japan")
    names: tuple[str, ...] = ()  # the names as written, one per `name_tokens` entry
    agent: frozenset[str] = frozenset()  # nouns for whoever does the verb ("lead" -> "leader")
    passive: bool = False  # "who *was named* …": the answer is the verb's passive subject
    # The asked verb's subject when it is a common noun ("where was the *flight* heading").
    noun_subject: frozenset[str] = frozenset()
    # A person named in full ("Barack Obama") is also "President Obama" and "Obama": the
    # surname, once per `name_tokens` entry (None for other names), and the given names.
    surnames: tuple[tuple[str, frozenset[str]] | None, ...] = ()
    years: frozenset[str] = frozenset()  # "in 1987": a sentence about 1988 does not answer
    # Superlatives and ordinals ("the *worst* record", "the *fourth* pick"): a sentence without
    # them is about another one.
    qualifiers: frozenset[str] = frozenset()
    object_asked: bool = False  # "who did the Knicks *pick*": the answer is the verb's object
    # Words that say which role ("the *interior* minister", "*chief* executive"): a "Defence
    # Minister" is another role.
    role_words: frozenset[str] = frozenset()
    scoped: bool = False  # the question narrows its figure ("each", "per share", "personally")
    # "Which *processor* powers it": the thing asked for does the action (not "which hospital
    # were they taken to", where it is where the action ends).
    which_subject: bool = False


@dataclass(frozen=True)
class _Verb:
    """One verb of a candidate sentence and who takes part in it."""

    stems: frozenset[str]
    doer: frozenset[str]  # who does it: its subject, or the "by …" agent of a passive
    doer_name: str  # the doer phrase when it holds a name or nationality ("a German team")
    proper: bool  # its subject is a name
    patient: frozenset[str]  # the passive subject ("Rapanos … is expected to be named")
    patient_name: str
    object_name: str = ""  # its direct object when that holds a name ("selected *Ewing*")


@dataclass(frozen=True)
class _Parse:
    """What the parse says about one candidate sentence (empty without a model)."""

    ents: tuple[tuple[str, str], ...]
    lemmas: frozenset[str]  # stems of the lemmas ("said" -> "say")
    verbs: tuple[_Verb, ...]
    root_subject: frozenset[str] = frozenset()  # the main clause's named subject, if any
    subjects: frozenset[str] = frozenset()  # the words of every subject in the sentence


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    spans: tuple[str, ...]
    score: float


class OfflineAnswerer:
    name = "extractive"

    def __init__(self, nlp: Language | None = None) -> None:
        self._nlp = nlp

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]] = (),
    ) -> AnswerDraft:
        del history  # follow-ups are resolved before they get here (bot.answer.question)
        asked = self._asked(question)
        # Parsing is the slow part: only sentences that can still pass are parsed.
        pool = [p for p in list(passages)[:MAX_CANDIDATES] if _may_be_about(asked, p)]
        parses = self._parse([p.text for p in pool], [p.entities for p in pool])
        passing: list[_Candidate] = []
        near: list[Passage] = []
        # About what was asked and holding an answer of its kind, but not saying the asked
        # action: shown, labelled, as the closest the articles come when nothing answers.
        reworded: list[Passage] = []
        for passage, parse in zip(pool, parses, strict=True):
            about = _about_score(asked, passage, parse, strict=self._nlp is None)
            if about is None:
                if not reworded and _reworded(asked, passage, parse, bool(self._nlp)):
                    reworded.append(passage)
                continue
            spans = answer_spans(
                spell_out_roles(passage.text), asked.info, parse.ents if self._nlp else None
            )
            if asked.info.kind == q.WHO and asked.role:
                # "Who was Obama's mother?": "Barack Obama's mother …" names whose mother, not
                # who she is.
                spans = [s for s in spans if not _holds_a_name(s, asked)]
            if asked.info.kind == q.WHO and asked.verb and not asked.role and self._nlp:
                spans = _who_spans(asked, passage.text, parse, spans)
            elif asked.info.kind == q.WHICH and asked.verb and self._nlp:
                # "Which processor powers it?": a name doing the action answers even when the
                # sentence does not say "processor" ("the Snapdragon 801 powers it").
                options = _options(asked)
                uses = [v for v in parse.verbs if v.stems & options]
                if asked.object_asked:
                    # "Which brand did Xiaomi push out?" asks for what is done to, not who does
                    # it: the object of the asked one's action ("… kicks HTC out").
                    doers = [
                        v.object_name
                        for v in uses
                        if v.object_name
                        and (
                            not asked.subject or not v.doer or v.doer & (asked.subject | _PRONOUNS)
                        )
                    ]
                    uses = []
                else:
                    doers = [v.doer_name for v in uses if v.doer_name]
                unit = stem(asked.info.unit) if asked.info.unit else None
                if uses and not doers and (asked.which_subject or unit in parse.lemmas):
                    # The parse found no subject: any name beside the verb, when what is asked
                    # for does the action ("which processor powers it") or the sentence says
                    # what kind of thing it is ("which *hospital*"); not a name beside another
                    # use of the verb ("were they taken to": "take tests … the Athens Games").
                    labels = ENTITY_LABELS[q.WHICH]
                    doers = [span for span, label in parse.ents if label in labels]
                named = [s for s in spans if s] + [d for d in doers if _outside(d, asked)]
                spans = named or spans
            if not spans or not any(s or asked.info.kind in _UNTYPED for s in spans):
                near.append(passage)
                continue
            score = _rank(asked, passage, about, spans)
            if asked.info.kind == q.WHO and not any(_is_entity(s, parse) for s in spans):
                score -= 0.2  # "Australian officials" answers "who" less than "Angus Houston"
            passing.append(_Candidate(passage, tuple(spans), score))
        if not passing:
            return _decline(asked, passages, near or reworded)
        chosen = _choose(asked, passing)
        return AnswerDraft.of(self._stand_alone(chosen, passing))

    # -- reading the question ----------------------------------------------------------------

    def _asked(self, question: str) -> _Asked:
        info = q.analyze_question(question, _QUESTION_STOP)
        doc = self._nlp(normalize_spelling(info.text)) if self._nlp is not None else None
        names = info.names
        if doc is not None:
            # With a parse, a capitalised word is a name only when it is part of an entity
            # ("CCTV footage" is footage; "Laiki Bank" is a name).
            entity_words = {t for e in doc.ents for t in tokens(e.text)}
            # An acronym is a name even when the small model misses it ("HTC").
            names = tuple(
                n
                for n in names
                if set(tokens(n)) & entity_words or _has_number(n) or _ACRONYM.fullmatch(n)
            )
            # Only the entity's own words are the name ("Britain's Foreign Secretary" is about
            # Britain; "foreign secretary" is what is asked about it).
            name_tokens = tuple(
                frozenset(tokens(n))
                if _has_number(n) or _ACRONYM.fullmatch(n)
                else frozenset(tokens(n)) & entity_words
                for n in names
            )
        else:
            name_tokens = tuple(frozenset(tokens(n)) for n in names)
        name_stems = {stem(t) for n in name_tokens for t in n}
        verb, agent = _main_verb(doc)
        progressive = _PROGRESSIVE.match(info.text) if doc is not None and not verb else None
        if progressive:
            # "Where was the flight heading?": the small parser reads "heading" as a noun.
            verb = frozenset({stem(progressive.group("verb").lower())})
        implied = {stem(v) for v in IMPLIED_VERBS.get(info.kind, ())}
        if verb & implied:
            verb = agent = frozenset()
        role = stem(info.role) if info.role else None
        if role in name_stems or (verb and not verb & _ATTITUDE):
            # "Who is *leading* Glazer's latest approach": an action, no role ("who is
            # *believed* to be the mastermind" still asks for a mastermind).
            role = None
        terms = info.terms
        if doc is not None:
            # Nouns, verbs and adjectives, as lemmas: numbers and adverbs ("two", "together")
            # are how a question is put, not what it is about.
            terms = tuple(
                dict.fromkeys(
                    word
                    for t in doc
                    if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")
                    and not t.is_stop
                    and any(ch.isalnum() for ch in t.text)  # not the "-" of "pro-hunt"
                    for word in (
                        [stem(w) for w in tokens(t.text)]
                        if t.pos_ == "PROPN"
                        else [stem(t.lemma_.lower())]
                    )
                )
            )
        skip = name_stems | verb | implied | _QUESTION_STOP | {role} | _LIGHT_STEMS
        if info.counted:
            skip.add(stem(info.counted))
        others = tuple(t for t in terms if t not in skip)
        subject: frozenset[str] = frozenset()
        noun_subject: frozenset[str] = frozenset()
        surnames: list[tuple[str, frozenset[str]] | None] = [None] * len(name_tokens)
        role_words: frozenset[str] = frozenset()
        qualifiers: set[str] = set()
        if doc is not None:
            for token in doc:
                if token.dep_ in _SUBJECTS and token.head.dep_ == "ROOT" and token.pos_ == "PROPN":
                    subject = frozenset(tokens(" ".join(t.text for t in token.subtree)))
            subject = _intended_doer(doc) or subject
            people = [tuple(tokens(e.text)) for e in doc.ents if e.label_ == "PERSON"]
            for i, name in enumerate(names):
                words = tuple(tokens(name))
                if len(words) >= 2 and words in people:
                    surnames[i] = (words[-1], frozenset(words[:-1]))
            if role:
                role_words = frozenset(
                    c.lower_
                    for t in doc
                    if stem(t.lower_) == role
                    for c in t.children
                    if c.dep_ in ("amod", "compound") and c.text[:1].islower() and c.is_alpha
                )
            qualifiers = {
                t.lower_
                for t in doc
                if t.tag_ in ("JJS", "RBS")
                or (t.ent_type_ == "ORDINAL" and t.is_alpha and t.head.lower_ not in _TIME_NOUNS)
                # "What is WorldCom called *now*": a sentence that says "now" first.
                or (t.lower_ == "now" and t.dep_ == "advmod")
            }
        modal = bool(_MODAL.search(info.text))
        passive = doc is not None and any(
            t.dep_ == "nsubjpass" and t.lower_ in ("who", "whom") for t in doc
        )
        object_asked = doc is not None and any(
            t.dep_ == "dobj"
            and t.head.dep_ == "ROOT"
            and (
                t.lower_ in ("who", "whom")
                or any(c.lower_ in ("which", "what") and c.dep_ == "det" for c in t.children)
            )
            for t in doc
        )
        if progressive:
            noun_subject = frozenset({progressive.group("thing").lower()})
        return _Asked(
            info,
            name_tokens,
            verb,
            role,
            others,
            modal,
            subject,
            names,
            agent,
            passive,
            noun_subject if verb else frozenset(),
            tuple(surnames),
            frozenset(_YEAR.findall(info.text)),
            frozenset(qualifiers),
            object_asked,
            role_words,
            info.kind in _SCOPED_KINDS and bool(_SCOPE.search(info.text)),
            doc is not None
            and any(
                t.dep_ == "nsubj"
                and t.head.pos_ == "VERB"  # not "were" ("which hospital *were* they taken to")
                and any(c.lower_ in ("which", "what") and c.dep_ == "det" for c in t.children)
                for t in doc
            ),
        )

    def _parse(
        self,
        texts: Sequence[str],
        stored: Sequence[tuple[tuple[str, str], ...] | None] = (),
    ) -> list[_Parse]:
        """The parse of each text. Entities stored at ingestion (`stored`, one per text, None
        where absent) are read instead of running the entity recogniser, the slowest part."""
        if self._nlp is None:
            return [_Parse((), frozenset(), ()) for _ in texts]
        known = list(stored) + [None] * (len(texts) - len(stored))
        fresh = [i for i, ents in enumerate(known) if ents is None]
        reused = [i for i, ents in enumerate(known) if ents is not None]
        without_ner = [name for name in ("ner",) if name in self._nlp.pipe_names]
        docs: dict[int, Any] = {}
        fresh_docs = self._nlp.pipe(normalize_spelling(texts[i]) for i in fresh)
        for i, doc in zip(fresh, fresh_docs, strict=True):
            docs[i] = doc
        reused_docs = self._nlp.pipe(
            (normalize_spelling(texts[i]) for i in reused), disable=without_ner
        )
        for i, doc in zip(reused, reused_docs, strict=True):
            docs[i] = doc
        out = []
        for i in range(len(texts)):
            doc = docs[i]
            ents = known[i]
            verbs = tuple(
                _Verb(
                    frozenset({stem(t.text.lower()), stem(t.lemma_.lower())}),
                    *_doer(t, ("nsubj",)),
                    any(c.dep_ in _SUBJECTS and c.pos_ == "PROPN" for c in t.children),
                    *_doer(t, ("nsubjpass",)),
                    _doer(t, ("dobj",))[1],
                )
                for t in doc
                if t.pos_ == "VERB"
            )
            root_subject: frozenset[str] = frozenset()
            subjects: set[str] = set()
            for token in doc:
                if token.dep_ in _SUBJECTS:
                    words = set(tokens(" ".join(w.text for w in token.subtree)))
                    subjects |= words
                    if token.head.dep_ == "ROOT" and token.pos_ == "PROPN":
                        root_subject = frozenset(words)
            out.append(
                _Parse(
                    ents if ents is not None else tuple((e.text, e.label_) for e in doc.ents),
                    frozenset(stem(t.lemma_.lower()) for t in doc if not t.is_punct),
                    verbs,
                    root_subject,
                    frozenset(subjects),
                )
            )
        return out

    # -- the answer standing alone -----------------------------------------------------------

    def _stand_alone(
        self, chosen: _Candidate, passing: Sequence[_Candidate]
    ) -> tuple[AnswerSentence, ...]:
        passage = chosen.passage
        prefix = _as_of(chosen, passing)
        text = prefix + _dated(passage.text.strip(), passage)
        ids = (passage.article_id,)
        if not _PRONOUN_OPENING.match(passage.text):
            return (AnswerSentence(text, ids),)
        # "He did not accept…": another sentence that answers as well and stands alone wins;
        # else the sentence before it comes first, so "he" has someone to refer to.
        for other in sorted(passing, key=lambda c: -c.score):
            if other is chosen or other.score < chosen.score - 0.1:
                continue
            if not _PRONOUN_OPENING.match(other.passage.text):
                return (
                    AnswerSentence(
                        _as_of(other, passing) + _dated(other.passage.text.strip(), other.passage),
                        (other.passage.article_id,),
                    ),
                )
        context = passage.context.strip()
        if context and not _PRONOUN_OPENING.match(context):
            return (
                AnswerSentence(prefix + _dated(context, passage), ids),
                AnswerSentence(_dated(passage.text.strip(), passage), ids),
            )
        return (AnswerSentence(text, ids),)


def _dated(text: str, passage: Passage) -> str:
    """ "said on Tuesday" -> "said on Tuesday 11 March", from the article's publication day: an
    answer read days later must not leave the reader guessing which Tuesday."""
    if passage.published_at is None:
        return text
    tense = "future" if _FUTURE_RE.search(text) else None
    return _anchor_weekdays(text, passage.published_at.date(), tense)


# Verbs that only say someone means to do another ("does Parmalat *plan* to take action", "what
# does TCI *want* it to hand back"): a sentence may give either, the intent or the action.
CATENATIVE = frozenset("want plan hope try intend seek aim wish need".split())
# Verbs that say what is thought of an action ("why do observers *think* they fell out", "was
# he *supposed* to light the flame"): the action they govern is what is asked about, as after
# an intent verb.
# "How many people *ended up* downloading it": the outcome verb governs the action asked about.
_READ_THROUGH = CATENATIVE | frozenset("think believe suppose expect end".split())
# Whoever leads or runs something is named by these nouns ("Euronext chief Jean-Francois
# Theodore" answers "who heads Euronext?").
_LEADING = frozenset("lead head run chair manage".split())
_LEADER_NOUNS = frozenset(
    stem(w) for w in "leader head chief boss chairman chairwoman president director".split()
)


# Verbs that say what is thought or said of someone, not what they do.
_ATTITUDE = frozenset(
    stem(w) for w in "believe think say report suspect expect understand consider allege".split()
)


def _intended_doer(doc: Any) -> frozenset[str]:
    """ "What does TCI want *Deutsche Boerse* to hand back?": the one who is to do the action an
    intent verb governs, when the question names someone else for it (empty otherwise)."""
    for token in doc:
        if token.dep_ != "ROOT" or token.lemma_.lower() not in CATENATIVE:
            continue
        for action in token.children:
            if action.dep_ not in ("xcomp", "ccomp") or action.pos_ != "VERB":
                continue
            for doer in action.children:
                if doer.dep_ in _SUBJECTS and doer.pos_ == "PROPN":
                    return frozenset(tokens(" ".join(t.text for t in doer.subtree)))
    return frozenset()


def _main_verb(doc: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The stems of the action asked about: the parse's root verb (as written and as its
    lemma); empty without a parse or when the root is no action ("who *is* …"). Second, the
    stems of the nouns for whoever does it ("lead" -> "leader", "coordinate" -> "coordinator"):
    "Who leads Syriza?" is answered by "Tsipras, Syriza's leader"."""
    if doc is None:
        return frozenset(), frozenset()
    for token in doc:
        if token.dep_ == "ROOT":
            clause = [c for c in token.children if c.dep_ == "ccomp" and c.pos_ == "VERB"]
            if token.pos_ == "AUX" and clause:
                # "How much money *is* Parmalat *claiming*": the small parser may hang the
                # action under the auxiliary as a clause of its own.
                token = clause[0]
            if token.pos_ != "VERB" or token.lemma_.lower() in LIGHT_VERBS:
                return frozenset(), frozenset()
            governed = [
                c for c in token.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"
            ]
            intent: frozenset[str] = frozenset()
            if token.lemma_.lower() in _READ_THROUGH and governed:
                intent = frozenset({stem(token.text.lower()), stem(token.lemma_.lower())})
                token = governed[0]
                if token.lemma_.lower() in LIGHT_VERBS:
                    return intent, frozenset()
            lemma = token.lemma_.lower()
            verb = frozenset({stem(token.text.lower()), stem(lemma)}) | intent
            base = lemma[:-1] if lemma.endswith("e") else lemma
            agent = frozenset(stem(w) for w in (lemma + "r", base + "er", base + "or"))
            if lemma in _LEADING:
                agent |= _LEADER_NOUNS
            return verb, agent | {stem(lemma)}
    return frozenset(), frozenset()


_ACRONYM = re.compile(r"[A-Z][A-Z&.]{1,5}")
# Words that narrow a figure to one of many ("each", "per share", "personally"): a sentence
# without any of them gives another figure (the total, the party's) however close it looks.
_SCOPE = re.compile(
    # "each day", "per cent" narrow nothing: a rate, a share.
    r"\b(?:(?:each|per|every)(?!\s?cent|\s+(?:day|week|month|year|hour|minute|second)\b)"
    r"|apiece|a\s+head|individually|personally|himself|herself|average)\b|-a-(?:share|head)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# An ordinal on a time ("the *first Saturday* of the ban") narrows when, which the sentence's
# own date says ("on Saturday, a day after the ban came in"): it is not required.
_TIME_NOUNS = frozenset(
    "day days week weekend month year night morning afternoon evening monday tuesday wednesday "
    "thursday friday saturday sunday".split()
)
# Words before a surname that keep it the same person's ("President Obama", "Mr Obama").
_HONORIFICS = frozenset(
    "president mr mrs ms miss dr prof professor sen senator rep governor gov mayor judge "
    "justice general gen captain capt sir lord lady king queen prince princess pope "
    "chancellor minister secretary chairman chief coach young old the".split()
)


def _named(asked: _Asked, i: int, present: set[str], acronyms: set[str], text: str) -> bool:
    """The question's i-th name is there: in full, or a person by surname alone, unless the
    surname comes with someone else's given name ("Michelle Obama" is not "Barack Obama")."""
    surname = asked.surnames[i] if i < len(asked.surnames) else None
    if _name_present(asked.name_tokens[i], present, acronyms):
        if i >= len(asked.names) or _together(asked.names[i], text):
            return True
        # "Anil has accused … the Ambani family": the person by given name, the surname another's
        return surname is not None and _given_name_alone(*surname, text)
    if surname is not None and surname[0] not in present and _given_name_alone(*surname, text):
        return True
    if surname is None or surname[0] not in present:
        return i < len(asked.names) and _alias_present(asked.names[i], present, text)
    last, given = surname
    for match in re.finditer(rf"\b([A-Z][\w'’.-]*)\s+{re.escape(last)}\b", text, re.IGNORECASE):
        before = _bare(match.group(1))
        if match.group(1)[:1].isupper() and before not in given and before not in _HONORIFICS:
            return False
    return True


def _given_name_alone(last: str, given: frozenset[str], text: str) -> bool:
    """A person named in full is also named by the given name alone ("Anil" for Anil Ambani,
    when his brother Mukesh shares the surname), unless another surname follows it ("Anil
    Kumble" is someone else)."""
    if not given or any(len(g) < 3 for g in given):
        return False
    first = sorted(given, key=len)[-1]
    pattern = rf"\b(?i:{re.escape(first)})\b(?:['’]s)?(\s+[A-Z][\w'’-]*)?"
    uses = list(re.finditer(pattern, text))
    return bool(uses) and all(
        m.group()[:1].isupper() and (not m.group(1) or _bare(m.group(1)) in ({last} | given))
        for m in uses
    )


def _names_in_sentence(asked: _Asked, text: str) -> bool:
    present = set(tokens(text))
    acronyms = _acronyms(text)
    return all(_named(asked, i, present, acronyms, text) for i in range(len(asked.name_tokens)))


def _together(name: str, text: str) -> bool:
    """A name of several words is there as a name, not as words scattered about: "Football
    League" is not in a sentence about the Premier League's football. Only checked when every
    word is there as written (an acronym or an adjective form cannot be placed)."""
    words = re.findall(r"[\w'’.-]+", name)
    if len(words) < 2:
        return True
    if not {w.lower() for w in words} <= {t.lower() for t in tokens(text)}:
        return True
    gap = r"(?:\s+[\w'’.-]+)?\s+"  # one word may come between ("Barack Hussein Obama")
    return bool(re.search(gap.join(re.escape(w) for w in words), text, re.IGNORECASE))


# Words of an organisation's name that do not tell it from others ("Baikal *Finance Group*").
_GENERIC_NAME_WORDS = frozenset(
    "group company companies corporation corp inc ltd plc bank finance financial holding "
    "holdings international national general united new the of and for".split()
)


def _initials(name: str) -> set[str]:
    """A name's initials, lower case, with and without its hyphenated parts' own ("WAA" and
    "WADA" for the World Anti-Doping Agency); none for a one-word name."""
    if len(name.split()) < 2:
        return set()
    out = set()
    for pattern in (r"[\w'’.-]+", r"[\w'’.]+"):  # hyphenated words whole, then in parts
        words = [w for w in re.findall(pattern, name) if w.lower() not in _LINK_WORDS]
        if len(words) >= 2:
            out.add("".join(w[0] for w in words).lower())
    return out


_LINK_WORDS = frozenset(("of", "the", "and", "for"))


def _alias_present(name: str, present: set[str], text: str) -> bool:
    """A name of several words said the short way: by its initials ("LSE" for the London
    Stock Exchange), or, once the article has given it in full nearby, by its distinctive
    word ("Baikal paid …" after "Baikal Finance Group outbid …")."""
    words = [w for w in re.findall(r"[\w'’.-]+", name) if w]
    if len(words) < 2:
        return False
    if _initials(name) & present:
        return True
    distinctive = [w.lower() for w in words if w.lower() not in _GENERIC_NAME_WORDS]
    # The first such word ("Baikal"), or the last (a surname: "Varga" for "Nikos Varga").
    short = {w for w in distinctive[:1] + distinctive[-1:] if len(w) >= 4}
    if not short & present:
        return False
    if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
        return True
    # A person by title and surname ("Mr Ebbers" for "Bernie Ebbers").
    last = distinctive[-1] if distinctive else ""
    return last in present and bool(
        re.search(rf"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+{re.escape(last)}\b", text, re.IGNORECASE)
    )


def _qualified(asked: _Asked, passage: Passage) -> bool:
    """The years and the superlatives or ordinals the question gives are there ("the fourth
    pick in 1987" is not answered by a sentence about 1988's first pick)."""
    if asked.years:
        years = set(
            _YEAR.findall(" ".join((passage.text, passage.context, passage.earlier, passage.title)))
        )
        if passage.published_at is not None:
            years.add(str(passage.published_at.year))
        if not asked.years <= years:
            return False
    if asked.qualifiers - {"now"}:
        words = {w.lower() for w in tokens(f"{passage.text} {passage.context}")}
        if not asked.qualifiers - {"now"} <= words:
            return False
    unnamed = asked.info.text
    for name in asked.names:  # "the World Anti-Doping Agency" asks about no worldwide figure
        unnamed = unnamed.replace(name, " ")
    if _WORLDWIDE.search(unnamed) and not _WORLDWIDE.search(f"{passage.text} {passage.context}"):
        return False  # "global shipments": a share of one country's is another figure
    rated = asked.info.kind in (q.HOW_MANY, q.HOW_MUCH, q.FIGURE)  # "a year" answers how long
    if rated and not _same_period(asked.info.text, passage.text):
        return False  # "how many foxes did hunts kill *each year*": not one Saturday's 91
    # "How much will *each* pay": a total is not the answer.
    return not asked.scoped or bool(_SCOPE.search(passage.text))


_PER_PERIOD = re.compile(
    r"\b(?:each|every|per|a|an)\s+(day|week|month|year)\b"
    r"|\b(dai|week|month|year|annual)ly\b|\b(annual)\b",
    re.IGNORECASE,
)


def _rates(text: str) -> set[str]:
    """The periods a text gives a figure per ("each year", "a week", "annually")."""
    found = set()
    for match in _PER_PERIOD.finditer(text):
        word = next((g for g in match.groups() if g), "").lower()
        found.add({"dai": "day", "annual": "year"}.get(word, word))
    return found


def _same_period(question: str, sentence: str) -> bool:
    """A question asking for a figure per period ("how much does asylum cost *a year*") is
    answered by a figure per the same period ("£1.2bn a year", "annual"), not a one-off."""
    asked = _rates(question)
    return not asked or bool(asked & _rates(sentence))


def _name_present(name: frozenset[str], present: set[str], acronyms: set[str]) -> bool:
    """Every word of the name is there, as written, as an acronym ("EU" for "European Union"),
    or as its adjective ("Japan" in "Japanese")."""
    undotted = {p.replace(".", "") for p in present if "." in p}  # "M.B.A." is "MBA"
    for word in name:
        if word in present or word in acronyms or NAME_FORMS.get(word, frozenset()) & present:
            continue
        if word.replace(".", "") in undotted:
            continue
        if len(word) >= 4 and any(
            len(p) > len(word) and p.startswith(word[: max(4, int(0.8 * len(word)) + 1)])
            for p in present
        ):
            continue
        return False
    return True


_CAPITAL_RUN = re.compile(r"(?:\b[A-Z][a-z]+\b(?:\s+(?:of|for|and)\s+|\s+)?){2,}")


def _acronyms(text: str) -> set[str]:
    out = set()
    for match in _CAPITAL_RUN.finditer(text):
        capitals = [w[0] for w in match.group().split() if w[0].isupper()]
        for size in range(2, len(capitals) + 1):
            for start in range(len(capitals) - size + 1):
                out.add("".join(capitals[start : start + size]).lower())
    return out


def _may_be_about(asked: _Asked, passage: Passage) -> bool:
    """A cheap first look, before any parse: the names are there and not too many other words
    are missing (one more than `_about_score` allows, for irregular forms a lemma would match)."""
    sentence = set(tokens(passage.text))
    around = sentence | set(tokens(passage.context))
    if asked.name_tokens:
        group = _group_named(asked, passage)
        named = around | set(tokens(passage.title)) | group
        text = " ".join(
            (passage.text, passage.context, passage.title, passage.lead if group else "")
        )
        acronyms = _acronyms(text)
        if not all(_named(asked, i, named, acronyms, text) for i in range(len(asked.name_tokens))):
            return False
    if not _qualified(asked, passage):
        return False
    # The headline says what the whole article is about ("GM in *crunch talks*"): its words
    # count as said around every sentence, as the sentences before it do.
    stems = {stem(t) for t in around | set(tokens(passage.earlier)) | set(tokens(passage.title))}
    missing = sum(1 for t in asked.others if not (SYNONYMS.get(t, frozenset()) | {t}) & stems)
    return missing <= len(asked.others) // 3 + 2


# A group referred back to ("*The pair* then spent four days in hospital", "charged *them*").
_GROUP_BACK = re.compile(r"\b(?i:the\s+(?:pair|duo|two|couple|trio)|they|them|their)\b")


def _group_named(asked: _Asked, passage: Passage) -> set[str]:
    """The words the article opens with (its first sentence and headline), when the sentence
    refers to what the article is about without naming it: "the pair", "them" for the people
    the article opens with ("Sprinters Kostas Kenteris and Katerina Thanou have been suspended
    …"), when the question asks about several and the sentence names no person; "he", "the
    company", "the gadget" for its main subject, when the sentence names no person,
    organisation or product that could be meant instead. Empty otherwise (and without stored
    entities: nothing is known then about whom the sentence names)."""
    if not passage.lead or passage.entities is None:
        return set()
    labels = {label for _, label in passage.entities}
    if len(asked.name_tokens) >= 2 and _GROUP_BACK.search(passage.text):
        return set() if "PERSON" in labels else set(tokens(passage.lead))
    refers = (
        _MENTIONS_BACK.search(passage.text)
        or _REFERS_BACK.match(passage.text)
        or _DESCRIPTION.search(passage.text)
    )
    if refers and not labels & _OWNER_LABELS:
        return set(tokens(passage.lead)) | set(tokens(passage.title))
    return set()


def _names_given(asked: _Asked, passage: Passage, sentence: set[str]) -> bool:
    """Every name the question gives is what the sentence is about. The one the question's
    action is about, when the sentence itself does not give it, counts only when the sentence
    refers back ("He said …", "his client", "The company …"): "Two auditors will stand trial"
    after a sentence naming Tonna does not say when Tonna will. The article's title names what
    all of it is about."""
    named = sentence | set(tokens(passage.title)) | set(tokens(passage.context))
    own = sentence | set(tokens(passage.title))
    if _REFERS_BACK.match(passage.text) or _MENTIONS_BACK.search(passage.text):
        own = named
    if asked.subject and not asked.subject <= own:
        # Only the subject: "Finance Minister Dimas …" after "Lawmakers in Greece …" answers
        # "who is the Greek finance minister?".
        named = own
    if asked.info.wants_quantity:
        # A figure belongs to what its own sentence names: "5 million people were homeless"
        # after a sentence about Sweden is not Sweden's figure. A sentence that opens by
        # referring back ("The organization had purchased …") is about the one before it.
        named = sentence
        if _REFERS_BACK.match(passage.text):
            named = sentence | set(tokens(passage.context))
        if _DEFINITE_OPENING.match(passage.text) or _describes_the_subject(passage):
            # "*The company* plans to buy back 52 million shares" under "Share boost for
            # Reliance": a description, unlike "It", may point past the sentence before to
            # what the whole article is about.
            named |= set(tokens(passage.title))
        if _DEFINITE_AGE.search(passage.text):
            named |= set(tokens(passage.title))  # "the 76-year-old owner": the one it is about
    group = _group_named(asked, passage)
    named |= group
    acronyms = _acronyms(" ".join((passage.text, passage.context, passage.earlier, passage.title)))
    text = " ".join((passage.text, passage.context, passage.title, passage.lead if group else ""))
    return all(_named(asked, i, named, acronyms, text) for i in range(len(asked.name_tokens)))


# Entities that could own a figure themselves ("Nintendo's DS … sells for $150").
_OWNER_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART"})


def _describes_the_subject(passage: Passage) -> bool:
    """The sentence refers to something only by a description ("… the gadget, which costs
    $250") and names no person, organisation or product that could be what it describes: the
    headline's subject is. Only with the stored entities (without them nothing is known)."""
    if passage.entities is None or not _DESCRIPTION.search(passage.text):
        return False
    if re.match(r"^\W*(?i:it|they|he|she)\b", passage.text):
        return False  # "It employs 427,000 staff": whoever the sentence before names
    return not any(label in _OWNER_LABELS for _, label in passage.entities)


# (Not "the end of 2004": with the optional adjective, "of" itself could pass as the noun.)
_DESCRIPTION = re.compile(r"\b(?i:the)\s+(?:[a-z][\w-]*\s+)?(?!of\b)[a-z][\w-]*\b(?!\s+of\b)")


def _about_score(asked: _Asked, passage: Passage, parse: _Parse, *, strict: bool) -> float | None:
    """How well the passage (with the sentence before it) is about what the question is about;
    None when it is about something else (a name missing, the action missing, the role missing,
    too many other words missing)."""
    sentence = set(tokens(passage.text))
    around = sentence | set(tokens(passage.context)) | set(tokens(passage.earlier))
    if asked.name_tokens and not _names_given(asked, passage, sentence):
        return None
    if not _qualified(asked, passage):
        return None
    stems_here = {stem(t) for t in sentence} | parse.lemmas
    stems_around = stems_here | {stem(t) for t in around | set(tokens(passage.title))}
    if asked.verb:
        options = _options(asked)
        # A place, date or named thing answers only beside the action it answers for; the
        # sentence before may hold the action for other kinds ("He did …" after "Putin …").
        stems_for_verb = stems_here if asked.info.kind in _TIED_TO_VERB else stems_around
        agent = asked.agent if asked.info.kind in (q.WHO, q.WHICH) else frozenset()
        if options & stems_for_verb or agent & stems_here:
            if _other_subject(asked, options, parse) or _someone_else_does_it(
                asked, options, parse
            ):
                return None
        elif asked.info.kind not in _UNTYPED_OPEN or not _rest_in_sentence(
            asked, passage, stems_here
        ):
            return None
    if asked.role and asked.role not in stems_here:
        return None
    if asked.role_words and not _role_said(asked, passage.text):
        return None
    if _role_of_another(asked, passage.text):
        return None
    present = [t for t in asked.others if (SYNONYMS.get(t, frozenset()) | {t}) & stems_around]
    missing = len(asked.others) - len(present)
    allowed = 0 if strict else len(asked.others) // 3
    typed = asked.info.kind not in (q.WHAT, q.YES_NO, q.WHICH) or (
        asked.info.kind == q.WHICH and asked.info.unit and stem(asked.info.unit) in stems_here
    )
    if not strict and typed and (len(asked.others) >= 2 or asked.info.kind == q.WHICH):
        allowed = max(allowed, 1)  # the answer's type (or the thing asked for) is there too
    if missing > allowed:
        return None
    in_sentence = sum(1 for t in asked.others if t in stems_here)
    total = len(asked.others) or 1
    return 0.5 * len(present) / total + 0.5 * in_sentence / total


# Kinds whose answer is a statement, not a figure or a name: "how did the law lords *vote*"
# is answered by "ruled by a majority of eight to one".
_UNTYPED_OPEN = (q.WHAT, q.WHY)


def _reworded(asked: _Asked, passage: Passage, parse: _Parse, parsed: bool) -> bool:
    """The sentence names everything the question names and holds an answer of the asked kind
    (a figure, a date, a name), though not the asked action in the question's words: "Marsh is
    to cut 2,500 more jobs" for "how many jobs is Marsh getting rid of?". Not an answer (the
    figure may be another one's), but the closest thing the articles say."""
    if asked.info.kind in _UNTYPED or not _names_in_sentence(asked, passage.text):
        return False
    if not asked.name_tokens:
        # Nothing named to tie it to the question: most of the question's other words, then.
        here = {stem(t) for t in tokens(passage.text)} | parse.lemmas
        if 2 * sum(1 for t in asked.others if t in here) < max(1, len(asked.others)):
            return False
    spans = answer_spans(spell_out_roles(passage.text), asked.info, parse.ents if parsed else None)
    return any(spans)


def _rest_in_sentence(asked: _Asked, passage: Passage, stems_here: set[str]) -> bool:
    """The action is said another way: every other word of the question and every name it
    gives are in the sentence itself, so the sentence is about the same thing."""
    if not asked.others:
        return False
    if not all((SYNONYMS.get(t, frozenset()) | {t}) & stems_here for t in asked.others):
        return False
    return not asked.name_tokens or _names_in_sentence(asked, passage.text)


def _other_subject(asked: _Asked, options: frozenset[str], parse: _Parse) -> bool:
    """True when the sentence is about someone else doing it: every use of the asked verb has
    a named subject other than the one asked about ("China has promised …" for "how much did
    Japan pledge?"), or the one asked about is nobody's subject while the main clause names
    another ("Ukraine said … to accept … with Russia" for "did Russia accept?")."""
    if not asked.subject:
        return False
    # Who does it, or whom it is done to ("the twins were born …" for "when was Obama born?").
    uses = [
        (v.doer, v.proper or bool(v.doer_name)) if v.doer else (v.patient, bool(v.patient_name))
        for v in parse.verbs
        if v.stems & options
    ]
    if uses and all(
        proper and subject and not _is_asked(subject, asked) for subject, proper in uses
    ):
        return True
    return bool(
        parse.root_subject
        and not parse.root_subject & asked.subject
        and not parse.subjects & asked.subject
    )


def _role_said(asked: _Asked, text: str) -> bool:
    """Some mention of the role comes with the words that say which one ("interior minister")."""
    words = [w.lower() for w in re.findall(r"[\w'’-]+", spell_out_roles(text))]
    return any(
        stem(_bare(word)) == asked.role and asked.role_words <= set(words[max(0, i - 3) : i])
        for i, word in enumerate(words)
    )


def _is_asked(words: frozenset[str], asked: _Asked) -> bool:
    """The subject `words` is the one the question asks about: shares its words, and is not a
    namesake ("Mira Kellow" for "Dara Kellow"; "President Kellow" is still Dara Kellow)."""
    if not words & asked.subject:
        return False
    for entry in asked.surnames:
        if entry is None:
            continue
        last, given = entry
        if last in words and not given & words and words - {last} - _HONORIFICS - asked.subject:
            return False
    return True


def _someone_else_does_it(asked: _Asked, options: frozenset[str], parse: _Parse) -> bool:
    """True when the question's subject is a thing ("where was the *flight* heading") and every
    use of the asked verb in the sentence has a named doer that is not it ("Angus Houston will
    head a centre in Perth"): the verb is there in another sense, about someone else."""
    if not asked.noun_subject:
        return False
    uses = [v for v in parse.verbs if v.stems & options]
    return bool(uses) and all(v.proper and v.doer and not v.doer & asked.noun_subject for v in uses)


_RELATIVE = frozenset(("who", "which", "that", "whom"))
_PRONOUNS = frozenset("he she it they we i you his her its their".split())


def _doer(verb: Any, deps: tuple[str, ...]) -> tuple[frozenset[str], str]:
    """The words of who takes the `deps` part in `verb` (its subject; for "nsubj" also the
    "by …" agent of a passive), and that phrase when it holds a name or nationality. A relative
    "who" is whoever the clause is about ("Rapanos, who is expected to be named …")."""
    parts = [c for c in verb.children if c.dep_ in deps]
    if "nsubj" in deps:
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        for agent in verb.children:
            if agent.dep_ != "agent" and not (passive and agent.lower_ == "by"):
                continue
            parts += [c for c in agent.children if c.dep_ == "pobj"]
    phrases = []
    for part in parts:
        if part.lower_ in _RELATIVE and verb.dep_ == "relcl":
            head = verb.head
            heads = [head, head.head] if head.dep_ == "appos" else [head]
            for h in heads:
                phrases.append([c for c in h.children if c.dep_ in ("compound", "flat")] + [h])
        else:
            # The phrase without a clause about it ("a German team[, who warn …]").
            clause = {w.i for c in part.children if c.dep_ == "relcl" for w in c.subtree}
            phrases.append([w for w in part.subtree if w.i not in clause and not w.is_punct])
    words = frozenset(tokens(" ".join(w.text for phrase in phrases for w in phrase)))
    named = [
        phrase
        for phrase in phrases
        if any(w.ent_type_ or w.pos_ == "PROPN" for w in phrase)
        and not any(w.lower_ in _RELATIVE for w in phrase)
    ]
    name = " ".join(w.text for w in sorted(named[0], key=lambda w: w.i)) if named else ""
    return words, name


def _options(asked: _Asked) -> frozenset[str]:
    return asked.verb.union(*(SYNONYMS.get(v, frozenset()) for v in asked.verb))


def _who_spans(asked: _Asked, text: str, parse: _Parse, spans: Sequence[str]) -> list[str]:
    """For "who …" with an action: the names that do the action in this sentence, not any name
    in a sentence near one that mentions it. "Who will monitor it?" wants whoever monitors;
    "who was named …" whoever was named; "who hacked it" may be "a German team"; "who leads
    Syriza" may be answered by "Tsipras, Syriza's leader" (the action as a noun)."""
    options = _options(asked)
    uses = [v for v in parse.verbs if v.stems & options]
    if uses:
        if asked.object_asked:
            # "Who did the Knicks pick?": whom the action is done to, by the one asked about
            # (or by "he", "they": the sentence before says who).
            named = [
                v.object_name
                for v in uses
                if v.object_name
                and (not asked.subject or not v.doer or v.doer & (asked.subject | _PRONOUNS))
            ]
            return [n for n in named if _outside(n, asked)]
        if asked.passive:
            people = frozenset().union(*(v.patient for v in uses))
            named = [v.patient_name for v in uses if v.patient_name]
        elif not any(v.doer or v.patient for v in uses):
            # "Ray was the older guy …, selling them pot": the parse gives the action no
            # subject (nor is it passive: "how it would be monitored" says by nobody); a
            # person in the sentence (not one the question names) does it.
            return [s for s in spans if _outside(s, asked) and _is_person(s, parse)]
        else:
            people = frozenset().union(*(v.doer for v in uses))
            named = [v.doer_name for v in uses if v.doer_name]
        found = [s for s in spans if people and set(tokens(s)) & people]
        return found or [n for n in named if _outside(n, asked)]
    return _agent_noun_names(asked, text, parse)


# How far (in characters) a person's name may stand from the noun for what they do: "Alexis
# Tsipras, Syriza's leader", "head of the mobile business J.K. Shin".
AGENT_NOUN_GAP = 30


def _agent_noun_names(asked: _Asked, text: str, parse: _Parse) -> list[str]:
    """People named right next to the noun for the asked action, when the noun is not someone
    else's ("the leader of Syriza" answers "who leads Syriza?"; "European leaders" does not)."""
    nouns = [m for m in re.finditer(r"[\w'’-]+", text) if stem(_bare(m.group())) in asked.agent]
    if not nouns or _role_of_another(replace(asked, role=stem(_bare(nouns[0].group()))), text):
        return []
    found = []
    for name, label in parse.ents:
        if label != "PERSON" or not _outside(name, asked):
            continue
        at = text.find(name)
        if at < 0:
            continue
        end = at + len(name)
        if any(
            0 <= m.start() - end <= AGENT_NOUN_GAP or 0 <= at - m.end() <= AGENT_NOUN_GAP
            for m in nouns
        ):
            found.append(name)
    return found


def _holds_a_name(span: str, asked: _Asked) -> bool:
    """The span is one of the question's names (maybe in a longer form: "Barack Obama")."""
    words = set(tokens(span))
    return any(name and name <= words for name in asked.name_tokens)


def _is_person(span: str, parse: _Parse) -> bool:
    return any(span == text and label == "PERSON" for text, label in parse.ents)


def _is_entity(span: str, parse: _Parse) -> bool:
    return any(span == text and label in ("PERSON", "ORG") for text, label in parse.ents)


def _outside(name: str, asked: _Asked) -> bool:
    """A name that is not one the question already gives."""
    words = set(tokens(name))
    return bool(words) and not any(words <= n for n in asked.name_tokens)


def _has_number(name: str) -> bool:
    return any(ch.isdigit() for ch in name)


def _role_of_another(asked: _Asked, text: str) -> bool:
    """True when every mention of the asked role in the sentence belongs to someone else: "Samsung's
    chief executive", "the chief executive of the Barclays Premier League", "NBC Sports Group
    chairman" or "the French interior minister" for "who is the chief executive of HTC?" (a role
    with no owner, "Prime Minister Naoto Kan", belongs to whoever the article is about)."""
    if not asked.role or not asked.name_tokens:
        return False
    text = spell_out_roles(text)
    found = list(re.finditer(r"[\w'’.&-]+", text))
    words = [m.group() for m in found]
    owners: list[set[str] | None] = []
    for i, word in enumerate(words):
        if stem(_bare(word.split("-")[-1])) != asked.role:
            continue
        owner: set[str] | None = None
        for before in words[max(0, i - 3) : i]:
            if before[0].isupper() and re.search(r"['’]s$", before):
                owner = {_bare(before)}
        after = words[i + 1 : i + 6]
        if after[:1] in (["of"], ["for"], ["at"]):
            # "chief executive of HTC", "spokesman for Lycos Europe", "analyst at Nomura".
            owner = _capital_run(after[2:] if after[1:2] == ["the"] else after[1:]) or owner
        if owner is None:
            # Capitalised words just before the role, past lower-case parts of its title
            # ("*NBC Sports Group* chairman", "*French* interior minister"); not across a
            # comma, where they name who holds it ("said Malte Pollmann, spokesman for …").
            j = i - 1
            while j >= 0 and _bare(words[j]) in _TITLE_WORDS:
                j -= 1
            run: list[str] = []
            appositive = j >= 0 and "," in text[found[j].end() : found[j + 1].start()]
            while (
                not appositive
                and j >= 0
                and words[j][:1].isupper()
                and _bare(words[j]) not in _TITLE_WORDS
            ):
                run.insert(0, words[j])
                j -= 1
            if run:
                owner = {_bare(w) for w in run}
        owners.append(owner)
    if not owners or any(o is None for o in owners):
        return False
    # An owner given by the name's initials ("VGE chief executive") is the one asked about.
    initials = {i for n in asked.names for i in _initials(n)}
    return not any(
        _name_present(name, o, set()) or o & initials
        for o in owners
        if o
        for name in asked.name_tokens
    )


# Capitalised words that are part of a title, not whose title it is ("Prime Minister").
_TITLE_WORDS = frozenset(
    "prime deputy vice chief first senior acting foreign finance interior home defence defense "
    "general special executive the a an former new outgoing incoming current then".split()
)


def _capital_run(words: Sequence[str]) -> set[str]:
    run = []
    for word in words:
        if not word[:1].isupper():
            break
        run.append(_bare(word))
    return set(run)


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word.strip(".,'’")).lower()


def _rank(asked: _Asked, passage: Passage, about: float, spans: Sequence[str] = ()) -> float:
    score = about + 0.5 * passage.score
    if asked.info.kind == q.WHICH and any(spans):
        score += 0.2  # "which processor": naming one beats only saying "processor"
    if asked.info.kind == q.WHEN and any(re.search(r"\d", s) for s in spans):
        score += 0.1  # "on May 25" answers "when" better than "in May"
    elif asked.info.kind == q.WHEN and not any(_CALENDAR.search(s) for s in spans):
        score -= 0.15  # "last week", "the day after": no day a reader could put in a diary
    if asked.verb and _options(asked) & {stem(t) for t in tokens(passage.text)}:
        score += 0.1  # the action in the sentence itself, not only in the one before
    if asked.name_tokens and _names_in_sentence(asked, passage.text):
        score += 0.1  # the sentence names what was asked, not only its title or neighbour
    if "now" in asked.qualifiers and _NOW.search(passage.text):
        score += 0.2  # "what is it called now": "is now known as" over "have called"
    if passage.preferred:
        score += 0.3
    if _MODAL.search(passage.text) and not asked.modal:
        score -= 0.15  # "a small earthquake might last a second" is not what happened
    if _PRONOUN_OPENING.match(passage.text):
        score -= 0.25  # "He did not accept…" does not stand alone: another sentence should
    if asked.role and _former(asked.role, passage.text):
        score -= 0.3  # "who is the president" asks for the holder now, not "former President X"
    return score - 0.002 * passage.position


_CALENDAR = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|"
    r"aug|sep|sept|oct|nov|dec)\b",
    re.IGNORECASE,
)
_FORMER = re.compile(
    r"\b(?:former|ex|late|then|previous|outgoing)[\s-]+((?:[\w'’-]+\s+){0,2}[\w'’-]+)", re.I
)


def _former(role: str, text: str) -> bool:
    """Every mention of the role in the sentence is a past holder's ("former Cypriot President")."""
    mentions = [w for w in re.findall(r"[\w'’-]+", text) if stem(_bare(w)) == role]
    past = [
        m for m in _FORMER.finditer(text) if any(stem(_bare(w)) == role for w in m.group(1).split())
    ]
    return bool(mentions) and len(past) >= len(mentions)


def _choose(asked: _Asked, passing: Sequence[_Candidate]) -> _Candidate:
    ordered = sorted(passing, key=lambda c: (-c.score, c.passage.article_id, c.passage.position))
    best = ordered[0]
    if asked.info.wants_quantity:
        # Articles disagree on a figure: the latest one supersedes (and says "as of").
        close = [c for c in ordered if c.score >= best.score - FIGURE_WINDOW]
        return max(close, key=lambda c: (_when(c.passage, float("-inf")), c.score))
    close = [c for c in ordered if c.score >= best.score - FIRST_REPORT_WINDOW]
    return min(close, key=lambda c: (_when(c.passage, float("inf")), -c.score))


def _when(passage: Passage, unknown: float) -> float:
    return passage.published_at.timestamp() if passage.published_at else unknown


def _as_of(chosen: _Candidate, passing: Sequence[_Candidate]) -> str:
    """ "As of 1 Jan 2005, " when another article gives a different figure for the same thing."""
    if chosen.passage.published_at is None or not chosen.spans or not chosen.spans[0]:
        return ""
    mine = {_figure(s) for s in chosen.spans}
    for other in passing:
        if other.passage.article_id == chosen.passage.article_id or not other.spans:
            continue
        theirs = {_figure(s) for s in other.spans if s}
        if theirs and not theirs & mine and other.score >= chosen.score - FIGURE_WINDOW:
            day = chosen.passage.published_at
            return f"As of {day.day} {day:%b %Y}: "
    return ""


def _figure(span: str) -> str:
    return re.sub(r"[^\d.]", "", span) or span.lower()


def _decline(asked: _Asked, passages: Sequence[Passage], near: Sequence[Passage]) -> AnswerDraft:
    """ "The stored articles don't say …", naming what no passage mentions when that is why,
    then the closest passage, labelled, when one came near."""
    present = {t for p in passages for t in tokens(f"{p.text} {p.context} {p.title}")}
    absent = [
        name
        for name, words in zip(asked.names, asked.name_tokens, strict=True)
        if not words <= present
    ]
    question = asked.info.text.strip().rstrip("?").strip()
    if absent:
        text = f"The stored articles don't say anything about {absent[0]}."
    else:
        text = f"The stored articles don't say; none of them answers “{question}?”"
    sentences = [AnswerSentence(text, ())]
    if near:
        closest = near[0]
        sentences.append(
            AnswerSentence(
                f"The closest they come: “{closest.text.strip()}”", (closest.article_id,)
            )
        )
    return AnswerDraft(False, " ".join(s.text for s in sentences), (), tuple(sentences))
