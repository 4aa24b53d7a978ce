"""The offline extractive summarizer: picks and trims the articles' own sentences.

Algorithm (multi-document aware, deterministic, pure Python):

1. Articles are put in natural id order ("2" before "10"), so input order never matters.
   Each body is split with `sentences.split_sentences`; title restatements, datelines, bylines,
   boilerplate ("Sign up", "Leave a Reply"), sentences under 6 or over 70 words are dropped.
2. Every kept sentence gets a TF-IDF vector over its stemmed content words (IDF over sentences).
   The topic centroid is the sum of the articles' normalized vectors (each article weighs the
   same), and a sentence's *centrality* is its cosine to that centroid.
3. `sections.analyze` labels each sentence (key provision / open question / next step / none)
   and scores how briefable it is. The base score combines briefability, centrality, lead
   position in its article, topic-keyword match and how on-topic its whole article is.
4. For the best candidates only (`_POOL` overall plus `_POOL_PER_SECTION` per section), every
   sentence of every article that says the same thing is found through an inverted index
   (TF-IDF cosine or content-word overlap above a threshold). Those articles *report the
   point*: the bullet cites all of them, and a point reported by more outlets scores higher.
5. Greedy selection by final score: a candidate is skipped when it repeats any bullet already
   chosen in any section (TF-IDF cosine, Jaccard, or second-order "expanded" cosine above
   `_SAME_SECTION` / `_CROSS_SECTION`), or belongs to a chosen bullet's point. At most
   `section_cap(section)` bullets per section; weak candidates are left out (fewer bullets are
   fine); bullets are ordered by importance.
   Articles that never name the topic weigh `_OFF_TOPIC`, so they are cited only as a last
   resort.
6. Each bullet loses a leading connective ("However,", "According to the statement,"), gets
   " (reported by N sources)" when N >= 2 distinct outlets carry it, and is trimmed to
   `MAX_BULLET_CHARS` with `sentences.trim_sentence`.

Ties are broken by article id then sentence position; no set or hash order reaches the output.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from scipy import sparse

from bot.llm.model_output import strip_foreign_links, tidy
from bot.nlp.features import Marks, SentenceFeatures
from bot.summarize import marks as mk
from bot.summarize import salience
from bot.summarize.analysis import ANALYZER_VERSION, analyze_article, cardinals
from bot.summarize.gc_pause import without_gc
from bot.summarize.marks import (
    leans_on_context,
    reports_what_happened,
    sentence_marks,
    speaks_for_itself,
)
from bot.summarize.model import (
    SECTIONS,
    ArticleInput,
    Brief,
    Bullet,
    StoryRef,
    build_brief,
    section_cap,
)
from bot.summarize.names import name_terms
from bot.summarize.sections import SectionLabel
from bot.summarize.sentences import content_words, terms, trim_sentence
from bot.summarize.stories import (
    MAX_ARTICLES_READ,
    cluster_matrix,
    largest_stories,
    read_budget,
    stored_counts_and_terms,
)
from bot.summarize.support import ALIASES

__all__ = [
    "MAX_BULLET_CHARS",
    "ExtractiveSummarizer",
    "leans_on_context",
    "natural_key",
    "reports_what_happened",
    "similarity",
    "speaks_for_itself",
]

MAX_BULLET_CHARS = 280

# Moved to `marks` (computed at ingestion there too); the names this module knew them by.
_CaseFree = mk.CaseFree
_OPEN_FORM = mk.OPEN_FORM_RE
_PREFIX = mk.PREFIX
_UNITED_STATES = mk.UNITED_STATES_RE
_terms = mk.short_terms

_MIN_WORDS = 6
_MAX_WORDS = 70
_POOL = 60
_POOL_PER_SECTION = 25
# Two sentences report the same point: TF-IDF cosine, or overlap of content-word sets.
_SUPPORT_COSINE = 0.42
_SUPPORT_OVERLAP = 0.6  # |A & B| / min(|A|, |B|), with at least _SUPPORT_MIN_SHARED shared
_SUPPORT_MIN_SHARED = 4
# Redundancy between bullets: (cosine, jaccard, expanded cosine) thresholds. The expanded
# cosine compares sentences through their neighbourhoods (second-order similarity), which
# catches a point reworded with other words ("embraced"/"accepted") in the same collection.
_SAME_SECTION = (0.30, 0.25, 0.35)
_CROSS_SECTION = (0.40, 0.33, 0.60)
# A later report's lede sharing this much of all its words with a bullet is that line again.
_SAME_LINE = 0.6
_EXPAND_MIN = 0.2  # neighbours at least this similar join the expansion
# A bullet must reach this share of its section's best final score, and this briefability.
_MIN_RELATIVE = 0.25
_MIN_BRIEFABILITY = 1.0
# Key provisions in a window of few reports; more (up to `section_cap`) when its stories have
# more reports, one per report (`_key_provision_cap`).
_KEY_PROVISIONS = 7
_DETAIL_SLOTS = 2
# Each bullet a story already has in a section scales its next candidates by this.
_STORY_DECAY = 0.8
# A key provision's, by this for every bullet its article already has: each report adds its
# own news (its lede) before one report gives a second detail.
_ARTICLE_DECAY = 0.5
# A sentence's weight for being its article's lede: 1 / sqrt(1 + position / _LEDE_SCALE).
# News put what happened first; a steeper curve (and its larger weight against centrality)
# raised key-fact recall and ROUGE in bench/eval_summarizer.py.
_LEDE_SCALE = 1.0
_W_CENT = 0.3
_W_LEDE = 0.45
# Same-section candidates this alike (synonym-folded Jaccard) restate a chosen bullet: their
# article is cited by it (stricter than the repetition test, which only drops them).
_RESTATES = 0.35
# A story with a fraction f of the biggest story's articles weighs _STORY_FLOOR + rest * sqrt(f).
_STORY_FLOOR = 0.6
# Postings longer than this share of all sentences (and than _MIN_POSTING_LIMIT) are skipped
# when looking for support: such terms have a tiny IDF and would make the search quadratic.
_MAX_POSTING_SHARE = 0.1
_MIN_POSTING_LIMIT = 200
# Relevance of an article that never names the topic (the others get 0.25 to 1).
_OFF_TOPIC = 0.1
_MAX_NEIGHBOURS = 40  # topic-naming articles an off-topic one is compared with


_LEAD_CONNECTIVE = re.compile(
    r"^(?:however|moreover|meanwhile|in addition|additionally|also|furthermore|separately"
    r"|still|yet|so|finally|similarly|instead|indeed|notably|but|and)\s*,\s+"
    r"|^(?:however|moreover|meanwhile|furthermore|additionally|but|and)\s+"
    r"|^according to (?:the |a )?(?:joint )?(?:statement|document|text|readout|officials)\s*,\s+"
    r"|^in an? (?:[a-z-]+ ){0,3}(?:development|move|step|shift|reversal|twist|turn|sign)\s*,\s+",
    re.IGNORECASE,
)


# "Recognizing that X, the statement commits…" (not temporal "Following/During…" lead-ins).
_LEAD_PARTICIPLE = re.compile(
    r"^(?!(?:Following|During|Including|According|Citing|Pending|Beginning|Starting)\b)"
    r"[A-Z][a-z]+ing\b[^,;—]{0,120},\s+(?=(?:the|a|an|both|[A-Z][\w.]*)\b)"
)


def natural_key(article_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key: "2" < "10" < "a1" (digit runs compare as numbers)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.findall(r"\d+|\D+", article_id)
    )


# slots: a window of 5,000 articles holds ~100,000 of these (no per-instance __dict__).
@dataclass(slots=True)
class _Sentence:
    index: int  # global, in (article, position) order
    article: int  # index into the sorted articles
    position: int  # index among the article's kept sentences
    text: str
    # (term, count) of its distinct terms (see `_terms`), in first-seen order: the stored
    # pairs themselves, not a dictionary and a tuple made from them per sentence.
    pairs: Sequence[tuple[str, int]]
    # `term_set` once made (None: made when first read; a brief reads it for a minority of
    # its sentences).
    made_terms: frozenset[str] | None
    label: SectionLabel
    numbers: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    tense: str | None = None
    places: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    cardinals: frozenset[str] = frozenset()  # see `_Parsed`
    # The pattern results on `text` (`marks.sentence_marks`): stored at ingestion, else
    # computed when first needed (`_marks`); None again when the brief changes `text`.
    # (Here, not last, so that the brief passes it by position: faster, once per sentence.)
    marks: Marks | None = None
    central: float = 0.0  # cosine to its story's centroid
    superseded: bool = False  # a later article of its story overrides it (`_supersede`)
    # `vec` (its unit TF-IDF vector), made from `_vectorize`'s weights when first read: most
    # sentences are only ever compared through the sparse matrix.
    unit: dict[str, float] | None = None
    weights: _Weights | None = None
    # `vec` plus its neighbours' vectors weighted by similarity, normalized (pool sentences
    # only): its columns (ascending) and weights.
    expanded: tuple[np.ndarray, np.ndarray] | None = None
    base: float = 0.0
    final: float = 0.0
    # `marks.folded_terms(text)` as a set, made once when a repetition test first needs it.
    folded: frozenset[str] | None = None
    canonical: frozenset[str] | None = None

    @property
    def vec(self) -> dict[str, float]:
        """The unit TF-IDF vector, term to weight, in `pairs`' order (empty before
        `_vectorize`)."""
        if self.unit is None:
            w = self.weights
            if w is None:
                return {}
            start, end = w.indptr[self.index], w.indptr[self.index + 1]
            self.unit = dict(zip(map(_TERM, self.pairs), w.data[start:end].tolist(), strict=True))
        return self.unit

    @property
    def term_set(self) -> frozenset[str]:
        """Its distinct terms."""
        made = self.made_terms
        if made is None:
            made = self.made_terms = frozenset(map(_TERM, self.pairs))
        return made

    def canonical_terms(self) -> frozenset[str]:
        """`term_set` with `_ALIASES` applied (for the support check)."""
        if self.canonical is None:
            self.canonical = frozenset(_ALIASES.get(t, t) for t in self.term_set)
        return self.canonical

    def folded_terms(self) -> frozenset[str]:
        if self.folded is None:
            self.folded = frozenset(_marks(self).folded)
        return self.folded


_TERM = operator.itemgetter(0)  # of a (term, count) pair
_COUNT = operator.itemgetter(1)
_NAMES = operator.attrgetter("names")  # of a _Sentence
_ARTICLE = operator.attrgetter("article")
_PAIRS = operator.attrgetter("pairs")
_POSITION = operator.attrgetter("position")


def _marks(s: _Sentence) -> Marks:
    """`s`'s pattern results: stored at ingestion, else found now (once)."""
    if s.marks is None:
        s.marks = sentence_marks(s.text)
    return s.marks


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def similarity(a: str, b: str) -> tuple[float, float]:
    """(cosine of content-word counts, Jaccard of content-word sets) of two texts."""
    ca: dict[str, float] = {}
    cb: dict[str, float] = {}
    for t in content_words(a):
        ca[t] = ca.get(t, 0.0) + 1.0
    for t in content_words(b):
        cb[t] = cb.get(t, 0.0) + 1.0
    na = math.sqrt(sum(v * v for v in ca.values())) or 1.0
    nb = math.sqrt(sum(v * v for v in cb.values())) or 1.0
    cos = sum(v * cb[t] for t, v in ca.items() if t in cb) / (na * nb)
    return cos, _jaccard(frozenset(ca), frozenset(cb))


def _without_links(text: str) -> str:
    """A bullet without the bare URLs its article wrote: Slack would make them clickable links
    to wherever the article (or whoever wrote it) pointed. Citations carry the sources; the
    LLM path strips links the same way."""
    cleaned = strip_foreign_links(text)
    return text if cleaned == text else tidy(cleaned)


def _clean_bullet(text: str) -> str:
    """Drop lead-ins that carry no fact: connectives, evaluative openers, participial clauses."""
    out = text
    for _ in range(3):
        stripped = out
        # (No evaluative openers: "Of particular importance was X" loses its verb without them.)
        for pattern in (_LEAD_CONNECTIVE, _LEAD_PARTICIPLE):
            stripped = pattern.sub("", stripped, count=1)
        if stripped == out or len(stripped.split()) < _MIN_WORDS:
            break
        out = stripped
    return out[:1].upper() + out[1:]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# The analysis a cached parse came from: its analyzer version and its sentences.
_Seen = tuple[str | None, tuple[SentenceFeatures, ...] | None]


def _same_analysis(seen: _Seen, article: ArticleInput) -> bool:
    """Is `article`'s stored analysis the one `seen`? (Its title, text and date are.)"""
    version, sentences = seen
    if sentences is article.sentences:  # unchanged rows: the decoded-sentence cache's object
        return True
    if sentences is None or article.sentences is None:
        return False
    if version is not None and version == article.analysis_version:
        # One analyzer (rules and model) analyses the same title, text and date the same way:
        # in a brief worker process every brief's articles arrive as new objects.
        return True
    return sentences == article.sentences  # no version given: compare the features


class ExtractiveSummarizer:
    """Summarizer protocol implementation: no network, no randomness, same input same output."""

    name = "extractive"
    # Part of the brief cache key: bump when the output for the same articles changes.
    version = f"extractive-21+{ANALYZER_VERSION}"

    def __init__(self, *, cache_size: int = 1024) -> None:
        """`cache_size`: how many articles' parsed sentences to keep between calls (0: none).

        Parsing (splitting, tokenizing, labelling) is most of the work and depends on the
        article alone, so briefs over overlapping article sets reuse it. Output is the same
        with or without the cache.
        """
        self._cache_size = cache_size
        # Each entry keeps the stored analysis it was parsed from: the same article analysed
        # again (the analysis stage replacing an on-demand plain one, `db reindex`, a newer
        # analyzer) is parsed again, not served the old analysis's sentences.
        self._cache: OrderedDict[tuple[object, ...], tuple[_Seen, tuple[_Parsed, ...]]] = (
            OrderedDict()
        )

    def _parse(
        self,
        article: ArticleInput,
        *,
        lenient: bool = False,
        memo: dict[str, list[str]] | None = None,
    ) -> tuple[_Parsed, ...]:
        if self._cache_size <= 0:
            return _parse_article(article, lenient=lenient, memo=memo)
        key = (article.title, article.text, article.published_at, lenient)
        hit = self._cache.get(key)
        if hit is not None and _same_analysis(hit[0], article):
            self._cache.move_to_end(key)
            return hit[1]
        parsed = _parse_article(article, lenient=lenient, memo=memo)
        self._cache[key] = ((article.analysis_version, article.sentences), parsed)
        self._cache.move_to_end(key)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return parsed

    def summarize(
        self,
        topic: str,
        articles: Sequence[ArticleInput],
        *,
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> Brief:
        unique = _unique_sorted(articles)  # one article per id, whatever the input order
        read = _largest_stories(unique, topic)
        # (`unique` is in order already: not sorted a second time.)
        sections, stories = self._select_stories(
            topic, read if read is unique else _unique_sorted(read)
        )
        brief = build_brief(
            topic=topic,
            articles=read,
            sections=sections,
            stories=stories,
            since=since,
            until=until,
            generated_at=now,
            summarizer=self.name,
        )
        if len(read) < len(unique):  # said in the brief: "1,000 of 5,000 articles (...)"
            brief = replace(brief, articles_in_window=len(unique), read="largest stories")
        return brief

    def narrows(self, n: int) -> bool:
        """Does a brief of `n` articles read only some of them (`choose`)? Then its caller
        may hand `choose` articles carrying only their first LEDE_SENTENCES prose
        sentences' terms, and `summarize` only those chosen, fully analysed: the same brief,
        without decoding every sentence of a large window (`bot.service.briefs`)."""
        return n > MAX_ARTICLES_READ

    def choose(self, topic: str, articles: Sequence[ArticleInput]) -> list[ArticleInput]:
        """The articles `summarize` reads of these (all up to MAX_ARTICLES_READ, else the
        window's largest stories), chosen as it chooses them."""
        return _largest_stories(_unique_sorted(articles), topic)

    @without_gc
    def select_summary(
        self,
        articles: Sequence[ArticleInput],
        *,
        max_sentences: int | None = None,
        max_words: int | None = None,
    ) -> list[str]:
        """The most salient sentences, best first, without sections or trimming.

        The plain "summarize these articles in N sentences / N words" view of the same
        sentence parsing and salience the brief uses; the evaluation harness scores it against
        standard baselines (bench/eval_summarizer.py).
        """
        # Sentences that lean on the one before count here: this view is read as a whole
        # passage, where "It will vote again next week" follows its antecedent.
        memo: dict[str, list[str]] = {}
        sentences = _extract(
            _unique_sorted(articles), lambda a: self._parse(a, lenient=True, memo=memo)
        )
        if not sentences:
            return []
        _vectorize(sentences)
        units = _units(sentences)
        picked = salience.select(
            units, salience.salience(units), max_sentences=max_sentences, max_words=max_words
        )
        return [sentences[i].text for i in picked]

    # The work, separated from Brief assembly so that evaluations can call it directly.
    def select(self, topic: str, articles: Sequence[ArticleInput]) -> dict[str, list[Bullet]]:
        return self.select_stories(topic, articles)[0]

    def select_stories(
        self, topic: str, articles: Sequence[ArticleInput]
    ) -> tuple[dict[str, list[Bullet]], tuple[StoryRef, ...]]:
        """The sections' bullets (each with its story's index) and the stories they belong to."""
        return self._select_stories(topic, _unique_sorted(articles))

    @without_gc
    def _select_stories(
        self, topic: str, ordered: list[ArticleInput]
    ) -> tuple[dict[str, list[Bullet]], tuple[StoryRef, ...]]:
        """`select_stories` of articles in `_unique_sorted`'s order, one per id."""
        memo: dict[str, list[str]] = {}
        titles: list[frozenset[str]] | None = None  # each title's terms, when found already
        if self._cache_size > 0:
            sentences = _extract(ordered, lambda a: self._parse(a, memo=memo))
        else:
            titles = [frozenset(terms(a.title)) for a in ordered]
            sentences = _extract_uncached(ordered, memo, titles)
        if not sentences:
            return {name: [] for name in SECTIONS}, ()
        space = _vectorize(sentences)
        story = _stories(ordered, sentences, space, topic)
        naming = [True] * len(ordered)
        _promote_ledes(sentences)  # before scoring and relevance (`_off_topic` drops them too)
        _promote_events(sentences)
        central_article = _score(topic, ordered, sentences, story, naming, space, titles)
        _off_topic(naming, sentences)
        _supersede(ordered, sentences, story)
        _answered(ordered, sentences, story)
        _later_toll(ordered, sentences, story)
        _as_of_newest(ordered, sentences)
        _not_conditions(sentences)
        pool = _pool(sentences)
        leads = _leads(topic, ordered, sentences, story, naming, space.matrix)
        supporters = _support(pool + [lead for lead, _, _ in leads], sentences, space)
        outlets = [_outlets(a) for a in ordered]
        for cand in pool:
            reporting = sorted(
                {
                    sentences[i].article
                    for i in supporters[cand.index]
                    if states(cand, sentences[i], sentences)
                }
            )
            n_outlets = len(set().union(*(outlets[a] for a in reporting)))
            cand.final = round(cand.base * (1.0 + 0.35 * math.log2(min(n_outlets, 8))), 9)
        sections = _choose(
            pool,
            sentences,
            supporters,
            ordered,
            outlets,
            story,
            leads,
            _subject(sentences, space),
            space.column,
        )
        shown = {b.story for bs in sections.values() for b in bs if b.story is not None}
        titles = _story_titles(ordered, sentences, story, central_article, shown)
        return _with_stories(sections, ordered, story, titles)


def _largest_stories(articles: list[ArticleInput], topic: str = "") -> list[ArticleInput]:
    """The articles a brief reads: all of them up to `MAX_ARTICLES_READ`, else `read_budget`'s
    number of the window's largest stories (`stories.largest_stories`; stories reported on the
    topic first: a window holds what its sources sent, and the brief drops reports not about
    the topic), in the same order."""
    if len(articles) <= MAX_ARTICLES_READ:
        return articles
    counts, vocabulary = stored_counts_and_terms(articles)
    topic_terms = frozenset(_terms(topic))
    on_topic = None
    if topic_terms:
        # An article whose first sentences name every topic term (`_TopicNamer`), from the
        # counts' columns: per topic term, the columns that name it.
        namer = _TopicNamer(topic_terms, vocabulary)
        on_topic = np.ones(len(articles), dtype=bool)
        for k in range(len(namer.order)):
            columns = [
                i for i, u in enumerate(vocabulary) if u in namer.naming and namer._bits(u) >> k & 1
            ]
            on_topic &= counts[:, columns].getnnz(axis=1) > 0
    oldest = datetime.min.replace(tzinfo=UTC)
    newest_first = sorted(
        range(len(articles)),
        key=lambda i: (articles[i].published_at or oldest, -i),
        reverse=True,
    )
    picked = largest_stories(
        counts, newest_first, read_budget(len(articles), MAX_ARTICLES_READ), on_topic
    )
    return [articles[i] for i in picked]


def _unique_sorted(articles: Sequence[ArticleInput]) -> list[ArticleInput]:
    seen: dict[str, ArticleInput] = {}
    # Duplicate ids keep one article, chosen by content so that input order never matters.
    for article in sorted(
        articles, key=lambda a: (natural_key(a.id), a.outlet or "", a.title, a.text)
    ):
        seen.setdefault(article.id, article)
    return list(seen.values())


def _outlets(article: ArticleInput) -> frozenset[str]:
    names = {(article.outlet or f"id:{article.id}").strip().lower()}
    names.update(o.strip().lower() for o in article.also_in if o.strip())
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One kept sentence of an article, independent of the other articles."""

    text: str
    pairs: tuple[tuple[str, int], ...]  # term counts
    label: SectionLabel
    numbers: frozenset[str]  # the numbers it states ("30", "1200")
    names: frozenset[str]  # terms of the names it states (people, places, organisations)
    tense: str | None
    places: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    # The numbers that count something (spaCy CARDINAL: "239 people", not "9:20 p.m.", "20
    # miles", "Group of 20"); without a parse, every number.
    cardinals: frozenset[str] = frozenset()
    marks: Marks | None = None  # of `text` (None: not stored, or `text` is the raw one)


def _cardinals(f: SentenceFeatures) -> frozenset[str]:
    """Stored at ingestion (analyzer a14), else computed now."""
    if f.cardinals is not None:
        return frozenset(f.cardinals)
    return frozenset(cardinals(f.numbers, f.entities))


def _names(feats: SentenceFeatures, memo: dict[str, list[str]] | None = None) -> frozenset[str]:
    """The stored name terms (`SentenceFeatures.names`, computed at ingestion), else computed
    now (`memo`: see `name_terms`). A frozenset built from the same terms in the same order
    either way (iteration order included)."""
    if feats.names is not None:
        return frozenset(feats.names)
    return frozenset(name_terms(feats.entities, feats.text, memo))


# Set aside for bullets but part of the text read as a passage (`select_summary`).
_PASSAGE_KINDS = frozenset({"dependent", "caption", "subhead"})
_PASSAGE_FRAGMENTS = frozenset(
    {"a piece of a quotation", "a lead-in to a list", "no main verb", "no subject"}
)


def _passage_part(f: SentenceFeatures) -> bool:
    return f.kind in _PASSAGE_KINDS or (f.kind == "fragment" and f.issue in _PASSAGE_FRAGMENTS)


def _parse_article(
    article: ArticleInput, *, lenient: bool = False, memo: dict[str, list[str]] | None = None
) -> tuple[_Parsed, ...]:
    """The article's briefable sentences: the stored analysis (ingestion ran it once), else the
    same analysis without a parser, done here (a pure function, cacheable). `lenient`: also
    those that lean on the sentence before (for `select_summary`, read as one passage); `memo`:
    see `_names`."""
    return tuple(
        _Parsed(
            (f.raw or f.text) if lenient else f.text,
            f.terms,
            SectionLabel(f.section, f.score, *f.cues),
            frozenset(f.numbers),
            _names(f, memo),
            f.tense,
            f.places,
            f.dates,
            _cardinals(f),
            None if lenient else f.marks,
        )
        for f in _kept(article, lenient)
    )


def _kept(article: ArticleInput, lenient: bool) -> Iterator[SentenceFeatures]:
    """The features of the article's sentences a brief reads (see `_parse_article`)."""
    feats = article.sentences
    if feats is None:
        analysis = analyze_article(article.title, article.text, article.published_at, None)
        feats = analysis.sentences
    title_terms = frozenset(terms(article.title))
    first = True
    for f in feats:
        if not (f.kind == "prose" or (lenient and _passage_part(f))):
            continue
        if first and title_terms and {t for t, _ in f.terms} <= title_terms:
            continue  # the lead restating the headline
        first = False
        yield f


def _extract(
    articles: list[ArticleInput], parse: Callable[[ArticleInput], tuple[_Parsed, ...]]
) -> list[_Sentence]:
    out: list[_Sentence] = []
    for a_index, article in enumerate(articles):
        for position, parsed in enumerate(parse(article)):
            out.append(
                _Sentence(
                    len(out),
                    a_index,
                    position,
                    parsed.text,
                    parsed.pairs,
                    None,  # its term set: made when first read
                    parsed.label,
                    parsed.numbers,
                    parsed.names,
                    parsed.tense,
                    parsed.places,
                    parsed.dates,
                    parsed.cardinals,
                    parsed.marks,
                )
            )
    return out


def _extract_uncached(
    articles: list[ArticleInput],
    memo: dict[str, list[str]] | None = None,
    titles: Sequence[frozenset[str]] | None = None,
) -> list[_Sentence]:
    """`_extract` of `_parse_article`'s sentences, made straight from the stored features when
    there is no cache to keep the `_Parsed` records in (the same sentences). `titles`: each
    article's title terms (`terms`), when found already."""
    # One record per sentence of the window, so `_kept` is inlined and the stored names and
    # cardinals are read as `_names` and `_cardinals` would; an empty tuple gives the shared
    # empty frozenset (most sentences state no number, many no name).
    out: list[_Sentence] = []
    append = out.append
    empty: frozenset[str] = frozenset()
    index = 0
    for a_index, article in enumerate(articles):
        feats = article.sentences
        if feats is None:
            feats = analyze_article(
                article.title, article.text, article.published_at, None
            ).sentences
        title_terms = titles[a_index] if titles is not None else frozenset(terms(article.title))
        position = 0
        for f in feats:
            if f.kind != "prose":
                continue
            pairs = f.terms
            # (The term set only where the headline test needs it; else made when first read.)
            term_set = None
            if not position and title_terms:
                term_set = frozenset(map(_TERM, pairs))
                if term_set <= title_terms:
                    continue  # the lead restating the headline
            numbers, names, cardinals = f.numbers, f.names, f.cardinals
            append(
                _Sentence(
                    index,
                    a_index,
                    position,
                    f.text,
                    pairs,
                    term_set,
                    SectionLabel(f.section, f.score, *f.cues),
                    frozenset(numbers) if numbers else empty,
                    (frozenset(names) if names else empty)
                    if names is not None
                    else _names(f, memo),
                    f.tense,
                    f.places,
                    f.dates,
                    (frozenset(cardinals) if cardinals else empty)
                    if cardinals is not None
                    else _cardinals(f),
                    f.marks,
                )
            )
            index += 1
            position += 1
    return out


def _stories(
    articles: list[ArticleInput],
    sentences: list[_Sentence],
    space: _Space | None = None,
    topic: str = "",
) -> list[int]:
    """Story index per article, clustered on the term counts of its kept sentences."""
    if space is None:
        space = _vectorize(sentences)
    member = space.member(sentences, len(articles))
    counts = (member @ space.counts).tocsr()  # each article's term counts (exact sums)
    space.article_counts = counts
    # Words first (`cluster_counts`), then time: two earthquakes years apart share every word,
    # so a group is split where its reports are more than `_STORY_GAP` apart. Then names: one
    # event's reports drift in vocabulary (the capture, the release, the inquiry) but keep
    # naming the same people and places, so groups close in time that name the same ones
    # are one story (`_NameMerger`: two groups of several reports each need more in common
    # than the topic's own name).
    groups = cluster_matrix(counts)
    split: list[list[int]] = []
    for group in groups:
        split.extend(_split_by_time(group, articles))
    merged = _merge_by_names(split, articles, sentences, frozenset(_terms(topic)))
    merged = _merge_by_event_date(merged, articles, sentences)
    merged.sort(key=lambda g: (-len(g), g[0]))
    story = [0] * len(articles)
    for index, group in enumerate(merged):
        for a in group:
            story[a] = index
    return story


# Reports more than this far apart (consecutive, by publication time) are different stories.
_STORY_GAP = timedelta(days=30)
# Two groups whose name vectors (people, places, organisations) are this alike are one story.
_SAME_NAMES = 0.15
_SHARED_NAMES = 2  # and they must share at least this many names
# Above this many groups, merging by names is skipped (it compares all pairs of groups).
_MAX_MERGE_GROUPS = 400


def _merge_by_event_date(
    groups: list[list[int]], articles: list[ArticleInput], sentences: list[_Sentence]
) -> list[list[int]]:
    """Later coverage of one event is its story: a group of reports at least half of which
    write out a day (not one anchored from "on Monday") that falls in an earlier group's span
    (up to `_DATELINE_DAYS` before its first report) joins that group, however far apart in
    time: the anniversary, the trial and the memorial of "the July 7, 2005 bombings" follow
    the bombings. A date one report mentions in passing joins nothing."""
    if len(groups) < 2 or len(groups) > _MAX_MERGE_GROUPS:
        return groups
    named: list[set[str]] = [set() for _ in articles]
    for s in sentences:
        if s.dates:
            named[s.article].update(_written_dates(s))
    spans: list[tuple[str, str] | None] = []
    for group in groups:
        times = [articles[a].published_at for a in group if articles[a].published_at]
        if not times:
            spans.append(None)
            continue
        first = (min(times) - timedelta(days=_DATELINE_DAYS)).date().isoformat()
        spans.append((first, max(times).date().isoformat()))
    order = sorted(
        (k for k in range(len(groups)) if spans[k] is not None),
        key=lambda k: (spans[k], k),
    )
    root = list(range(len(groups)))
    for pos, later in enumerate(order):
        counts: dict[str, int] = {}
        for a in groups[later]:
            for day in named[a]:
                counts[day] = counts.get(day, 0) + 1
        needed = max(1, math.ceil(len(groups[later]) / 2))
        days = {day for day, n in counts.items() if n >= needed}
        if not days:
            continue  # no written day joins it to anything (most groups)
        for earlier in order[:pos]:
            span = spans[earlier]
            assert span is not None
            if any(span[0] <= day <= span[1] for day in days):
                root[later] = root[earlier]
                break
    out: dict[int, list[int]] = {}
    for k, group in enumerate(groups):
        out.setdefault(root[k], []).extend(group)
    return [sorted(g) for g in out.values()]


def _merge_by_names(
    groups: list[list[int]],
    articles: list[ArticleInput],
    sentences: list[_Sentence],
    topic_terms: frozenset[str] = frozenset(),
) -> list[list[int]]:
    if len(groups) < 2 or len(groups) > _MAX_MERGE_GROUPS:
        return groups
    counts, names = _name_counts(len(articles), sentences)
    weights = _name_weights(counts)
    merger = _NameMerger(_unit_name_rows(counts, weights), articles)
    topical = _topical_names(names, topic_terms) if topic_terms else []
    if topical:
        # The vectors less the topic's names: the same weights (a name's document frequency
        # is its own), the rest of each row renormalized.
        keep = ~np.isin(counts.indices, np.asarray(topical, dtype=counts.indices.dtype))
        merger.own = _unit_name_rows(counts, weights, keep)
    return merger.merge(groups)


def _name_counts(
    n_articles: int, sentences: list[_Sentence]
) -> tuple[sparse.csr_matrix, list[str]]:
    """Articles x names: how many of each article's sentences name each name (people,
    places, organisations); and the names, by column."""
    # (`map` and `chain` over C callables: this visits every name of every sentence.)
    named = [s for s in sentences if s.names]
    names_of = list(map(_NAMES, named))
    every = list(itertools.chain.from_iterable(names_of))
    distinct = list(dict.fromkeys(every))
    column = dict(zip(distinct, range(len(distinct)), strict=True))
    rows = np.repeat(
        np.fromiter(map(_ARTICLE, named), dtype=np.int64, count=len(named)),
        np.fromiter(map(len, names_of), dtype=np.int64, count=len(named)),
    )
    cols = np.fromiter(map(column.__getitem__, every), dtype=np.int64, count=len(every))
    counts = sparse.csr_matrix(
        (np.ones(len(every)), (rows, cols)), shape=(n_articles, max(1, len(column)))
    )
    counts.sum_duplicates()  # one entry per (article, name), columns in order
    return counts, distinct


def _topical_names(names: list[str], topic_terms: frozenset[str]) -> list[int]:
    """The columns of the names that name a topic term (`_names_term`), in column order."""
    # `_names_term(k, u)` for every topic term k and name u, found without testing every
    # name: u is k or k's demonym pair, a demonym whose country is one of those or is built
    # on k, or (k of 4 letters or more) a name built on k, up to 3 letters longer.
    column = dict(zip(names, range(len(names)), strict=True))
    hits: set[str] = set()
    for k in topic_terms:
        dk, n, long = _DEMONYMS.get(k, k), len(k), len(k) >= 4
        hits.update(v for v in (k, dk) if v in column)
        hits.update(
            u
            for u, du in _DEMONYMS.items()
            if u in column and (du in (k, dk) or (long and du.startswith(k) and len(du) - n <= 3))
        )
        if long:
            hits.update(u for u in names if u.startswith(k) and len(u) - n <= 3)
    return sorted(column[u] for u in hits)


def _name_weights(counts: sparse.csr_matrix) -> np.ndarray:
    """TF-IDF weight of every entry of `_name_counts`' matrix (not normalized)."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    # Smoothed IDF (1 + log): in a window of one event's reports every report names its
    # people and places; a plain IDF gives exactly those names no weight, and the story splits
    # into as many groups as it has angles (the search, the apology, the recorder).
    # Both factors are taken once per distinct count and document frequency (a few dozen
    # values, against two logs per name entry: thousands per brief), with Python's log.
    idf_of = {d: 1.0 + math.log((n + 1) / (d + 0.5)) for d in set(df.tolist())}
    idf = np.array([idf_of.get(d, 0.0) for d in range(int(df.max(initial=0)) + 1)])
    k = counts.data.astype(np.int64)
    tf_of = {c: 1.0 + math.log(c) for c in set(k.tolist())}
    tf = np.array([tf_of.get(c, 0.0) for c in range(int(k.max(initial=0)) + 1)])
    return tf[k] * idf[df[counts.indices]]


def _unit_name_rows(
    counts: sparse.csr_matrix, weights: np.ndarray, keep: np.ndarray | None = None
) -> sparse.csr_matrix:
    """Each article's normalized name vector (`keep`: the entries to keep, else all)."""
    indptr = counts.indptr
    row_of = np.repeat(np.arange(counts.shape[0]), np.diff(indptr))
    indices = counts.indices
    if keep is not None:
        weights, row_of, indices = weights[keep], row_of[keep], indices[keep]
        indptr = np.zeros(counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=counts.shape[0]), out=indptr[1:])
    # (bincount adds each row's squares in order, as a Python sum would; empty rows get 0.)
    norms = np.sqrt(np.bincount(row_of, weights * weights, minlength=counts.shape[0]))
    norms[norms == 0.0] = 1.0
    return sparse.csr_matrix(
        (weights / norms[row_of], indices.copy(), indptr.copy()), shape=counts.shape
    )


class _NameMerger:
    """Greedy average-style merging of article groups on their name centroids.

    A group's centroid is its articles' name vectors summed, normalized; a merged group's sum
    is the two sums added, so every dot product it needs is the two groups' dot products
    added (one row of a matrix), and the cosine of two groups is their dot over their norms:
    after the first sparse product, a merge costs a few array operations instead of a cosine
    per live group. Shared names (at least `_SHARED_NAMES`) are counted the same way, capped
    at the threshold, with the sets consulted only when both halves share one name each.

    Two groups of several reports each are compared otherwise: by the mean cosine of their
    reports' `own` name vectors (average linkage over the names less the topic's). Under the
    topic "blair", the book row's reports and the Blunkett visa row's all name Blair, Brown,
    Labour and the cabinet; the centroids keep what each side's reports share and grow alike
    as the sides grow, and every report names the topic. Report by report, beyond the topic,
    the two sides have little in common. A lone report still joins a group by its centroid
    and the topic's name: one event's reports that share little else (the season, the
    selection, the withdrawal of one athlete) stay one story."""

    def __init__(self, vecs: sparse.csr_matrix, articles: list[ArticleInput]) -> None:
        """`vecs`: articles x names, each article's unit name vector (`_unit_name_rows`)."""
        self.vecs = vecs
        self.own = vecs  # the name vectors less the topic's names (`_merge_by_names`)
        self.articles = articles

    @staticmethod
    def _group_matrix(
        live: dict[int, list[int]], vecs: sparse.csr_matrix, g: int
    ) -> sparse.csr_matrix:
        """The groups' summed name vectors, a g-row sparse matrix (each group's articles
        added in order, one product)."""
        member = np.concatenate([live[k] for k in range(g)]) if g else np.zeros(0)
        indptr = np.zeros(g + 1, dtype=np.int64)
        np.cumsum([len(live[k]) for k in range(g)], out=indptr[1:])
        groups = sparse.csr_matrix(
            (np.ones(len(member)), member.astype(np.int64), indptr), shape=(g, vecs.shape[0])
        )
        return (groups @ vecs).tocsr()

    def _dots(self, live: dict[int, list[int]], vecs: sparse.csr_matrix, g: int) -> np.ndarray:
        """The g x g dot products of the groups' summed name vectors."""
        matrix = self._group_matrix(live, vecs, g)
        return (matrix @ matrix.T).toarray()

    def merge(self, groups: list[list[int]]) -> list[list[int]]:
        g = len(groups)
        slots = 2 * g
        live: dict[int, list[int]] = {k: sorted(group) for k, group in enumerate(groups)}
        matrix = self._group_matrix(live, self.vecs, g)
        ptr, held = matrix.indptr.tolist(), matrix.indices.tolist()
        names: dict[int, set[int]] = {k: set(held[ptr[k] : ptr[k + 1]]) for k in range(g)}
        dot = np.zeros((slots, slots))
        dot[:g, :g] = (matrix @ matrix.T).toarray()
        own = dot
        if self.own is not self.vecs:
            own = np.zeros((slots, slots))
            own[:g, :g] = self._dots(live, self.own, g)
        size = np.zeros(slots)
        size[:g] = [len(live[k]) for k in range(g)]
        binary = matrix.copy()
        binary.data[:] = 1.0
        shared = np.zeros((slots, slots))
        shared[:g, :g] = np.minimum((binary @ binary.T).toarray(), _SHARED_NAMES)
        known = np.zeros(slots, dtype=bool)
        first = np.zeros(slots, dtype=np.int64)
        last = np.zeros(slots, dtype=np.int64)
        for k in range(g):
            times = [self.articles[a].published_at for a in live[k]]
            dated = [_microseconds(t) for t in times if t]
            if dated:
                known[k], first[k], last[k] = True, min(dated), max(dated)
        gap = _STORY_GAP // timedelta(microseconds=1)

        def scores(k: int | np.ndarray, others: np.ndarray) -> np.ndarray:
            """Group k's scores against `others` (k a column of groups: a table of them)."""
            near = (first[others] - last[k] <= gap) & (first[k] - last[others] <= gap)
            near |= ~(known[k] & known[others])
            norms = np.sqrt(dot[k, k] * dot[others, others])
            cosine = np.divide(dot[k, others], norms, out=np.zeros(norms.shape), where=norms > 0)
            # Two groups of several reports: the mean of their reports' pairwise cosines.
            several = (size[k] > 1) & (size[others] > 1)
            mean = own[k, others] / (size[k] * size[others])
            cosine = np.where(several, mean, cosine)
            return np.where(near & (shared[k, others] >= _SHARED_NAMES), cosine, 0.0)

        # Every pair of the first groups at once (the same element-wise arithmetic as a row).
        every = np.arange(g)
        table = scores(every[:, None], every)
        left, right = np.nonzero(np.triu(table >= _SAME_NAMES, 1))
        keys = zip(left.tolist(), right.tolist(), strict=True)
        pairs: dict[tuple[int, int], float] = dict(
            zip(keys, table[left, right].tolist(), strict=True)
        )
        next_key = g
        while pairs:
            (i, j), _ = max(pairs.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
            m = next_key
            next_key += 1
            live[m] = sorted(live.pop(i) + live.pop(j))
            names[m] = names.pop(i) | names.pop(j)
            dot[m, :] = dot[i, :] + dot[j, :]
            dot[:, m] = dot[m, :]
            dot[m, m] = dot[i, i] + 2.0 * dot[i, j] + dot[j, j]
            if own is not dot:
                own[m, :] = own[i, :] + own[j, :]
                own[:, m] = own[m, :]
                own[m, m] = own[i, i] + 2.0 * own[i, j] + own[j, j]
            size[m] = size[i] + size[j]
            # Shared names, capped: at least the larger half's, at most the two added.
            low = np.maximum(shared[i, :], shared[j, :])
            high = np.minimum(shared[i, :] + shared[j, :], _SHARED_NAMES)
            merged_shared = np.where(low >= _SHARED_NAMES, _SHARED_NAMES, high)
            for k in np.nonzero((low < _SHARED_NAMES) & (high >= _SHARED_NAMES))[0]:
                if int(k) in names:
                    merged_shared[k] = min(len(names[m] & names[int(k)]), _SHARED_NAMES)
            shared[m, :] = merged_shared
            shared[:, m] = merged_shared
            known[m] = known[i] or known[j]
            first[m] = (
                min(x for x, y in ((first[i], known[i]), (first[j], known[j])) if y)
                if known[m]
                else 0
            )
            last[m] = (
                max(x for x, y in ((last[i], known[i]), (last[j], known[j])) if y)
                if known[m]
                else 0
            )
            pairs = {p: v for p, v in pairs.items() if i not in p and j not in p}
            others = np.array([k for k in live if k != m], dtype=np.intp)
            if not len(others):
                continue
            row = scores(m, others)
            for x in np.nonzero(row >= _SAME_NAMES)[0]:
                pairs[(int(others[x]), m)] = float(row[x])
        return [live[k] for k in sorted(live)]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(when: datetime) -> int:
    """Exact integer time (no float rounding at the 30-day boundary)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(microseconds=1)


def _split_by_time(group: list[int], articles: list[ArticleInput]) -> list[list[int]]:
    dated = sorted((articles[a].published_at, a) for a in group if articles[a].published_at)
    undated = [a for a in group if articles[a].published_at is None]
    if len(dated) < 2:
        return [sorted(group)]
    parts: list[list[int]] = [[dated[0][1]]]
    for (before, _), (when, a) in itertools.pairwise(dated):
        if when - before > _STORY_GAP:
            parts.append([])
        parts[-1].append(a)
    max(parts, key=len).extend(undated)  # no date: with the largest part
    return [sorted(p) for p in parts]


def _units(sentences: list[_Sentence]) -> list[salience.Unit]:
    return [salience.Unit(s.article, s.position, s.vec, len(s.text.split())) for s in sentences]


_SUBLINEAR = [0.0] + [1.0 + math.log(c) for c in range(1, 16)]  # 1 + log(tf), precomputed


def _vectorize(sentences: list[_Sentence]) -> _Space:
    """Each sentence's unit TF-IDF vector (`vec`), and all of them as one sparse matrix.

    The weights are computed once, in numpy, over the matrix's arrays; each sentence's
    dictionary is then made from its row in one call (no per-entry Python arithmetic)."""
    # (`map` over C callables, not generator expressions: these loops visit every term of
    # every sentence.)
    n = len(sentences)
    every = list(map(_PAIRS, sentences))
    lengths = list(map(len, every))
    # Columns in first-seen order, numbered as they are met: a dictionary whose missing keys
    # take the next number (all in C, one pass over every term).
    numbering: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    indices = np.fromiter(
        map(numbering.__getitem__, map(_TERM, itertools.chain.from_iterable(every))),
        dtype=np.int64,
        count=sum(lengths),
    )
    space = _Space(numbering)
    column = space.column
    # Document frequency: a sentence's terms are distinct, so the number of entries per
    # column. The idf of each distinct frequency once (few among thousands of terms), in
    # Python's arithmetic on Python ints as before.
    df = np.bincount(indices, minlength=len(column)).tolist()
    idf_of = {d: math.log((n + 1) / (d + 1)) + 1.0 for d in set(df)}
    idf = np.array([idf_of[d] for d in df], dtype=np.float64)
    tf = np.fromiter(
        map(_COUNT, itertools.chain.from_iterable(every)),
        dtype=np.int64,
        count=len(indices),
    )
    weights = _tf_weights(tf) * idf[indices]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    # (bincount adds each row's squares in order, as a Python sum would; empty rows get 0.)
    row_of = np.repeat(np.arange(n), lengths)
    norms = np.sqrt(np.bincount(row_of, weights * weights, minlength=n))
    norms[norms == 0.0] = 1.0
    data = weights / np.repeat(norms, lengths)
    # (A copy: the matrix below may share `data`, and sorting its indices in place, as scipy
    # does for some operations, would reorder it away from each sentence's `pairs`.)
    weights_of = _Weights(data.copy(), indptr.tolist(), indices.copy())
    for s in sentences:
        s.weights = weights_of
        s.unit = None
    shape = (n, max(1, len(column)))
    space.matrix = sparse.csr_matrix((data, indices, indptr), shape=shape)
    space.counts = sparse.csr_matrix((tf.astype(np.float64), indices, indptr), shape=shape)
    return space


class _Weights:
    """Every sentence's unit TF-IDF weights, flat in row order (`_Sentence.vec` reads its row:
    sentence i's are data[indptr[i]:indptr[i + 1]], one per entry of its `pairs`)."""

    __slots__ = ("data", "indices", "indptr")

    def __init__(
        self, data: np.ndarray, indptr: list[int], indices: np.ndarray | None = None
    ) -> None:
        self.data = data
        self.indptr = indptr
        self.indices = indices  # each entry's column, as `data`


def _tf_weights(tf: np.ndarray) -> np.ndarray:
    """1 + log(tf) (sublinear term frequency), from a table for the usual small counts."""
    table = np.array(_SUBLINEAR)
    small = tf < len(table)
    out = np.empty(len(tf))
    out[small] = table[tf[small]]
    out[~small] = 1.0 + np.log(tf[~small].astype(np.float64))
    return out


def _normalize(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {t: w / norm for t, w in vec.items()}


def _score(
    topic: str,
    articles: list[ArticleInput],
    sentences: list[_Sentence],
    story: list[int],
    articles_naming: list[bool],
    space: _Space,
    titles: list[frozenset[str]] | None = None,
) -> list[int]:
    """Base score of every sentence. `story[a]` is article a's story (see `stories`).

    Returns each story's most central article (its label comes from that article's title), and
    fills `articles_naming`: is the article about the topic (`_is_about`)? All are when none
    is (the topic's words then come from somewhere else: keywords, a search feed)."""
    topic_terms = frozenset(_terms(topic))
    by_article: list[list[_Sentence]] = [[] for _ in articles]
    for s in sentences:
        by_article[s.article].append(s)

    # Each title's terms once (both tests below read them; `titles`: found already, by
    # `terms`, which cuts them as `_terms` does).
    if not topic_terms:
        titles = None
    elif titles is None:
        titles = [frozenset(_terms(a.title)) for a in articles]
    # Whether each sentence holds a topic term: one product with the topic's columns.
    topic_hit = _holds_any(space, topic_terms) if topic_terms else None
    hits = (
        np.bincount(
            np.fromiter(map(_ARTICLE, sentences), dtype=np.intp, count=len(sentences)),
            weights=topic_hit,
            minlength=len(articles),
        )
        .astype(np.int64)
        .tolist()
        if topic_hit is not None
        else None
    )
    mentions = _mentions(topic_terms, articles, by_article, titles, hits)
    weights = mentions if any(mentions) else [1.0] * len(articles)
    names_all = _TopicNamer(topic_terms, space.terms)
    # Sentences without a term that names a topic term cannot name the topic (every sentence's
    # terms are the namer's vocabulary): one sparse product rules them out.
    if names_all.naming:
        mask = np.zeros(space.counts.shape[1])
        mask[[space.column[u] for u in names_all.naming]] = 1.0
        may_name: list[bool] = (space.counts @ mask > 0).tolist()
    else:
        may_name = [False] * len(sentences)
    about = [
        _is_about(
            topic_terms,
            article,
            by_article[a_index],
            names_all,
            titles[a_index] if titles is not None else None,
            may_name,
        )
        for a_index, article in enumerate(articles)
    ]
    rows, story_sums = _article_rows(space, sentences, weights, story)
    # The articles not about the topic or not naming it are compared with others below.
    wanted = sorted(
        {a for a, yes in enumerate(about) if not yes}
        | {a for a, m in enumerate(mentions) if m <= 0}
    )
    cosines = _ArticleCosines(rows, wanted)
    _mark_naming(about, story, rows, articles_naming, cosines)
    keys = sorted(set(story))
    # (Stories are numbered 0 to k - 1, so their rows are usually all the rows.)
    kept = story_sums if keys == list(range(story_sums.shape[0])) else story_sums[keys].tocsr()
    # The rows added column by column, in row order (as the sparse sum over rows adds them).
    centroid = np.bincount(kept.indices, weights=kept.data, minlength=kept.shape[1])
    centroid /= math.sqrt(float(np.add.reduce(centroid * centroid))) or 1.0  # no BLAS threads
    story_rows = _unit_rows(kept)
    row_of_story = {k: r for r, k in enumerate(keys)}
    own_row = np.array([row_of_story[k] for k in story], dtype=np.intp)
    # Each article's cosine to its own story's centroid (row-wise dot products).
    own = _rowwise_dots(rows, story_rows, own_row)
    relevance = _relevance(mentions, bool(topic_terms), rows, centroid, own, cosines)
    _base_scores(
        topic_terms, sentences, story, space, story_rows, row_of_story, relevance, topic_hit
    )
    members: dict[int, list[int]] = {}
    for a, key in enumerate(story):
        members.setdefault(key, []).append(a)
    return [max(members[key], key=lambda a: (round(float(own[a]), 9), -a)) for key in keys]


class _Space:
    """Sparse rows (scipy CSR, float64) over one term-to-column map, so that many cosines are
    one matrix product in C instead of a Python loop over dictionary entries."""

    def __init__(self, terms: Iterable[str] | dict[str, int]) -> None:
        """`terms`: every term the rows will hold, distinct, in column order (or a dictionary
        of them to their columns, numbered in its order)."""
        self.terms = list(terms)
        self.column: dict[str, int] = (
            dict(terms)  # (a plain dictionary: a missing term is a KeyError)
            if isinstance(terms, dict)
            else dict(zip(self.terms, range(len(self.terms)), strict=True))
        )
        self.matrix: sparse.csr_matrix = sparse.csr_matrix((0, max(1, len(self.column))))
        self.counts: sparse.csr_matrix = self.matrix  # the same rows' term counts
        # Articles x sentences membership, and each article's term counts (`_stories`): made
        # once per brief, read by several stages.
        self._member: sparse.csr_matrix | None = None
        self.article_counts: sparse.csr_matrix | None = None

    def member(self, sentences: list[_Sentence], n_articles: int) -> sparse.csr_matrix:
        """Articles x sentences: 1 where the sentence is the article's."""
        if self._member is None or self._member.shape != (n_articles, len(sentences)):
            owner = np.fromiter(map(_ARTICLE, sentences), dtype=np.int64, count=len(sentences))
            self._member = sparse.csr_matrix(
                (np.ones(len(sentences)), (owner, np.arange(len(sentences)))),
                shape=(n_articles, len(sentences)),
            )
        return self._member


# `_rowwise_dots` looks partners up in a dense copy up to this many cells (8 MB).
_DENSE_CELLS = 1_000_000


def _rowwise_dots(a: sparse.csr_matrix, b: sparse.csr_matrix, b_row: np.ndarray) -> np.ndarray:
    """Row i of `a` dotted with row `b_row[i]` of `b`, for every i, without copying b's rows
    (a big story's centroid is long, and thousands of sentences share it): each stored entry
    of `a` looks its partner up in `b` by (row, column) with a binary search."""
    if a.shape[0] == 0:
        return np.zeros(0)
    a, b = a.tocoo(), b.tocsr()
    if b.shape[0] * b.shape[1] <= _DENSE_CELLS:
        # Few rows to look partners up in: a dense copy of `b` (an absent partner is 0.0,
        # and a * 0.0 adds nothing, as the search's 0.0 does).
        dense = b.toarray()
        return np.bincount(a.row, weights=a.data * dense[b_row[a.row], a.col], minlength=a.shape[0])
    b.sort_indices()
    width = np.int64(max(1, b.shape[1]))
    b_rows = np.repeat(np.arange(b.shape[0], dtype=np.int64), np.diff(b.indptr))
    b_keys = b_rows * width + b.indices.astype(np.int64)
    a_keys = b_row[a.row].astype(np.int64) * width + a.col.astype(np.int64)
    at = np.minimum(np.searchsorted(b_keys, a_keys), max(0, len(b_keys) - 1))
    found = b_keys[at] == a_keys if len(b_keys) else np.zeros(len(a_keys), dtype=bool)
    products = np.where(found, a.data * (b.data[at] if len(b_keys) else 0.0), 0.0)
    return np.bincount(a.row, weights=products, minlength=a.shape[0])


def _holds_any(space: _Space, wanted: frozenset[str]) -> np.ndarray:
    """Per sentence of the space, whether it holds one of the `wanted` terms (one product)."""
    mask = np.zeros(space.counts.shape[1])
    mask[[space.column[t] for t in wanted if t in space.column]] = 1.0
    return space.counts @ mask > 0  # type: ignore[no-any-return]


def _mentions(
    topic_terms: frozenset[str],
    articles: list[ArticleInput],
    by_article: list[list[_Sentence]],
    titles: list[frozenset[str]] | None = None,
    hits: list[int] | None = None,
) -> list[float]:
    """How much each article names the topic: in its title, or in up to three sentences.
    `titles`: each title's terms, when already found; `hits`: each article's sentences that
    hold a topic term, when counted already."""
    mentions: list[float] = []
    for a_index, article in enumerate(articles):
        if not topic_terms or topic_terms & (
            titles[a_index] if titles is not None else frozenset(_terms(article.title))
        ):
            mentions.append(1.0)
        else:
            n = (
                hits[a_index]
                if hits is not None
                else sum(1 for s in by_article[a_index] if topic_terms & s.term_set)
            )
            mentions.append(min(1.0, n / 3.0))
    return mentions


def _article_rows(
    space: _Space, sentences: list[_Sentence], weights: list[float], story: list[int]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Each article's unit vector (the sum of its sentences' rows, normalized), and each
    story's centroid, unnormalized: the sum of its articles' vectors weighted by mention, so
    articles that never name the topic do not pull it their way. Two sparse products."""
    n_articles = len(weights)
    rows = _unit_rows(space.member(sentences, n_articles) @ space.matrix)
    n_stories = max(story, default=-1) + 1
    weighted = sparse.csr_matrix(
        (np.asarray(weights, dtype=np.float64), (np.asarray(story), np.arange(n_articles))),
        shape=(n_stories, n_articles),
    )
    return rows, (weighted @ rows).tocsr()


def _unit_rows(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """The rows scaled to length 1 (empty rows stay empty)."""
    m = sparse.csr_matrix(m, copy=True)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    m.data /= np.repeat(norms, np.diff(m.indptr))
    return m


# A window this small (articles compared x articles) compares them in one product.
_ONE_PRODUCT_CELLS = 40_000


class _ArticleCosines:
    """Cosines between articles' unit rows. In a small window, the rows `wanted` against every
    article in one product (a value of a product is the same sum, in the same order, whichever
    other rows are in it); in a larger one, each block when asked."""

    def __init__(self, rows: sparse.csr_matrix, wanted: list[int]) -> None:
        self.rows = rows
        self.table: np.ndarray | None = None
        self.at = np.zeros(rows.shape[0], dtype=np.intp)
        if wanted and len(wanted) * rows.shape[0] <= _ONE_PRODUCT_CELLS:
            self.at[wanted] = np.arange(len(wanted))
            self.table = (rows[wanted] @ rows.T).toarray()

    def between(self, group: list[int], peers: list[int]) -> np.ndarray:
        """The cosines of `group` (rows; among `wanted`) and `peers` (columns)."""
        if self.table is None:
            return (self.rows[group] @ self.rows[peers].T).toarray()  # type: ignore[no-any-return]
        return self.table[np.ix_(self.at[group], peers)]


def _mark_naming(
    about: list[bool],
    story: list[int],
    rows: sparse.csr_matrix,
    articles_naming: list[bool],
    cosines: _ArticleCosines | None = None,
) -> None:
    """In the brief: articles about the topic, and those of their stories close to one of them
    ("Kremlin studies US offer" beside reports that name Ukraine), not those that only
    mention it ("the crew came from Portugal, Ukraine and Brazil")."""
    about_by_story: dict[int, list[int]] = {}
    for a_index, yes in enumerate(about):
        if yes:
            about_by_story.setdefault(story[a_index], []).append(a_index)
    anyone = any(about)
    for a_index, yes in enumerate(about):
        articles_naming[a_index] = yes or not anyone
    if not anyone:
        return
    # The others, story by story: close to one of its first `_MAX_NEIGHBOURS` naming articles.
    others: dict[int, list[int]] = {}
    for a_index, yes in enumerate(about):
        if not yes and about_by_story.get(story[a_index]):
            others.setdefault(story[a_index], []).append(a_index)
    for key, group in others.items():
        peers = about_by_story[key][:_MAX_NEIGHBOURS]
        close = (cosines or _ArticleCosines(rows, [])).between(group, peers) >= _KEEP_CLOSE
        for a_index, yes in zip(group, close.any(axis=1), strict=True):
            articles_naming[a_index] = bool(yes)


def _relevance(
    mentions: list[float],
    has_topic: bool,
    rows: sparse.csr_matrix,
    centroid: np.ndarray,
    own: np.ndarray,
    cosines: _ArticleCosines | None = None,
) -> list[float]:
    """Relevance: naming the topic and being close to the centroid. An article that never
    names the topic can still count ("Kremlin studies US ceasefire offer" for "ukraine") if it
    is close to the others; a far one (an ECB rate decision) is cited last, if at all.
    `rows`: the articles' unit vectors; `own`: each one's cosine to its story's centroid."""
    naming = sorted((i for i, m in enumerate(mentions) if m > 0), key=lambda i: (-mentions[i], i))[
        :_MAX_NEIGHBOURS
    ]
    closeness_all = rows @ centroid
    far = [a for a, m in enumerate(mentions) if not (m > 0 or not naming)]
    nearest_of: dict[int, float] = {}
    if far:
        # Closeness to the nearest article that names the topic: one product for all of them.
        nearest = (cosines or _ArticleCosines(rows, [])).between(far, naming).max(axis=1)
        nearest_of = dict(zip(far, (float(x) for x in nearest), strict=True))
    relevance: list[float] = []
    for a_index, mention in enumerate(mentions):
        if a_index not in nearest_of:
            if has_topic:
                closeness = min(1.0, 1.5 * float(closeness_all[a_index]))
                relevance.append(0.25 + 0.45 * mention + 0.3 * closeness)
            else:  # no topic words: every story is the topic; closeness to its own story
                mine = min(1.0, 1.5 * float(own[a_index]))
                relevance.append(0.25 + 0.45 * mention + 0.3 * mine)
        else:
            nearest = nearest_of[a_index]
            relevance.append(_OFF_TOPIC + 0.6 * min(1.0, max(0.0, nearest - 0.05) * 4.0))
    return relevance


def _base_scores(
    topic_terms: frozenset[str],
    sentences: list[_Sentence],
    story: list[int],
    space: _Space,
    story_rows: sparse.csr_matrix,
    row_of_story: dict[int, int],
    relevance: list[float],
    topic_hit: np.ndarray | None = None,
) -> None:
    """Sets each sentence's `base` and `central`. Centrality is within the sentence's own
    story, so a smaller story's main point is not judged by the vocabulary of a bigger one; a
    story's weight grows with its share of the window's articles. `topic_hit`: per sentence,
    whether it holds a topic term (`_holds_any`), when found already."""
    sizes: dict[int, int] = {}
    for key in story:
        sizes[key] = sizes.get(key, 0) + 1
    biggest = max(sizes.values())
    story_weight = {
        k: _STORY_FLOOR + (1 - _STORY_FLOOR) * math.sqrt(n / biggest) for k, n in sizes.items()
    }
    n = len(sentences)
    if n == 0:
        return
    article_of = np.fromiter(map(_ARTICLE, sentences), dtype=np.intp, count=n)
    story_of = np.asarray(story, dtype=np.intp)[article_of]
    row_of = np.zeros(max(row_of_story) + 1, dtype=np.intp)
    row_of[list(row_of_story)] = list(row_of_story.values())
    dots = _rowwise_dots(space.matrix, story_rows, row_of[story_of])
    # Element-wise numpy arithmetic in the same order as the scalar formula is the same IEEE
    # operations, so every score is the same float as when computed one sentence at a time;
    # the transcendental parts (sqrt, exp) and `round` stay Python's, on few distinct values.
    # Each story's top centrality (at least 0.0, as `max(top.get(key, 0.0), cent)`).
    top = np.zeros(len(row_of))
    np.maximum.at(top, story_of, dots)
    top[top == 0.0] = 1.0  # `top[key] or 1.0`
    # (Lede weights by position and qualities by briefability computed once each: few
    # distinct values among thousands of sentences.)
    positions = np.fromiter(map(_POSITION, sentences), dtype=np.intp, count=n)
    lead_of = np.array([1.0 / math.sqrt(1.0 + p / _LEDE_SCALE) for p in range(positions.max() + 1)])
    scores = [s.label.score for s in sentences]
    quality_of = {q: _sigmoid((q - 1.5) / 1.2) for q in set(scores)}
    quality = np.fromiter(map(quality_of.__getitem__, scores), dtype=np.float64, count=n)
    if not topic_terms:
        hit = np.ones(n)
    else:
        hit = (topic_hit if topic_hit is not None else _holds_any(space, topic_terms)).astype(
            np.float64
        )
    weight = np.zeros(len(row_of))
    weight[list(story_weight)] = list(story_weight.values())
    content = _W_CENT * (dots / top[story_of]) + _W_LEDE * lead_of[positions] + 0.15 * hit + 0.15
    base = quality * content * np.asarray(relevance)[article_of] * weight[story_of]
    # (`round` mapped in C: Python's correctly rounded decimal rounding, one call per value.)
    rounded = map(round, base.tolist(), itertools.repeat(9))
    for s, b, cent in zip(sentences, rounded, dots.tolist(), strict=True):
        s.base = b
        s.central = cent


# An article is about the topic when the topic's words are in its title or lead, or run through
# its body: in this share of its sentences (and at least _ABOUT_MIN_HITS of them). One mention
# in a list of passengers' nationalities is not enough.
_ABOUT_LEAD = 1
_KEEP_CLOSE = 0.2  # an article not about the topic stays when this close to one that is
_ABOUT_SHARE = 0.15
_ABOUT_MIN_HITS = 2


def _is_about(
    topic_terms: frozenset[str],
    article: ArticleInput,
    sentences: list[_Sentence],
    names_all: Callable[[frozenset[str]], bool] | None = None,
    title: frozenset[str] | None = None,
    may_name: Sequence[bool] | None = None,
) -> bool:
    """`names_all`: `_names_all` for these topic terms (a `_TopicNamer`, shared by a brief);
    `title`: the title's terms, when already found; `may_name`: by sentence index, False for
    sentences that cannot name the topic (no term of theirs names a topic term)."""
    if not topic_terms:
        return True
    if names_all is None:
        names_all = _TopicNamer(topic_terms)
    if names_all(title if title is not None else frozenset(_terms(article.title))):
        return True
    naming = sentences if may_name is None else [s for s in sentences if may_name[s.index]]
    if any(names_all(s.term_set) for s in naming if s.position < _ABOUT_LEAD):
        return True
    hits = sum(1 for s in naming if names_all(s.term_set))
    return hits >= max(_ABOUT_MIN_HITS, _ABOUT_SHARE * len(sentences))


# A nationality and its country are one topic word to a reader ("Greek election" is about
# "elections in Greece"), but their 6-character terms differ and neither starts the other.
# Terms as `_terms` cuts them; pairs where one starts the other ("iran"/"irania") need no entry.
_DEMONYMS = {
    "greek": "greec",
    "french": "franc",
    "britis": "britai",
    "spanis": "spain",
    "chines": "china",
    "italia": "italy",
    "turkis": "turkey",
    "swedis": "sweden",
    "polish": "poland",
    "dutch": "nether",
    "danish": "denmar",
    "norweg": "norway",
    "finnis": "finlan",
    "swiss": "switze",
    "irish": "irelan",
    "scotti": "scotla",
    "welsh": "wales",
    "filipi": "philip",
    "thai": "thaila",
}


def _names_all(topic_terms: frozenset[str], present: frozenset[str]) -> bool:
    """Every topic term is present, itself or as a word built on it: the stemmer keeps
    "bomber" apart from "bomb" and "Londoner" from "London", a reader does not; nor does a
    reader keep "Greek" apart from "Greece" (`_DEMONYMS`)."""
    return _TopicNamer(topic_terms)(present)


def _names_term(t: str, u: str) -> bool:
    """Does the present term `u` name the topic term `t` (see `_names_all`)?"""
    du, dt = _DEMONYMS.get(u, u), _DEMONYMS.get(t, t)
    if t in (u, du) or dt in (u, du):
        return True
    return len(t) >= 4 and any(v.startswith(t) and len(v) - len(t) <= 3 for v in (u, du))


class _TopicNamer:
    """`_names_all` for one topic over many sentences: which topic terms each distinct term
    names is worked out once per brief, not once per sentence it appears in."""

    def __init__(self, topic_terms: frozenset[str], vocabulary: Iterable[str] = ()) -> None:
        """`vocabulary`: terms most sets will be drawn from (the window's): those that name a
        topic term are found up front, so that a set naming none is rejected in one test."""
        self.topic = topic_terms
        self.order = sorted(topic_terms)
        self.everything = (1 << len(self.order)) - 1
        self.named: dict[str, int] = {}  # term -> bit set of the topic terms it names
        self.known = frozenset(vocabulary)
        # Only these can name a topic term (`_names_term`): itself, its demonym pair, words
        # built on it; found with one prefix scan per topic term instead of a test per term.
        maybe: set[str] = set()
        for t in self.order:
            dt = _DEMONYMS.get(t, t)
            maybe.update((t, dt))
            maybe.update(u for u, du in _DEMONYMS.items() if du in (t, dt))
            if len(t) >= 4:
                maybe.update(u for u in self.known if u.startswith(t))
                maybe.update(u for u, du in _DEMONYMS.items() if du.startswith(t))
        self.naming = frozenset(u for u in maybe & self.known if self._bits(u))

    def _bits(self, u: str) -> int:
        bits = self.named.get(u)
        if bits is None:
            bits = self.named[u] = sum(
                1 << k for k, t in enumerate(self.order) if _names_term(t, u)
            )
        return bits

    def __call__(self, present: frozenset[str]) -> bool:
        if self.topic <= present:
            return True
        if present.isdisjoint(self.naming) and present <= self.known:
            return False
        named, seen = self.named, 0
        for u in present:
            bits = named.get(u)
            if bits is None:
                bits = named[u] = sum(1 << k for k, t in enumerate(self.order) if _names_term(t, u))
            seen |= bits
            if seen == self.everything:
                return True
        return False


def _off_topic(kept: list[bool], sentences: list[_Sentence]) -> None:
    """Articles not about the topic (see `_score`) are left out of the brief: their sentences
    get no section, so they are never cited."""
    for s in sentences:
        if not kept[s.article] and s.label.section is not None:
            s.label = s.label.with_section(None)


def _by_base(s: _Sentence) -> tuple[float, int, int]:
    return (-s.base, s.article, s.position)


def _by_final(s: _Sentence) -> tuple[float, int, int]:
    return (-s.final, s.article, s.position)


# An article's first sentences (its lede) state what happened; the section classifier, tuned
# on policy texts, leaves many news ledes without a section. These many, this briefable.
_LEDE_POSITIONS = 3
_LEDE_MIN_SCORE = 0.5


def _promote_ledes(sentences: list[_Sentence]) -> None:
    """A lede sentence that reports something (past or present tense, names someone or
    somewhere, not opinion, not a question, not a concession) is a key provision even when
    the classifier gave it no section: "Police searched six houses in Leeds today". A report's
    first sentence may say how many or when instead of who or where ("Residents marked a year
    since the fire that killed 52"): the reporter put it first, and its story names the rest."""
    for s in sentences:
        first = s.position == 0
        if (
            s.position < _LEDE_POSITIONS
            and s.label.section is None
            and s.tense != "future"
            and (s.names or (first and (s.numbers or s.dates)))
            and s.label.opinion < 2.0
            and s.label.score >= _LEDE_MIN_SCORE
            and 8 <= (m := _marks(s)).words <= 45
            and not m.flags & (mk.QUESTIONISH | mk.CONCESSIVE)
        ):
            s.label = s.label.with_section("key_provisions", max(s.label.score, _MIN_BRIEFABILITY))


# Below this briefability an event report stays out (a quotation, a list, a fragment of one).
_EVENT_MIN_SCORE = 0.0


def _promote_events(sentences: list[_Sentence]) -> None:
    """A sentence that reports an event in the past tense ("Gunmen killed 89 people at the
    concert hall") is a key provision even when the classifier gave it no section: past events
    belong in key provisions (issue 12), and a reader's first question is what happened."""
    for s in sentences:
        if (
            s.label.section is None
            and s.tense in ("past", None)  # None: no parser; the event verb is past already
            and (s.names or s.numbers)
            and s.label.opinion < 2.0
            and s.label.score >= _EVENT_MIN_SCORE
            and 8 <= (m := _marks(s)).words <= 45
            and m.flags & (mk.EVENT | mk.FIRST_PERSON | mk.QUESTIONISH | mk.CONCESSIVE) == mk.EVENT
        ):
            s.label = s.label.with_section("key_provisions", max(s.label.score, _MIN_BRIEFABILITY))


def _pool(sentences: list[_Sentence]) -> list[_Sentence]:
    labeled = sorted((s for s in sentences if s.label.section), key=_by_base)
    chosen: dict[int, _Sentence] = {s.index: s for s in labeled[:_POOL]}
    for name in SECTIONS:
        for s in [s for s in labeled if s.label.section == name][:_POOL_PER_SECTION]:
            chosen.setdefault(s.index, s)
    return sorted(chosen.values(), key=_by_base)


# Share of a claim's terms a passage must hold to state it (with all its figures and names).
_STATES_OVERLAP = 0.6


def states(
    claim: _Sentence,
    other: _Sentence,
    sentences: Sequence[_Sentence] = (),
    subject: frozenset[str] = frozenset(),
) -> bool:
    """Does `other` (alone, or with the sentence before or after it in its article) state
    `claim`'s point, not just share its topic? Every number, date and name of the claim must be
    in that passage, and most of its terms: "30-day ceasefire" is not supported by a sentence
    about a 90-day one, nor "Kyiv accepted" by one about Moscow, nor a declaration by the
    background paragraph reports share with it. With the window's `subject` terms given, most
    of the claim's other terms too: "Profiles of the suspects in the July 7 bombings were
    released" is not stated by a report of the bombings' memorial, whose terms are the
    subject's."""
    if claim.index == other.index:
        return True
    passages: list[tuple[_Sentence, ...]] = [(other,)]
    for i in (other.index - 1, other.index + 1):
        if 0 <= i < len(sentences) and sentences[i].article == other.article:
            passages.append((other, sentences[i]))
    names = frozenset(_ALIASES.get(t, t) for t in claim.names)
    months = _months(claim.text)  # "launched in April": no date, but a when all the same
    wanted = claim.folded_terms()  # "work is to start" states "construction will begin"
    need = max(1, math.ceil(_STATES_OVERLAP * len(wanted)))
    own = wanted - subject
    need_own = math.ceil(_STATES_OVERLAP * len(own))
    for passage in passages:
        numbers = frozenset().union(*(p.numbers for p in passage))
        if claim.numbers - numbers:
            continue
        dates = frozenset().union(*(p.dates for p in passage))
        if frozenset(claim.dates) - dates:
            continue
        canonical = frozenset().union(*(p.canonical_terms() for p in passage))
        if names - canonical:
            continue
        if months and months - frozenset().union(*(_months(p.text) for p in passage)):
            continue
        held = frozenset().union(*(p.folded_terms() for p in passage))
        if len(wanted & held) >= need and len(own & held) >= need_own:
            return True
    return False


_MONTH_NAME = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b"
)


def _months(text: str) -> frozenset[str]:
    return frozenset(_MONTH_NAME.findall(text))


# News names a government by its capital or seat ("Washington", "the Kremlin"): the same
# name for the support check (term prefixes, see `terms`).
_ALIASES = ALIASES


def _same_point(a: _Sentence, b: _Sentence, cosine: float) -> bool:
    """Do two sentences report the same point? Strict on purpose: a bullet cites b's article."""
    if cosine >= _SUPPORT_COSINE:
        return True
    common = a.term_set & b.term_set
    smaller = min(len(a.term_set), len(b.term_set)) or 1
    return len(common) >= _SUPPORT_MIN_SHARED and len(common) / smaller >= _SUPPORT_OVERLAP


def _support(
    pool: list[_Sentence], sentences: list[_Sentence], space: _Space
) -> dict[int, list[int]]:
    """For each pool sentence, the indexes of all sentences reporting the same point.

    One sparse product gives every pool sentence's cosine to every sentence it shares a term
    with (terms in more than `limit` sentences left out, as an inverted index would skip their
    long postings); the content-word overlap test and the expansion read only those pairs."""
    out: dict[int, list[int]] = {}
    if not pool:
        return out
    matrix = space.matrix
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    limit = max(_MIN_POSTING_LIMIT, int(_MAX_POSTING_SHARE * len(sentences)))
    # Which terms each sentence holds (all of them, frequent ones too): the content words a
    # pair has in common are one product of these rows, exact small integers. (Copies of the
    # index arrays: scipy may sort a matrix's indices in place, which would reorder `matrix`.)
    held = sparse.csr_matrix(
        (np.ones(matrix.nnz), matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape
    )
    held_t = held.T.tocsr()
    # Candidates a block at a time, each block's pairs at once (a Python loop of numpy calls
    # per candidate cost more than the arithmetic; all candidates at once, too much memory at
    # thousands of articles). Each candidate's row of every product is computed on its own,
    # so the block's size changes no value, only how many scipy calls a brief makes.
    block = max(_SUPPORT_BLOCK, _SUPPORT_CELLS // max(1, len(sentences)))
    for first in range(0, len(pool), block):
        _support_block(pool[first : first + block], matrix, df > limit, space, out, held, held_t)
    return out


# Candidates per step of the support search, at least; more while a step's candidates x
# sentences tables stay under `_SUPPORT_CELLS` cells (bounds its memory).
_SUPPORT_BLOCK = 16
_SUPPORT_CELLS = 250_000


def _support_block(
    pool: list[_Sentence],
    matrix: sparse.csr_matrix,
    frequent: np.ndarray,
    space: _Space,
    out: dict[int, list[int]],
    held: sparse.csr_matrix,
    held_t: sparse.csr_matrix,
) -> None:
    """`_support` for these candidates (`frequent`: the terms left out of the cosines;
    `held`: `matrix` with every entry 1, and `held_t` its transpose)."""
    rows = np.array([c.index for c in pool], dtype=np.int64)
    cands = matrix[rows].tocsr()
    cands.data[frequent[cands.indices]] = 0.0
    cands.eliminate_zeros()
    dots = (cands @ matrix.T).tocsr()
    dots.sort_indices()
    sizes = np.diff(matrix.indptr)
    # (candidate, other sentence, cosine) for every pair sharing a term, self left out.
    pair_row = np.repeat(np.arange(len(pool), dtype=np.int64), np.diff(dots.indptr))
    others = dots.indices.astype(np.int64)
    values = dots.data
    keep = others != rows[pair_row]
    pair_row, others, values = pair_row[keep], others[keep], values[keep]
    # The content words each pair has in common: a candidates x sentences table of shared
    # term counts (a sum of ones: the same count as looking each term up).
    common = (held[rows] @ held_t).toarray()[pair_row, others]
    n_terms = np.array([len(c.term_set) for c in pool], dtype=np.int64)
    smaller = np.maximum(np.minimum(n_terms[pair_row], sizes[others]), 1)
    same = (values >= _SUPPORT_COSINE) | (
        (common >= _SUPPORT_MIN_SHARED) & (common / smaller >= _SUPPORT_OVERLAP)
    )
    # Expanded vectors: each candidate's own row plus its near neighbours' rows weighted by
    # similarity (one sparse product; per column, the neighbours in index order, as the
    # per-candidate sums ran before).
    near = values >= _EXPAND_MIN
    weighted = sparse.csr_matrix(
        (values[near], (pair_row[near], others[near])), shape=(len(pool), matrix.shape[0])
    )
    expanded = (matrix[rows] + weighted @ matrix).tocsr()
    expanded.sort_indices()
    bounds = np.searchsorted(pair_row, np.arange(len(pool) + 1)).tolist()
    e_ptr = expanded.indptr.tolist()
    for r, cand in enumerate(pool):
        start, end = bounds[r], bounds[r + 1]
        found = [cand.index]
        found.extend(others[start:end][same[start:end]].tolist())
        vals = expanded.data[e_ptr[r] : e_ptr[r + 1]]
        cols = expanded.indices[e_ptr[r] : e_ptr[r + 1]]
        nonzero = vals != 0.0
        vals, cols = vals[nonzero], cols[nonzero]
        # The norm from the non-zero values, summed by numpy: a dense BLAS dot over the
        # whole vocabulary wakes OpenBLAS's threads (6 ms a call on a loaded machine).
        norm = math.sqrt(float(np.add.reduce(vals * vals))) or 1.0
        cand.expanded = (cols, vals / norm)
        out[cand.index] = found


def _entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in a CSR matrix's `indices`/`data` of all entries of `rows`, row by row."""
    lengths = indptr[rows + 1] - indptr[rows]
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    # Each entry's position: its row's start plus its rank within the row.
    row_start = np.repeat(indptr[rows].astype(np.int64), lengths)
    rank = np.arange(total, dtype=np.int64) - np.repeat(_starts(lengths), lengths)
    return row_start + rank


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of these lengths starts."""
    out = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=out[1:])
    return out


# A term at least this share of a window's reports hold (the flight's number, the ocean
# searched) is what the window is about: two bullets that both name it do not, for that, say
# the same thing. Only in windows of at least `_SUBJECT_MIN_ARTICLES` reports.
_SUBJECT_SHARE = 0.5
_SUBJECT_MIN_ARTICLES = 3


def _subject(sentences: list[_Sentence], space: _Space | None = None) -> frozenset[str]:
    """The window's subject: the terms at least `_SUBJECT_SHARE` of its articles hold."""
    n = len({s.article for s in sentences})
    if n < _SUBJECT_MIN_ARTICLES:
        return frozenset()
    if space is None:
        space = _vectorize(sentences)
    matrix = space.matrix
    width = max(1, matrix.shape[1])
    # Distinct (article, term) pairs: the non-zero entries of the articles x terms product of
    # sentence membership and the (positive) counts, made by `_stories` already; then
    # articles per term. (A sparse product, linear in the entries: sorting every entry's pair
    # was 8% of a 5,000-article brief.)
    pairs = space.article_counts
    if pairs is None or pairs.shape[1] != matrix.shape[1]:
        articles = 1 + max(s.article for s in sentences)
        pairs = (space.member(sentences, articles) @ space.counts).tocsr()
    pairs.eliminate_zeros()
    holders = np.bincount(pairs.indices, minlength=width)
    return frozenset(space.terms[j] for j in np.nonzero(holders >= _SUBJECT_SHARE * n)[0])


# A vector as arrays: its columns and weights, in the order its dictionary would hold them.
_Row = tuple[np.ndarray, np.ndarray]
_NO_ROW: _Row = (np.zeros(0, dtype=np.int64), np.zeros(0))


def _beyond(row: _Row, subject: np.ndarray | None) -> _Row:
    """A sentence's vector without the window's subject terms (`subject`: a mask of their
    columns), renormalized: what it adds."""
    if subject is None:
        return row
    cols, vals = row
    keep = ~subject[cols]
    cols, vals = cols[keep], vals[keep]
    # `_normalize`'s arithmetic: the squares added one by one (Python's sum), one division each.
    norm = math.sqrt(sum((vals * vals).tolist())) or 1.0
    return cols, vals / norm


class _Beyond:
    """Each sentence's vectors and term sets without the window's subject terms (`_subject`),
    computed once per sentence: the repetition test compares every candidate with every
    chosen bullet, many times over. The cosines of the `compared` sentences' vectors (the
    pool and the leads) are two matrix products, made when first asked for; each is the sum
    `_cosine` makes, term by term in the same order (the shorter vector's, the first one's
    when as long; a product's row is added in its stored order)."""

    def __init__(
        self,
        subject: frozenset[str],
        column: dict[str, int] | None = None,
        compared: Sequence[_Sentence] = (),
    ) -> None:
        self.subject = subject
        # The subject's columns (None: no subject, the vectors are compared whole).
        self.mask: np.ndarray | None = None
        if subject:
            if column is None:
                raise ValueError("a subject needs the window's term columns")
            self.mask = np.zeros(len(column), dtype=bool)
            self.mask[[column[t] for t in subject if t in column]] = True
        self._seen: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self.compared = list({s.index: s for s in compared}.values())
        self._row: dict[int, int] = {}
        # Per compared sentence's row, its cosines with every compared sentence (lists: read
        # one value at a time, thousands of times).
        self._tables: tuple[list[list[float]], list[list[float]]] | None = None

    def __call__(self, s: _Sentence) -> tuple[frozenset[str], frozenset[str]]:
        """`s`'s terms and synonym-folded terms beyond the subject."""
        hit = self._seen.get(s.index)
        if hit is None:
            sub = self.subject
            hit = self._seen[s.index] = (s.term_set - sub, s.folded_terms() - sub)
        return hit

    def vectors(self, s: _Sentence) -> tuple[_Row, _Row]:
        """`s`'s vector and expanded vector beyond the subject (the tables hold the
        compared sentences' cosines: this is for the others)."""
        return _beyond(_vec_row(s), self.mask), _beyond(s.expanded or _NO_ROW, self.mask)

    def against(self, a: _Sentence) -> tuple[list[float], list[float], dict[int, int]] | None:
        """`a`'s rows of the cosine tables (its vector's beyond the subject, its expanded
        vector's) and each compared sentence's column; None when `a` was not compared."""
        if self._tables is None:
            vec, expanded = self._products()
            self._tables = vec.tolist(), expanded.tolist()
        r = self._row.get(a.index)
        if r is None:
            return None
        return self._tables[0][r], self._tables[1][r], self._row

    def cosines(self, a: _Sentence, b: _Sentence) -> tuple[float, float]:
        """`_cosine` of `a`'s and `b`'s vectors beyond the subject, and of their expanded ones."""
        rows = self.against(a)
        c = rows[2].get(b.index) if rows is not None else None
        if rows is None or c is None:  # not compared up front: one by one
            va, ea = self.vectors(a)
            vb, eb = self.vectors(b)
            return _row_cosine(va, vb), _row_cosine(ea, eb)
        return rows[0][c], rows[1][c]

    def _products(self) -> tuple[np.ndarray, np.ndarray]:
        """Per pair of compared sentences (row, column), each cosine summed in the order
        `_cosine` sums it: the shorter vector's (the row's when as long)."""
        self._row = {s.index: r for r, s in enumerate(self.compared)}
        plain = [_vec_row(s) for s in self.compared]
        expanded = [s.expanded or _NO_ROW for s in self.compared]
        return self._table(plain), self._table(expanded)

    def _table(self, rows: list[_Row]) -> np.ndarray:
        """The cosines of these vectors beyond the subject, all pairs: `_beyond` of every row
        at once (a row's squares added in order by bincount, as Python's sum adds them), then
        one product."""
        m = len(rows)
        if not m:
            return np.zeros((0, 0))
        lengths = np.fromiter(map(len, (c for c, _ in rows)), dtype=np.int64, count=m)
        cols = np.concatenate([c for c, _ in rows]).astype(np.int64)
        vals = np.concatenate([v for _, v in rows])
        if self.mask is not None:
            row_of = np.repeat(np.arange(m), lengths)
            keep = ~self.mask[cols]
            cols, vals, row_of = cols[keep], vals[keep], row_of[keep]
            lengths = np.bincount(row_of, minlength=m)
            norms = np.sqrt(np.bincount(row_of, weights=vals * vals, minlength=m))
            norms[norms == 0.0] = 1.0  # (`or 1.0`)
            vals = vals / norms[row_of]
        indptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        width = int(cols.max(initial=0)) + 1
        table = sparse.csr_matrix((vals, cols, indptr), shape=(m, width))
        dots = (table @ table.T).toarray()
        # Row r's order is r's vector's; the pair (r, c) sums in c's order when c is the
        # shorter one.
        swap = lengths[:, None] > lengths[None, :]
        return np.where(swap, dots.T, dots)  # type: ignore[no-any-return]


def _vec_row(s: _Sentence) -> _Row:
    """`s.vec` as arrays: its columns and weights in `pairs`' order."""
    w = s.weights
    if w is None or w.indices is None:
        return _NO_ROW
    start, end = w.indptr[s.index], w.indptr[s.index + 1]
    return w.indices[start:end], w.data[start:end]


def _row_cosine(a: _Row, b: _Row) -> float:
    """`_cosine` of two vectors given as arrays (the shorter one's terms in order)."""
    if len(a[0]) > len(b[0]):
        a, b = b, a
    other = dict(zip(b[0].tolist(), b[1].tolist(), strict=True))
    return sum(
        w * other[t] for t, w in zip(a[0].tolist(), a[1].tolist(), strict=True) if t in other
    )


def _redundant(
    cand: _Sentence,
    chosen: list[tuple[str, _Sentence]],
    section: str,
    beyond: _Beyond | None = None,
    lede: bool = False,
) -> bool:
    """Does `cand` repeat a chosen bullet? Compared on what each says beyond the window's
    subject (`_subject`): in a window of one event's reports, "MH370 crashed in the southern
    Indian Ocean" and "planes spotted objects in the Indian Ocean search for MH370" share
    what the whole window is about, not a point. A report's lede (`lede`) is another day's
    news of the same event: it must repeat a bullet in its own words, as closely as across
    sections (`_CROSS_SECTION`); through their neighbourhoods (the expanded cosine) every
    lede of one event resembles every other ("the memorial of the July 7 bombings" and "the
    profiles of the July 7 bombers")."""
    view = beyond or _Beyond(frozenset())
    cand_terms, cand_folded = view(cand)
    rows = view.against(cand)
    for other_section, other in chosen:
        other_terms, other_folded = view(other)
        c = rows[2].get(other.index) if rows is not None else None
        if rows is None or c is None:
            cos, expanded = view.cosines(cand, other)
        else:
            cos, expanded = rows[0][c], rows[1][c]
        jac = _jaccard(cand_terms, other_terms)
        same = other_section == section
        max_cos, max_jac, max_exp = _SAME_SECTION if same else _CROSS_SECTION
        if cos >= max_cos or jac >= max_jac:
            return True
        if same and _jaccard(cand_folded, other_folded) >= max_jac:
            return True
        if not lede and expanded >= max_exp:
            return True
        # Words a window's every report repeats are its subject, so the same background line
        # from each later report has nothing "beyond" it: judged on all its words, it repeats.
        if lede and _jaccard(cand.term_set, other.term_set) >= _SAME_LINE:
            return True
    return False


def _choose(
    pool: list[_Sentence],
    sentences: list[_Sentence],
    supporters: dict[int, list[int]],
    articles: list[ArticleInput],
    outlets: list[frozenset[str]],
    story: list[int],
    leads: Sequence[tuple[_Sentence, str, tuple[int, ...]]] = (),
    subject: frozenset[str] = frozenset(),
    column: dict[str, int] | None = None,
) -> dict[str, list[Bullet]]:
    """Greedy selection, after each story's lead (`_leads`) opens the key provisions.
    (`column`: the window's term columns, `_Space.column`.)

    A candidate's score shrinks by `_STORY_DECAY` for every bullet its
    story already has in the section, so a window with several stories leads with each
    story's main point instead of five points of the biggest one."""
    ranked = sorted(pool, key=_by_final)
    beyond = _Beyond(subject, column, [lead for lead, _, _ in leads] + ranked)
    best = _best_by_section(ranked)
    chosen: list[tuple[str, _Sentence]] = []
    covered: set[int] = set()
    # Sentence -> publication times of the chosen bullets whose point it reports.
    covered_at: dict[int, list[datetime | None]] = {}
    per_story: dict[tuple[str, int], int] = {}
    per_article: dict[int, int] = {}  # bullets chosen from each article, any section
    result: dict[str, list[Bullet]] = {name: [] for name in SECTIONS}
    caps = {name: section_cap(name) for name in SECTIONS}

    def fits(cand: _Sentence) -> bool:
        """Could `cand` be a bullet at all: room in its section, strong and briefable enough,
        a sentence that stands alone?"""
        section = cand.label.section
        assert section
        return not (
            sum(1 for name, _ in chosen if name == section) >= caps[section]
            or cand.final < _MIN_RELATIVE * best[section]
            or cand.label.score < _MIN_BRIEFABILITY
            or _marks(cand).flags & (mk.LEANS | mk.SPEAKS) != mk.SPEAKS
        )

    def repeats(cand: _Sentence, lede: bool = False) -> bool:
        """Does `cand` repeat a chosen bullet? A report's lede (`lede`) published days after
        every bullet whose point it seems to report (`covered`: words shared with the lead are
        often just the event's own) is judged only on what it says beyond the window's subject
        (`_redundant`)."""
        assert cand.label.section
        if cand.index in covered and not (lede and _later_news(cand, covered_at, articles)):
            return True
        return _redundant(cand, chosen, cand.label.section, beyond, lede)

    def eligible(cand: _Sentence) -> bool:
        return fits(cand) and not repeats(cand)

    def adjusted(cand: _Sentence) -> tuple[float, int, int]:
        assert cand.label.section
        seen = per_story.get((cand.label.section, story[cand.article]), 0)
        own = per_article.get(cand.article, 0) if cand.label.section == "key_provisions" else 0
        return (
            -cand.final * _STORY_DECAY**seen * _ARTICLE_DECAY**own,
            cand.article,
            cand.position,
        )

    extra: dict[int, set[int]] = {}  # chosen bullet -> articles that restate it in other words
    shown: dict[int, str] = {}  # chosen bullet -> its text when not the sentence's own (leads)

    def take(section: str, cand: _Sentence) -> None:
        chosen.append((section, cand))
        covered.update(supporters[cand.index])
        for i in supporters[cand.index]:
            covered_at.setdefault(i, []).append(articles[cand.article].published_at)
        key = (section, story[cand.article])
        per_story[key] = per_story.get(key, 0) + 1
        per_article[cand.article] = per_article.get(cand.article, 0) + 1

    for lead, text, where_from in leads:
        shown[len(chosen)] = text
        extra[len(chosen)] = set(where_from)
        take("key_provisions", lead)
    lead_stories = [story[lead.article] for lead, _, _ in leads]
    caps["key_provisions"] = _key_provision_cap(story, lead_stories)
    # Each report's own news (its lede), report by report in date order, before any report
    # gives a second detail: what a reader following the story day by day was told.
    # The last `_DETAIL_SLOTS` key provisions stay for the details most reported across the
    # story (a toll, who was aboard), whichever report gives them.
    room = caps["key_provisions"] - _detail_slots(story, lead_stories, caps["key_provisions"])
    # Eligible before the ledes: one a lede now repeats still lends it its article (below).
    left = [c for c in ranked if eligible(c)]
    _take_ledes(
        lambda prefer: _report_ledes(ranked, articles, story, lead_stories, fits, repeats, prefer),
        _Ledes(
            ranked, sentences, articles, story, lead_stories, room, caps["key_provisions"] - room
        ),
        chosen,
        eligible,
        take,
    )
    taken = {c.index for _, c in chosen}
    left = [c for c in left if c.index not in taken]
    while left:
        cand = min(left, key=adjusted)
        left.remove(cand)
        if not eligible(cand):
            restated = _restates(cand, chosen, sentences, subject)
            if restated is not None and cand.index not in covered:
                extra.setdefault(restated, set()).add(cand.article)
            continue
        assert cand.label.section
        take(cand.label.section, cand)
    for position, (section, cand) in enumerate(chosen):
        cited = _cited(cand, supporters, sentences, subject, articles, extra.get(position, set()))
        body = _without_links(shown.get(position) or _clean_bullet(cand.text))
        bullet = _bullet(section, body, cited, articles, outlets, story[cand.article])
        result[section].append(bullet)
    return result


def _best_by_section(ranked: list[_Sentence]) -> dict[str, float]:
    """Each section's best final score (`ranked` is best first): the bar `_MIN_RELATIVE` is
    relative to."""
    best: dict[str, float] = {}
    for s in ranked:
        assert s.label.section
        best.setdefault(s.label.section, s.final)
    return best


def _cited(
    cand: _Sentence,
    supporters: dict[int, list[int]],
    sentences: list[_Sentence],
    subject: frozenset[str],
    articles: list[ArticleInput],
    extra: set[int],
) -> tuple[int, ...]:
    """The articles a bullet cites: its own first, then those with a sentence that states the
    bullet's point (numbers, names) and those that restate it in other words (`extra`)."""
    stating = {
        sentences[i].article
        for i in supporters[cand.index]
        if states(cand, sentences[i], sentences, subject)
    }
    reporting = sorted(
        (stating | extra) - {cand.article},
        key=lambda a: natural_key(articles[a].id),
    )
    return (cand.article, *reporting)


def _bullet(
    section: str,
    body: str,
    cited: tuple[int, ...],
    articles: list[ArticleInput],
    outlets: list[frozenset[str]],
    story: int,
) -> Bullet:
    """The bullet as shown: its text trimmed to fit with the count of distinct outlets that
    state it, its citations and their outlets' names."""
    ids = tuple(articles[a].id for a in cited)
    names = _outlet_names([articles[a] for a in cited])
    n_outlets = len(set().union(*(outlets[a] for a in cited)))
    suffix = f" (reported by {n_outlets} sources)" if n_outlets >= 2 else ""
    if section == "open_questions" and _CONDITION.search(body) and not _OPEN_FORM.search(body):
        body = body.rstrip(".") + CONDITION_OPEN + "."  # a condition: say that it is open
    text = trim_sentence(body, MAX_BULLET_CHARS - len(suffix))
    return Bullet(text + suffix, ids, outlets=names, story=story)


def _key_provision_cap(story: list[int], lead_stories: list[int]) -> int:
    """How many key provisions: `_KEY_PROVISIONS`, or room for the lead, one lede per report of
    the stories that have a lead and `_DETAIL_SLOTS` details when they have more reports, up
    to `section_cap` (a story followed over many reports reads as that many steps)."""
    reports = sum(1 for key in story if key in lead_stories)
    return max(_KEY_PROVISIONS, min(1 + reports + _DETAIL_SLOTS, section_cap("key_provisions")))


def _detail_slots(story: list[int], lead_stories: list[int], cap: int) -> int:
    """How many of the `cap` key provisions stay for details: `_DETAIL_SLOTS`, fewer when the
    lead and one lede per report of the stories that have a lead would not fit otherwise (a
    story followed over many reports: each report's news before a second detail of any)."""
    reports = sum(1 for key in story if key in lead_stories)
    return max(0, min(_DETAIL_SLOTS, cap - len(lead_stories) - reports))


def _published_order(articles: Sequence[ArticleInput], members: Sequence[int]) -> list[int]:
    """Articles by publication time (undated last), then id: the order a reader got them."""
    far = datetime.max.replace(tzinfo=UTC)

    def when(a: int) -> datetime:
        t = articles[a].published_at
        if t is None:
            return far
        return t if t.tzinfo else t.replace(tzinfo=UTC)

    return sorted(members, key=lambda a: (when(a), natural_key(articles[a].id)))


# A report this much later than a bullet is another day's news, not a restatement of it.
_LATER_NEWS = timedelta(days=2)


def _later_news(
    cand: _Sentence, covered_at: dict[int, list[datetime | None]], articles: Sequence[ArticleInput]
) -> bool:
    """Was `cand`'s report published `_LATER_NEWS` after every chosen bullet it seems to
    restate (undated reports never are)?"""
    when = articles[cand.article].published_at
    if when is None:
        return False
    times = covered_at.get(cand.index, [])
    return all(t is not None and _aware(when) - _aware(t) >= _LATER_NEWS for t in times)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _report_ledes(
    ranked: list[_Sentence],
    articles: Sequence[ArticleInput],
    story: list[int],
    lead_stories: list[int],
    fits: Callable[[_Sentence], bool],
    repeats: Callable[[_Sentence, bool], bool],
    prefer: Callable[[], frozenset[str]] = frozenset,
) -> Iterator[_Sentence]:
    """Each report's lede for the stories that have a lead: its earliest key provision among
    its first `_LEDE_POSITIONS` sentences that `fits`, unless that one `repeats` a bullet
    already chosen (checked as each is taken: then the report's news is already told),
    reports in date order, the stories taking turns. The lead's report too: the lead is the
    story's most-reported point, which may be background its report repeats, not its news.
    A lede sentence stating a figure of `prefer()` (asked as each report comes) goes first."""
    ledes: dict[int, list[_Sentence]] = {}
    for s in ranked:
        if s.label.section == "key_provisions" and s.position < _LEDE_POSITIONS:
            ledes.setdefault(s.article, []).append(s)
    members = [[a for a, k in enumerate(story) if k == key] for key in lead_stories]
    # A story of one report: its lead is that report's news.
    queues = [_published_order(articles, m) for m in members if len(m) > 1]
    for turn in itertools.zip_longest(*queues):
        for a in turn:
            if a is None:
                continue
            wanted = prefer()
            for cand in sorted(
                ledes.get(a, ()), key=lambda s: (not (s.numbers & wanted), s.position)
            ):
                if not fits(cand):
                    continue  # a caption, a weak line: the report's news may come next
                if not repeats(cand, True):
                    yield cand
                break  # the report's first usable sentence repeats a bullet: its news is told


def _outlet_names(articles: Sequence[ArticleInput]) -> tuple[str, ...]:
    """The distinct outlets (as named) that carry these articles, syndicated copies included."""
    seen: dict[str, str] = {}
    for article in articles:
        for name in (article.outlet, *article.also_in):
            if name and name.strip():
                seen.setdefault(name.strip().lower(), name.strip())
    return tuple(seen.values())


# -- stories: leads, supersession, labels ----------------------------------------------------

# Stories beyond this many (largest first) get no lead of their own.
MAX_LEAD_STORIES = 3
_LEAD_SHORTLIST = 40
_REACH_COSINE = 0.3  # a sentence this alike to a lead candidate reports its point
# A dateline's date lies in the story's own span (a week before its first report at most:
# a date without a year, or one from a list of past events, would date it wrongly).
_DATELINE_DAYS = 7


def _lead_shape(s: _Sentence) -> float:
    """How lead-like a sentence is before its reach: central, early, with figures and names."""
    return (
        s.central
        * (1.0 + 0.3 * bool(s.numbers) + 0.2 * bool(s.names) + 0.2 * bool(s.places))
        / (1.0 + 0.1 * s.position)
        * _sigmoid(s.label.score / 2.0)
    )


def _leads(
    topic: str,
    articles: list[ArticleInput],
    sentences: list[_Sentence],
    story: list[int],
    naming: list[bool],
    matrix: sparse.csr_matrix | None = None,
) -> list[tuple[_Sentence, str, tuple[int, ...]]]:
    """Each story's lead: (sentence, the bullet text, articles its where/when came from).

    The lead is the story's most central early sentence that states something (not opinion, not
    a question), preferring ones with numbers and names: the who/what/how-many. When it does not
    say where and when, the place and date the story's sentences name most often (a place
    after "in"/"at"; a date not after the newest article) open it as a dateline:
    "Jeddah, 11 March — …".
    """
    topic_terms = frozenset(terms(topic))
    sizes: dict[int, int] = {}
    for key in story:
        sizes[key] = sizes.get(key, 0) + 1
    by_story: dict[int, list[_Sentence]] = {}
    for s in sentences:
        by_story.setdefault(story[s.article], []).append(s)
    order = sorted(sizes, key=lambda k: (-sizes[k], k))[:MAX_LEAD_STORIES]
    out: list[tuple[_Sentence, str, tuple[int, ...]]] = []
    for key in order:
        if not any(naming[a] for a, k in enumerate(story) if k == key):
            continue  # a story no article of which names the topic gets no lead
        group = by_story.get(key, [])
        # The cheap tests on every sentence of the story, the pattern tests (`mk.MAY_LEAD`) in
        # order of shape until the shortlist is full: a big story has thousands of sentences.
        plausible = sorted(
            (
                s
                for s in group
                if not s.superseded
                and s.label.opinion < 2.0
                and s.label.score >= 0.0
                and 8 <= _marks(s).words <= 45
                and s.tense != "future"
                and s.names  # who or where: a lead names someone or somewhere
            ),
            key=lambda s: (-_lead_shape(s), s.article, s.position),
        )
        # The most-reported of the best-shaped: how many of the story's articles say it too.
        shortlist = list(
            itertools.islice(
                (s for s in plausible if _marks(s).flags & mk.MAY_LEAD), _LEAD_SHORTLIST
            )
        )
        if not shortlist:
            continue
        reach = _reach(
            shortlist, group, matrix if matrix is not None else _vectorize(sentences).matrix
        )
        agreed = _agreed_numbers(group)
        lead = max(
            shortlist,
            key=lambda s: (
                round(
                    _lead_shape(s)
                    * (1.0 + _AGREED_BONUS * bool(s.numbers & agreed))
                    * (1.0 + math.log2(reach[s.index])),
                    9,
                ),
                -s.article,
                -s.position,
            ),
        )
        times = [articles[a].published_at for a in {s.article for s in group}]
        known = [t for t in times if t is not None]
        span = (min(known), max(known)) if known else None
        # A dateline says when the lead's news happened: within days of its own report, not
        # the day the story began ("8 March" on a lead about a search three weeks later).
        published = articles[lead.article].published_at
        own_span = (published, span[1]) if span and published else span
        text, where_from = _dateline(lead, group, topic_terms, own_span)
        out.append((lead, text, where_from))
    return out


# A figure stated by this many of a story's reports is one they agree on (the toll, how many
# were aboard): a lead that holds it says how many (issue 12: the lead is built from the facts
# several articles agree on). Years and counts up to 10 are too common to tell. Such a lead
# weighs (1 + bonus) times: at 0.5 and 1.0 it rarely moved a lead; 2.0 and 3.0 lead the same.
_AGREED_REPORTS = 3
_AGREED_BONUS = 2.0


def _agreed_numbers(group: list[_Sentence]) -> frozenset[str]:
    """The figures that at least `_AGREED_REPORTS` distinct articles of the story state."""
    where: dict[str, set[int]] = {}
    for s in group:
        for n in s.numbers:
            value = _value(n)
            if value is None or value <= 10 or (1900 <= value <= 2100 and value == int(value)):
                continue
            where.setdefault(n, set()).add(s.article)
    return frozenset(n for n, arts in where.items() if len(arts) >= _AGREED_REPORTS)


# A figure counts as the story's most widely reported one when at least this share of its
# reports (and `_AGREED_REPORTS`) state it as a count.
_WIDELY_REPORTED = 0.5


# A figure within this share of the most widely reported one updates it (a toll of 130 for 129).
_SAME_FIGURE = 0.05


def _restates_figure(s: _Sentence, figure: str) -> bool:
    """Does the sentence state `figure`, or an updated count close to it?"""
    target = _value(figure)
    if figure in s.numbers or target is None:
        return figure in s.numbers
    return any(
        (v := _value(n)) is not None and abs(v - target) <= _SAME_FIGURE * target for n in s.numbers
    )


@dataclass(frozen=True)
class _Ledes:
    """What `_take_ledes` needs to know about the window."""

    ranked: list[_Sentence]
    sentences: list[_Sentence]
    articles: list[ArticleInput]
    story: list[int]
    lead_stories: list[int]
    room: int  # key provisions the lead and the ledes may fill
    details: int  # key provisions after them, for the most reported details


def _take_ledes(
    ledes: Callable[[Callable[[], frozenset[str]]], Iterable[_Sentence]],
    window: _Ledes,
    chosen: list[tuple[str, _Sentence]],
    eligible: Callable[[_Sentence], bool],
    take: Callable[[str, _Sentence], None],
) -> None:
    """Each report's lede (`_report_ledes`) until `window.room` is full, but for one slot per
    story whose most widely reported figure ("239 aboard", the toll) no bullet states yet: ten
    ledes can each leave it out. The first report that states it among its lede sentences gives
    that sentence as its lede (the report's news is then told with the figure); failing that,
    the slot goes to the best key provision stating it."""
    story = window.story
    counting = [s for s in window.sentences if s.cardinals]
    owed = [
        (key, figure)
        for key in window.lead_stories
        if (figure := _widely_reported(counting, story, key, window.articles)) is not None
    ]

    def unstated() -> list[tuple[int, str]]:
        return [
            (key, figure)
            for key, figure in owed
            if not any(story[c.article] == key and _restates_figure(c, figure) for _, c in chosen)
        ]

    for cand in ledes(lambda: frozenset(figure for _, figure in unstated())):
        # The slot comes from the details first (`window.details`), from the ledes when none.
        if len(chosen) >= window.room - max(0, len(unstated()) - window.details):
            break
        take("key_provisions", cand)
    for key, figure in unstated():
        holder = _figure_holder(window.ranked, story, key, figure, eligible)
        if holder is not None:
            take("key_provisions", holder)


def _figure_holder(
    ranked: list[_Sentence],
    story: list[int],
    key: int,
    figure: str,
    eligible: Callable[[_Sentence], bool],
) -> _Sentence | None:
    """The best-ranked eligible key provision of story `key` that states `figure`."""
    for c in ranked:
        if (
            figure in c.numbers
            and story[c.article] == key
            and c.label.section == "key_provisions"
            and eligible(c)
        ):
            return c
    return None


def _widely_reported(
    sentences: list[_Sentence], story: list[int], key: int, articles: Sequence[ArticleInput]
) -> str | None:
    """The count (not a year, not up to 10) that the most reports of story `key` state, if at
    least `_WIDELY_REPORTED` of them and `_AGREED_REPORTS` do and no report revises it: how
    many were aboard, a toll that stays."""
    reports = sum(1 for k in story if k == key)
    never = datetime.min.replace(tzinfo=UTC)
    published = [a.published_at or never for a in articles]
    where: dict[str, set[int]] = {}
    for s in sentences:
        if story[s.article] != key:
            continue
        for n in s.cardinals:
            value = _value(n)
            if value is None or value <= 10 or (1900 <= value <= 2100 and value == int(value)):
                continue
            where.setdefault(n, set()).add(s.article)
    if not where:
        return None
    figure = max(where, key=lambda n: (len(where[n]), n))
    enough = max(_AGREED_REPORTS, math.ceil(_WIDELY_REPORTED * reports))
    if len(where[figure]) < enough:
        return None
    # A count the story revises (a toll of 129, then 130 in its newest report) is no settled
    # fact: which figure holds is for the supersession rules (`_later_toll`), not this slot.
    # A close figure in an earlier report (one "230 people" among many "239") revises nothing.
    value = _value(figure)
    assert value is not None
    last = max(_aware(published[a]) for a in where[figure])
    revised = any(
        n != figure
        and (v := _value(n)) is not None
        and abs(v - value) <= _SAME_FIGURE * value
        and max(_aware(published[a]) for a in arts) > last
        for n, arts in where.items()
    )
    return None if revised else figure


def _reach(
    shortlist: list[_Sentence], group: list[_Sentence], matrix: sparse.csr_matrix
) -> dict[int, int]:
    """For each candidate, how many distinct articles of its story have a sentence this alike
    (its own included): one sparse product of the candidates' rows (terms in more than
    `limit` of the story's sentences left out, as an inverted index skips long postings) with
    the story's sentences. `matrix`: every sentence's unit TF-IDF row (`_vectorize`)."""
    rows = np.array([s.index for s in group], dtype=np.intp)
    story_rows = matrix[rows]
    df = np.bincount(story_rows.indices, minlength=matrix.shape[1])
    limit = max(_MIN_POSTING_LIMIT, int(_MAX_POSTING_SHARE * len(group)))
    cands = matrix[[c.index for c in shortlist]]
    cands.data[df[cands.indices] > limit] = 0.0
    cands.eliminate_zeros()
    dots = (cands @ story_rows.T).tocsr()
    article_of = np.array([s.article for s in group], dtype=np.intp)
    out: dict[int, int] = {}
    for r, cand in enumerate(shortlist):
        start, end = dots.indptr[r], dots.indptr[r + 1]
        alike = dots.indices[start:end][dots.data[start:end] >= _REACH_COSINE]
        out[cand.index] = len({cand.article, *article_of[alike].tolist()})
    return out


def _dateline(
    lead: _Sentence,
    group: list[_Sentence],
    topic_terms: frozenset[str],
    span: tuple[datetime, datetime] | None,
) -> tuple[str, tuple[int, ...]]:
    """The lead's text, opened by "Place, D Month — " where it lacks them. When: the date the
    story's sentences write out most often (the lead's own article first; never one only
    computed from "on Monday", and within the story's span). Where: a place named in the
    same sentence as that date ("talks held in Jeddah on March 11"), so the two belong
    together."""
    text = _clean_bullet(lead.text)
    if lead.dates:
        return text, ()
    # Only the lead's own article dates and places it: another article's date is another
    # event's (the attack's day on a lead about the photographs released a week later).
    own = [s for s in group if s.article == lead.article]
    when, when_from = _when(own, span)
    if not when or when_from is None:
        return text, ()
    place = None
    for s in own:
        if when in _written_dates(s):
            usable = [p for p in s.places if not frozenset(terms(p)) <= topic_terms]
            if usable and usable[0] not in lead.text:
                place = usable[0]
                break
    newest = span[1] if span else None
    day = datetime.fromisoformat(when)
    label = f"{day.day} {day:%B}"
    if newest is None or day.year != newest.year:
        label += f" {day.year}"
    parts = [place, label] if place else [label]
    return f"{', '.join(parts)} — {text}", (when_from,)


_ANCHORED = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?: \w+)? \(?(\d{1,2}) "
    r"(January|February|March|April|May|June|July|August|September|October|November|December)"
)


def _written_dates(s: _Sentence) -> frozenset[str]:
    """The dates a sentence writes out: not those anchored from "on Monday" by the analysis."""
    anchored = {(int(m.group(1)), m.group(2)) for m in _ANCHORED.finditer(s.text)}
    out = set()
    for day in s.dates:
        d = datetime.fromisoformat(day)
        if (d.day, f"{d:%B}") not in anchored:
            out.add(day)
    return frozenset(out)


def _when(
    sample: list[_Sentence], span: tuple[datetime, datetime] | None
) -> tuple[str | None, int | None]:
    limit = span[1].date().isoformat() if span else "9999-12-31"
    floor = (span[0] - timedelta(days=_DATELINE_DAYS)).date().isoformat() if span else ""
    counts: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    for s in sample:
        for day in _written_dates(s):
            if day > limit or day < floor:
                continue
            counts[day] = counts.get(day, 0.0) + 1.0 + (1.0 if s.places else 0.0)
            first_seen.setdefault(day, s.article)
    if not counts:
        return None, None
    when = max(counts, key=lambda d: (counts[d], d))
    return when, first_seen[when]


_SUPERSEDE_COSINE = 0.5


def _story_spans(
    times: list[datetime | None], story: list[int]
) -> dict[int, tuple[datetime, datetime]]:
    """Each story's first and last publication time (dated articles only). Only a sentence
    published before its story's last report can be overtaken, and only one published after
    its story's first report can overtake: the rest (every sentence of a one-article story)
    skip the tests below, which are pattern searches per sentence."""
    spans: dict[int, tuple[datetime, datetime]] = {}
    for a, when in enumerate(times):
        if when is None:
            continue
        key = story[a]
        first, last = spans.get(key, (when, when))
        spans[key] = (min(first, when), max(last, when))
    return spans


def _supersede(articles: list[ArticleInput], sentences: list[_Sentence], story: list[int]) -> None:
    """Take out of the sections the sentences a later article of the same story overrides
    (another figure for the same names, or an outcome where the earlier one had a pending
    state: "released" over "release suspended").

    Candidates come from postings keyed by (story, name), sorted by publication time, so a
    sentence visits only the later sentences of its own story that share a name with it (not
    every sentence naming anyone it names), and of those only the ones that could overtake
    it: with a figure when it has one, reporting an outcome when it is pending; the cheap
    tests run before the cosine."""
    times = [a.published_at for a in articles]
    if len({t for t in times if t is not None}) < 2:
        return
    spans = _story_spans(times, story)
    # The sentences that could be overtaken first: the postings are filed only for their
    # stories and names (most sentences of a window of one-day stories have no later report
    # to fear).
    exposed = [
        s
        for s in sentences
        if (mine := times[s.article]) is not None
        and mine < spans[story[s.article]][1]
        and s.names
        and (s.numbers or _is_pending(s))
    ]
    if not exposed:
        return
    # (Only the (story, name) keys those sentences look up.)
    wanted = {(story[s.article], t) for s in exposed for t in s.names}
    postings = _name_postings(sentences, times, story, spans, wanted)
    # The pairs that pass the cheap tests, then all their cosines at once.
    pairs: list[tuple[int, int]] = []
    for s in exposed:
        mine = times[s.article]
        assert mine is not None
        pending = _is_pending(s)
        kinds = (_FIGURES,) * bool(s.numbers) + (_OUTCOMES,) * pending
        pairs.extend(
            (s.index, i)
            for i in postings.later(s, mine, story, kinds)
            if _may_override(s, sentences[i], pending)
        )
    overtaken = {
        a
        for (a, _), cosine in zip(pairs, _pair_cosines(sentences, pairs), strict=True)
        if cosine >= _SUPERSEDE_COSINE
    }
    for s in exposed:
        if s.index in overtaken:
            s.label = s.label.with_section(None)  # overtaken: not a bullet
            s.superseded = True


# The kinds of later sentences `_NamePostings` files apart: with a figure (they may give
# another one), and past-tense ones with no pending state (they may report an outcome).
_FIGURES = 0
_OUTCOMES = 1


class _NamePostings:
    """Sentences by (story, name), in publication order, for `_supersede`."""

    def __init__(
        self,
        postings: dict[tuple[int, str], list[tuple[datetime, int]]],
        kinds: Callable[[int, int], bool],
    ) -> None:
        for posting in postings.values():
            posting.sort()
        self.postings = postings
        self.starts = {key: [when for when, _ in p] for key, p in postings.items()}
        self.kinds = kinds
        # Per (kind, key), the posting's sentences of that kind (filed on first use).
        self.by_kind: dict[tuple[int, tuple[int, str]], tuple[list[datetime], list[int]]] = {}

    def _of_kind(self, kind: int, key: tuple[int, str]) -> tuple[list[datetime], list[int]]:
        filed = self.by_kind.get((kind, key))
        if filed is None:
            kept = [(when, i) for when, i in self.postings[key] if self.kinds(i, kind)]
            filed = self.by_kind[kind, key] = ([when for when, _ in kept], [i for _, i in kept])
        return filed

    def later(
        self, s: _Sentence, mine: datetime, story: list[int], kinds: tuple[int, ...]
    ) -> Iterator[int]:
        """Sentences of those `kinds` in `s`'s story published strictly after `mine` that
        share with `s` one of the names it must share to overtake it (`_overrides`). Sharing
        `need` of its k names leaves out at most k - need, so such a sentence holds one of any
        k - need + 1 of them: only the shortest postings (all kinds counted) are read (a window
        of thousands of articles names the same people in thousands of sentences). A sentence
        may come more than once."""
        remaining: list[tuple[int, str, tuple[int, str], int]] = []
        for t in s.names:
            key = (story[s.article], t)
            posting = self.postings.get(key)
            if not posting:
                continue
            start = bisect.bisect_right(self.starts[key], mine)
            if start < len(posting):
                remaining.append((len(posting) - start, t, key, start))
        remaining.sort()
        enough = len(s.names) - _names_needed(s) + 1
        seen: set[int] = set()
        for _, _, key, _ in remaining[:enough]:
            for kind in kinds:
                whens, indexes = self._of_kind(kind, key)
                for i in indexes[bisect.bisect_right(whens, mine) :]:
                    if i not in seen:
                        seen.add(i)
                        yield i


def _name_postings(
    sentences: list[_Sentence],
    times: list[datetime | None],
    story: list[int],
    spans: dict[int, tuple[datetime, datetime]],
    wanted: set[tuple[int, str]] | None = None,
) -> _NamePostings:
    """Postings of the sentences that could overtake another (published after their story's
    first report), by (story, name), for the `wanted` keys (default: all); a name in more
    than `limit` sentences (of the whole window) says little (and made the search quadratic)."""
    df = Counter(itertools.chain.from_iterable(s.names for s in sentences))
    limit = max(_MIN_POSTING_LIMIT, int(_MAX_POSTING_SHARE * len(sentences)))
    # The wanted names by story, so that a sentence's are one set intersection (in C). The
    # order names are filed in does not matter: each posting is sorted (`_NamePostings`).
    wanted_by: dict[int, frozenset[str]] | None = None
    if wanted is not None:
        grouped: dict[int, set[str]] = {}
        for key, t in wanted:
            grouped.setdefault(key, set()).add(t)
        wanted_by = {key: frozenset(ts) for key, ts in grouped.items()}
    nothing: frozenset[str] = frozenset()
    postings: dict[tuple[int, str], list[tuple[datetime, int]]] = {}
    for o in sentences:
        when = times[o.article]
        if when is None or when <= spans[story[o.article]][0]:
            continue
        key = story[o.article]
        names = o.names if wanted_by is None else o.names & wanted_by.get(key, nothing)
        for t in names:
            if df[t] <= limit:
                postings.setdefault((key, t), []).append((when, o.index))

    def kinds(i: int, kind: int) -> bool:
        o = sentences[i]
        if kind == _FIGURES:
            return bool(o.numbers)
        return o.tense == "past" and not _is_pending(o)

    return _NamePostings(postings, kinds)


def _is_pending(s: _Sentence) -> bool:
    """Does `s` state a pending state (`marks.PENDING`)?"""
    m = s.marks  # (read inline: a brief asks this of a thousand sentences, several times)
    return bool((m if m is not None else _marks(s)).flags & _PENDING)


_PENDING = mk.PENDING


def _names_needed(s: _Sentence) -> int:
    """How many of `s`'s names a later sentence shares to be about the same thing."""
    return max(1, (len(s.names) + 1) // 2)


def _may_override(s: _Sentence, other: _Sentence, pending: bool) -> bool:
    """Could the later `other` overtake `s`: most of the same names, and another figure for
    the same thing ("12 dead" / "31 dead": no figure in common) or an outcome where `s` had a
    pending state (`pending`)? It does when it also says the same point (TF-IDF cosine at
    least `_SUPERSEDE_COSINE`, `_pair_cosines`)."""
    if len(s.names & other.names) < _names_needed(s):
        return False
    newer_figure = bool(s.numbers and other.numbers and not s.numbers & other.numbers)
    outcome = pending and other.tense == "past" and not _is_pending(other)
    return newer_figure or outcome


def _pair_cosines(sentences: list[_Sentence], pairs: list[tuple[int, int]]) -> np.ndarray:
    """`_cosine` of the two sentences' vectors for each pair, from the TF-IDF weights (no
    vector dictionaries): the same sum, term by term in the same order (the shorter vector's,
    the first one's when as long), added one by one as `sum` does."""
    if not pairs:
        return np.zeros(0)
    w = sentences[pairs[0][0]].weights
    assert w is not None and w.indices is not None
    ptr = np.asarray(w.indptr, dtype=np.int64)
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    swap = (ptr[a + 1] - ptr[a]) > (ptr[b + 1] - ptr[b])
    x, y = np.where(swap, b, a), np.where(swap, a, b)
    entries = _entries(ptr, x)
    pair_of_entry = np.repeat(np.arange(len(pairs), dtype=np.int64), ptr[x + 1] - ptr[x])
    # The other vector's weight for each term: (row, column) keys of its entries, sorted.
    width = np.int64(int(w.indices.max(initial=0)) + 1)
    rows_y = np.unique(y)
    y_entries = _entries(ptr, rows_y)
    y_keys = np.repeat(rows_y, ptr[rows_y + 1] - ptr[rows_y]) * width + w.indices[y_entries]
    order = np.argsort(y_keys, kind="stable")
    y_keys, y_weights = y_keys[order], w.data[y_entries][order]
    probe = y[pair_of_entry] * width + w.indices[entries]
    at = np.minimum(np.searchsorted(y_keys, probe), max(0, len(y_keys) - 1))
    found = y_keys[at] == probe if len(y_keys) else np.zeros(len(probe), dtype=bool)
    products = np.where(found, w.data[entries] * y_weights[at], 0.0)
    return np.bincount(pair_of_entry, weights=products, minlength=len(pairs))


def _answered(articles: list[ArticleInput], sentences: list[_Sentence], story: list[int]) -> None:
    """Take out an open question a later article of the same story answers: a sentence that
    reports, in the past tense, the event the question asks about (the same event word and a
    name in common): "It is not known when the crew will be released" is no open question once
    a later report says "Iran released the crew on Thursday". Likewise a key provision or next
    step that awaits that event ("Iran said she would be released very soon")."""
    times = [a.published_at for a in articles]
    if len({t for t in times if t is not None}) < 2:
        return
    # Outcomes by story, in publication order: a sentence looks only at its own story's later
    # reports (`bisect`), not at every outcome of the window.
    spans = _story_spans(times, story)
    by_story: dict[int, list[tuple[datetime, int, _Sentence, frozenset[str]]]] = {}
    for o in sentences:
        when = times[o.article]
        if o.tense != "past" or when is None or when <= spans[story[o.article]][0]:
            continue
        m = _marks(o)
        events = frozenset(m.events)
        if events and not m.flags & mk.OPEN_FORM:
            by_story.setdefault(story[o.article], []).append((when, o.index, o, events))
    starts: dict[int, list[datetime]] = {}
    for key, group in by_story.items():
        group.sort(key=lambda entry: (entry[0], entry[1]))
        starts[key] = [entry[0] for entry in group]
    for s in sentences:
        mine = times[s.article]
        if s.label.section is None or mine is None:
            continue
        key = story[s.article]
        group = by_story.get(key)
        if not group or mine >= group[-1][0]:
            continue  # no outcome of its story after it
        if s.label.section != "open_questions":
            # A key provision or next step is overtaken only where it awaits the event: "she
            # would be released very soon", "the council will vote".
            pending = frozenset(_marks(s).awaits)
            if not pending:
                continue
        else:
            pending = s.term_set
        for _, _, o, events in group[bisect.bisect_right(starts[key], mine) :]:
            if (
                events & pending
                and (not s.names or s.names & o.names)
                and len((s.term_set & o.term_set) - events) >= 1
            ):
                s.label = s.label.with_section(None)  # answered since: not a question
                s.superseded = True
                break


# A count of victims: a later, higher count of the same story replaces it ("final toll beats
# first toll"): tolls only rise as bodies are found, so a lower later figure is another count.
_MIN_TOLL = 10


def _counts(s: _Sentence) -> list[float]:
    out = []
    for n in s.numbers:
        try:
            value = float(n)
        except ValueError:
            continue
        if value >= _MIN_TOLL and not 1900 <= value <= 2100:  # a year is no count
            out.append(value)
    return out


def _later_toll(articles: list[ArticleInput], sentences: list[_Sentence], story: list[int]) -> None:
    """Take out the victim counts a later article of the same story raises (`_TOLL`)."""
    times = [a.published_at for a in articles]
    spans = _story_spans(times, story)
    tolls: dict[int, list[tuple[datetime, float, _Sentence]]] = {}
    for s in sentences:
        when = times[s.article]
        if when is None or spans[story[s.article]][0] == spans[story[s.article]][1]:
            continue  # one publication time in its story: no later count
        counts = _counts(s) if s.numbers and _marks(s).flags & mk.TOLL else []
        if counts:
            tolls.setdefault(story[s.article], []).append((when, max(counts), s))  # type: ignore[arg-type]
    for group in tolls.values():
        for when, value, s in group:
            if any(w > when and v > value for w, v, _ in group):
                stale = [v for v in _counts(s) if any(w > when and v2 > v for w, v2, _ in group)]
                cut = _without_count(s.text, stale)
                if cut is not None:
                    # The count sat in a side clause ("the attacks that killed at least 128
                    # people were an act of war"): the rest still holds, so it stays, uncounted.
                    s.text = cut
                    s.marks = None  # (of the text before)
                    s.numbers = frozenset(n for n in s.numbers if _states_number(cut, n))
                    continue
                s.label = s.label.with_section(None)
                s.superseded = True


_APPROX = r"(?:(?:at least|more than|over|nearly|almost|about|around|some|up to) )?"
_VICTIMS = r"(?: (?:people|persons|lives|victims|civilians|others))?(?: dead)?"
# A count in a side clause the rest of the sentence does not need: a relative clause ("the
# attacks that killed at least 128 people were…", "the attacks, which left 127 dead, were…")
# or a closing participle ("…, killing 127 people.").
_KILLED = r" (?:have |has |had )?(?:killed|left|claimed) " + _APPROX + r"(?P<n>\d[\d,]*)" + _VICTIMS
_COUNT_CLAUSES = (
    re.compile(r", (?:that|which)" + _KILLED + r","),  # between commas
    re.compile(r" (?:that|which)" + _KILLED + r"(?= (?:were|was|are|is|have|has|had)\b)"),
    re.compile(
        r", (?:killing|leaving|claiming) " + _APPROX + r"(?P<n>\d[\d,]*)" + _VICTIMS + r"(?=[.!]$)"
    ),
)


def _without_count(text: str, stale: list[float]) -> str | None:
    """The sentence without the side clauses that carry its stale counts, or None when a stale
    count is in its main clause (then the whole sentence is out of date)."""
    if not stale:
        return None
    out = text
    for pattern in _COUNT_CLAUSES:
        while (
            m := next((m for m in pattern.finditer(out) if _value(m.group("n")) in stale), None)
        ) is not None:
            out = out[: m.start()] + out[m.end() :]
    if out == text or any(_value(n) in stale for n in re.findall(r"\d[\d,]*", out)):
        return None
    return out


def _value(numeral: str) -> float | None:
    try:
        return float(numeral.replace(",", ""))
    except ValueError:
        return None


def _states_number(text: str, number: str) -> bool:
    """Does the text still state this number ("1200" as "1,200" too)?"""
    value = _value(number)
    return any(_value(n) == value for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text))


_CONDITION = _CaseFree(
    r"\b(?:depends? on|dependent on|contingent on|conditional on|provided that|on condition"
    r"|on the condition|subject to|as long as|only if)\b",
)
CONDITION_OPEN = " (not yet known whether that will happen)"


# "has been dependent on loans since 2019": a standing reliance, a fact; not a condition whose
# outcome is open ("depends on whether Russia accepts").
_RELIANCE = _CaseFree(
    r"\b(?:(?:been|is|are|was|were|remains?|remained|become|became)"
    # "a crisis that has left it dependent on loans": a state something put it in.
    r"|(?:left|leaves|leaving|made|makes|making|kept|keeps|keeping) (?:it|them|him|her|us"
    r"|the (?:[a-z]+ ){0,2}?[a-z]+))"
    r"(?: (?:heavily|largely|increasingly|wholly|entirely|so))? (?:dependent|reliant) on\b",
)


def _not_conditions(sentences: list[_Sentence]) -> None:
    """An "open question" whose only open wording is a standing reliance is no question; nor
    is a short question about no one and nothing (an explainer's subhead)."""
    for s in sentences:
        if (
            s.label.section == "open_questions"
            and _RELIANCE.search(s.text)
            and not _marks(s).flags & mk.OPEN_FORM
            and not re.search(r"\b(?:depends? on|contingent|conditional|provided that)\b", s.text)
        ):
            s.label = s.label.with_section(None)
        elif (
            s.label.section == "open_questions"
            and _marks(s).flags & mk.QUESTIONISH
            and _marks(s).words < _SUBHEAD_QUESTION_WORDS
            and not s.names
            and not s.numbers
        ):
            # "Are the recent huge quakes linked?": an explainer's subhead, asking about no one
            # and nothing a reader could look up.
            s.label = s.label.with_section(None)


# A question this short that names no one and no figure is a subhead, not an open question.
_SUBHEAD_QUESTION_WORDS = 8


# A next step promised within days ("will name their teams immediately", "in the coming
# days") that a report this much older than the window's newest made is past its time.
_NEAR_TERM_DAYS = 7
_NEAR_TERM = _CaseFree(
    r"\b(?:immediately|at once|shortly|soon|in the coming days|in the next few days"
    r"|within days|later (?:today|this week)|this week|tomorrow|tonight)\b",
)


def _as_of_newest(articles: list[ArticleInput], sentences: list[_Sentence]) -> None:
    """Sections hold as of the newest article: a next step whose dates have all passed by then
    is no next step any more (it happened, or did not; a later report says which), nor is one
    promised within days by a report over `_NEAR_TERM_DAYS` older than the newest."""
    newest = max((a.published_at for a in articles if a.published_at), default=None)
    if newest is None:
        return
    today = newest.date().isoformat()
    for s in sentences:
        if s.label.section != "next_steps":
            continue
        made = articles[s.article].published_at
        passed = bool(s.dates) and max(s.dates) < today
        overdue = (
            not s.dates
            and made is not None
            and (newest - made).days > _NEAR_TERM_DAYS
            and _NEAR_TERM.search(s.text) is not None
        )
        if passed or overdue:
            s.label = s.label.with_section(None)


@functools.lru_cache(maxsize=4096)
def _headline_terms(title: str) -> tuple[str, ...]:
    """A headline's distinct terms, numbers left out (cached: a window's titles recur)."""
    return tuple(t for t in dict.fromkeys(terms(title)) if not t[0].isdigit())


def _story_titles(
    articles: list[ArticleInput],
    sentences: list[_Sentence],
    story: list[int],
    central_article: list[int],
    shown: Iterable[int],
) -> dict[int, str]:
    """The label of each story in `shown`: the title of its member whose headline words most of
    the story's reports use, headline or text (summed share of reports
    holding each word, over the square root of the headline's word count), not the most
    central report's own angle (the tsunami aid story was labelled with an art auction's
    headline). Ties go to the most central report."""
    wanted = set(shown)
    keys = sorted(set(story))
    central_of = dict(zip(keys, central_article, strict=True))
    heads: dict[int, tuple[str, ...]] = {}
    vocab: dict[int, set[str]] = {}
    for a, key in enumerate(story):
        if key in wanted:
            heads[a] = _headline_terms(articles[a].title)
            vocab.setdefault(key, set()).update(heads[a])
    words = {a: set(head) for a, head in heads.items()}
    for s in sentences:
        if s.article in words:
            words[s.article].update(s.term_set & vocab[story[s.article]])
    out: dict[int, str] = {}
    for key in wanted:
        group = [a for a in heads if story[a] == key]
        df: dict[str, int] = {}
        for a in group:
            for t in words[a]:
                df[t] = df.get(t, 0) + 1

        def share(a: int, n: int = len(group), df: dict[str, int] = df) -> float:
            if not heads[a]:
                return 0.0
            return round(sum(df.get(t, 0) for t in heads[a]) / n / math.sqrt(len(heads[a])), 9)

        central = central_of[key]
        best = max(group, key=lambda a: (share(a), a == central, -a))
        out[key] = _label(articles[best])
    return out


def _with_stories(
    sections: dict[str, list[Bullet]],
    articles: list[ArticleInput],
    story: list[int],
    titles: dict[int, str],
) -> tuple[dict[str, list[Bullet]], tuple[StoryRef, ...]]:
    """The stories bullets belong to, largest first and renumbered; one story: no grouping."""
    used = sorted({b.story for bs in sections.values() for b in bs if b.story is not None})
    members: dict[int, list[str]] = {}
    for a, key in enumerate(story):
        members.setdefault(key, []).append(articles[a].id)
    used.sort(key=lambda k: (-len(members[k]), k))
    if len(used) <= 1:
        stories = (StoryRef(titles[used[0]], tuple(members[used[0]])),) if used else ()
        renumber = {used[0]: 0} if used else {}
    else:
        renumber = {k: i for i, k in enumerate(used)}
        stories = tuple(StoryRef(titles[k], tuple(members[k])) for k in used)
    out = {
        name: [replace(b, story=renumber.get(b.story) if b.story is not None else None) for b in bs]
        for name, bs in sections.items()
    }
    return out, stories


def _label(article: ArticleInput) -> str:
    title = " ".join(article.title.split())
    return title if len(title) <= 90 else trim_sentence(title, 90)


def _restates(
    cand: _Sentence,
    chosen: list[tuple[str, _Sentence]],
    sentences: Sequence[_Sentence],
    subject: frozenset[str] = frozenset(),
) -> int | None:
    """The chosen bullet of the same section that `cand` restates in other words, if any:
    its article then also reports that bullet's point ("work is expected to start in
    September" for "construction will begin in September")."""
    for position, (section, other) in enumerate(chosen):
        if section != cand.label.section or other.article == cand.article:
            continue
        if _jaccard(cand.folded_terms(), other.folded_terms()) >= _RESTATES and states(
            other, cand, sentences, subject
        ):
            return position
    return None
