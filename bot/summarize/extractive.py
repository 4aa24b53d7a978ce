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
   `MAX_BULLETS_PER_SECTION` per section; weak candidates are left out (fewer bullets are
   fine); bullets are ordered by importance.
   Articles that never name the topic weigh `_OFF_TOPIC`, so they are cited only as a last
   resort.
6. Each bullet loses a leading connective ("However,", "According to the statement,"), gets
   " (reported by N sources)" when N >= 2 distinct outlets carry it, and is trimmed to
   `MAX_BULLET_CHARS` with `sentences.trim_sentence`.

Ties are broken by article id then sentence position; no set or hash order reaches the output.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.summarize import salience
from bot.summarize.model import (
    MAX_BULLETS_PER_SECTION,
    SECTIONS,
    ArticleInput,
    Brief,
    Bullet,
    build_brief,
)
from bot.summarize.sections import SectionLabel, analyze
from bot.summarize.sentences import content_words, split_sentences, trim_sentence
from bot.summarize.stories import cluster_counts

__all__ = ["MAX_BULLET_CHARS", "ExtractiveSummarizer", "natural_key", "similarity"]

MAX_BULLET_CHARS = 280

_PREFIX = 6
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
_EXPAND_MIN = 0.2  # neighbours at least this similar join the expansion
# A bullet must reach this share of its section's best final score, and this briefability.
_MIN_RELATIVE = 0.25
_MIN_BRIEFABILITY = 1.0
# Each bullet a story already has in a section scales its next candidates by this.
_STORY_DECAY = 0.8
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
_UNITED_STATES = re.compile(r"\b(?:the )?United States\b")

_BOILERPLATE = re.compile(
    r"^(?:by [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}$|reporting by|editing by|additional reporting"
    r"|writing by|contact |click here|sign up|subscribe|read more|related:|advertisement"
    r"|photo:|image:|copyright|all rights reserved|your email address|required fields"
    r"|leave a (?:reply|comment)|share this|follow us)",
    re.IGNORECASE,
)
# "KYIV, Ukraine (AP) — ", "JEDDAH, Saudi Arabia, March 11 (Reuters) - ", "WASHINGTON — "
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\- ]{2,}(?:,\s*[A-Z][\w.' ]{1,30}){0,2}\s*(?:\([\w .&]{1,30}\))?\s*"
    r"(?:[—–-]{1,2}|:)\s+"
)
_LEAD_CONNECTIVE = re.compile(
    r"^(?:however|moreover|meanwhile|in addition|additionally|also|furthermore|separately"
    r"|still|yet|so|finally|similarly|instead|indeed|notably|but|and)\s*,\s+"
    r"|^(?:however|moreover|meanwhile|furthermore|additionally|but|and)\s+"
    r"|^according to (?:the |a )?(?:joint )?(?:statement|document|text|readout|officials)\s*,\s+"
    r"|^in an? (?:[a-z-]+ ){0,3}(?:development|move|step|shift|reversal|twist|turn|sign)\s*,\s+",
    re.IGNORECASE,
)


# "Of particular importance was the proposal…", "One of the key elements of X is the condition…"
_LEAD_EVALUATIVE = re.compile(
    r"^(?:of (?:particular|special|central|key|great) (?:importance|note|significance|interest)"
    r"|one of the (?:\w+ ){0,2}(?:elements|aspects|features|provisions|points|parts)"
    r"(?: of [^,]{1,40}?)?) (?:is|was|are|were) (?=the |a |an )",
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


@dataclass
class _Sentence:
    index: int  # global, in (article, position) order
    article: int  # index into the sorted articles
    position: int  # index among the article's kept sentences
    text: str
    terms: tuple[str, ...]  # distinct terms (see `_terms`), in first-seen order
    counts: dict[str, int]
    term_set: frozenset[str]
    label: SectionLabel
    vec: dict[str, float] = field(default_factory=dict)  # unit TF-IDF vector
    # `vec` plus its neighbours' vectors weighted by similarity (pool sentences only).
    expanded: dict[str, float] = field(default_factory=dict)
    base: float = 0.0
    final: float = 0.0
    # `_folded(text)`, computed once when a repetition test first needs it.
    folded: frozenset[str] | None = None

    def folded_terms(self) -> frozenset[str]:
        if self.folded is None:
            self.folded = _folded(self.text)
        return self.folded


# Words news writers use interchangeably for one event, folded only when testing two bullets
# for repetition, so that "Construction will begin in September" and "Work is expected to
# start in September" are one point. Deliberately short: each entry must mean the same in
# every news context. (Folding them into the scoring terms too reshuffled whole briefs.)
_SYNONYMS = {
    "start": "begin",
    "commen": "begin",  # commence; "comment" is kept apart in `_folded`
    "constr": "work",  # construction works
    "finish": "end",
    "conclu": "end",
}


def _terms(text: str) -> list[str]:
    """Content words cut to 6 characters ("reciprocity"/"reciprocal", "Russian"/"Russia").

    "United States" counts as "U.S.".
    """
    return [w[:_PREFIX] for w in content_words(_UNITED_STATES.sub("U.S.", text))]


def _folded(text: str) -> frozenset[str]:
    """`_terms` with `_SYNONYMS` folded, as a set (for the repetition test only)."""
    return frozenset(
        term if word.startswith("comment") else _SYNONYMS.get(term, term)
        for word in content_words(_UNITED_STATES.sub("U.S.", text))
        for term in (word[:_PREFIX],)
    )


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


def _clean_bullet(text: str) -> str:
    """Drop lead-ins that carry no fact: connectives, evaluative openers, participial clauses."""
    out = text
    for _ in range(3):
        stripped = out
        for pattern in (_LEAD_CONNECTIVE, _LEAD_EVALUATIVE, _LEAD_PARTICIPLE):
            stripped = pattern.sub("", stripped, count=1)
        if stripped == out or len(stripped.split()) < _MIN_WORDS:
            break
        out = stripped
    return out[:1].upper() + out[1:]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class ExtractiveSummarizer:
    """Summarizer protocol implementation: no network, no randomness, same input same output."""

    name = "extractive"
    # Part of the brief cache key: bump when the output for the same articles changes.
    version = "extractive-2"

    def __init__(self, *, cache_size: int = 1024) -> None:
        """`cache_size`: how many articles' parsed sentences to keep between calls (0: none).

        Parsing (splitting, tokenizing, labelling) is most of the work and depends on the
        article alone, so briefs over overlapping article sets reuse it. Output is the same
        with or without the cache.
        """
        self._cache_size = cache_size
        self._cache: OrderedDict[tuple[object, ...], tuple[_Parsed, ...]] = OrderedDict()

    def _parse(self, article: ArticleInput) -> tuple[_Parsed, ...]:
        if self._cache_size <= 0:
            return _parse_article(article)
        key = (article.title, article.text, article.published_at)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        parsed = self._cache[key] = _parse_article(article)
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
        sections = self.select(topic, unique)
        return build_brief(
            topic=topic,
            articles=unique,
            sections=sections,
            since=since,
            until=until,
            generated_at=now,
            summarizer=self.name,
        )

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
        sentences = _extract(_unique_sorted(articles), self._parse)
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
        ordered = _unique_sorted(articles)
        sentences = _extract(ordered, self._parse)
        if not sentences:
            return {name: [] for name in SECTIONS}
        _vectorize(sentences)
        story = _stories(ordered, sentences)
        _score(topic, ordered, sentences, story)
        pool = _pool(sentences)
        supporters = _support(pool, sentences)
        outlets = [_outlets(a) for a in ordered]
        for cand in pool:
            reporting = sorted({sentences[i].article for i in supporters[cand.index]})
            n_outlets = len(set().union(*(outlets[a] for a in reporting)))
            cand.final = round(cand.base * (1.0 + 0.35 * math.log2(min(n_outlets, 8))), 9)
        return _choose(pool, sentences, supporters, ordered, outlets, story)


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


# One kept sentence of an article, independent of the other articles: text, term counts, label.
_Parsed = tuple[str, tuple[tuple[str, int], ...], SectionLabel]


def _parse_article(article: ArticleInput) -> tuple[_Parsed, ...]:
    """Split, filter, tokenize and label an article's sentences (cacheable: a pure function)."""
    out: list[_Parsed] = []
    title_terms = frozenset(_terms(article.title))
    day = article.published_at.date() if article.published_at else None
    labels: dict[str, SectionLabel] = {}
    for raw in split_sentences(article.text):
        text = _DATELINE.sub("", raw, count=1) if not out else raw
        if _BOILERPLATE.match(text) or text.strip() == article.title.strip():
            continue
        n_words = len(text.split())
        if n_words < _MIN_WORDS or n_words > _MAX_WORDS:
            continue
        counts: dict[str, int] = {}
        for w in _terms(text):
            counts[w] = counts.get(w, 0) + 1
        if len(counts) < 3 or (not out and title_terms and set(counts) <= title_terms):
            continue
        label = labels.get(text)
        if label is None:
            label = labels[text] = analyze(text, published=day)
        out.append((text, tuple(counts.items()), label))
    return tuple(out)


def _extract(
    articles: list[ArticleInput], parse: Callable[[ArticleInput], tuple[_Parsed, ...]]
) -> list[_Sentence]:
    out: list[_Sentence] = []
    for a_index, article in enumerate(articles):
        for position, (text, pairs, label) in enumerate(parse(article)):
            counts = dict(pairs)
            terms = tuple(counts)
            out.append(
                _Sentence(len(out), a_index, position, text, terms, counts, frozenset(terms), label)
            )
    return out


def _stories(articles: list[ArticleInput], sentences: list[_Sentence]) -> list[int]:
    """Story index per article, clustered on the term counts of its kept sentences."""
    counts: list[dict[str, int]] = [{} for _ in articles]
    for s in sentences:
        acc = counts[s.article]
        for t, c in s.counts.items():
            acc[t] = acc.get(t, 0) + c
    story = [0] * len(articles)
    for index, group in enumerate(cluster_counts(counts)):
        for a in group:
            story[a] = index
    return story


def _units(sentences: list[_Sentence]) -> list[salience.Unit]:
    return [salience.Unit(s.article, s.position, s.vec, len(s.text.split())) for s in sentences]


_SUBLINEAR = [0.0] + [1.0 + math.log(c) for c in range(1, 16)]  # 1 + log(tf), precomputed


def _vectorize(sentences: list[_Sentence]) -> None:
    df: dict[str, int] = {}
    for s in sentences:
        for t in s.terms:
            df[t] = df.get(t, 0) + 1
    n = len(sentences)
    idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}
    for s in sentences:
        vec = {
            t: _SUBLINEAR[c] * idf[t] if c < 16 else (1.0 + math.log(c)) * idf[t]
            for t, c in s.counts.items()
        }
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        s.vec = {t: w / norm for t, w in vec.items()}


def _normalize(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {t: w / norm for t, w in vec.items()}


def _score(
    topic: str, articles: list[ArticleInput], sentences: list[_Sentence], story: list[int]
) -> None:
    """Base score of every sentence. `story[a]` is article a's story (see `stories`)."""
    topic_terms = frozenset(_terms(topic))
    by_article: list[list[_Sentence]] = [[] for _ in articles]
    for s in sentences:
        by_article[s.article].append(s)

    # How much each article names the topic: in its title, or in up to three sentences.
    mentions: list[float] = []
    for a_index, article in enumerate(articles):
        if not topic_terms or topic_terms & frozenset(_terms(article.title)):
            mentions.append(1.0)
        else:
            hits = sum(1 for s in by_article[a_index] if topic_terms & s.term_set)
            mentions.append(min(1.0, hits / 3.0))
    weights = mentions if any(mentions) else [1.0] * len(articles)

    # Each article's normalized vector. A story's centroid is the sum of its articles'
    # vectors weighted by mention, so articles that never name the topic do not pull it their
    # way; the window's centroid sums the stories'.
    article_vecs: list[dict[str, float]] = []
    story_centroids: dict[int, dict[str, float]] = {}
    for a_index, (group, weight) in enumerate(zip(by_article, weights, strict=True)):
        vec: dict[str, float] = {}
        for s in group:
            for t, w in s.vec.items():
                vec[t] = vec.get(t, 0.0) + w
        vec = _normalize(vec)
        article_vecs.append(vec)
        acc = story_centroids.setdefault(story[a_index], {})
        for t, w in vec.items():
            acc[t] = acc.get(t, 0.0) + weight * w
    centroid: dict[str, float] = {}
    for key in sorted(story_centroids):
        for t, w in story_centroids[key].items():
            centroid[t] = centroid.get(t, 0.0) + w
    centroid = _normalize(centroid)
    story_centroids = {k: _normalize(v) for k, v in story_centroids.items()}

    # Relevance: naming the topic and being close to the centroid. An article that never
    # names the topic can still count ("Kremlin studies US ceasefire offer" for "ukraine")
    # if it is close to the others; a far one (an ECB rate decision) is cited last, if at all.
    naming = sorted((i for i, m in enumerate(mentions) if m > 0), key=lambda i: (-mentions[i], i))[
        :_MAX_NEIGHBOURS
    ]
    relevance: list[float] = []
    for a_index, mention in enumerate(mentions):
        if mention > 0 or not naming:
            closeness = min(1.0, 1.5 * _cosine(article_vecs[a_index], centroid))
            if topic_terms:
                relevance.append(0.25 + 0.45 * mention + 0.3 * closeness)
            else:  # no topic words: every story is the topic; closeness to its own story
                own = min(
                    1.0, 1.5 * _cosine(article_vecs[a_index], story_centroids[story[a_index]])
                )
                relevance.append(0.25 + 0.45 * mention + 0.3 * own)
        else:  # closeness to the nearest article that names the topic
            nearest = max(_cosine(article_vecs[a_index], article_vecs[i]) for i in naming)
            relevance.append(_OFF_TOPIC + 0.6 * min(1.0, max(0.0, nearest - 0.05) * 4.0))

    # Centrality within the sentence's own story, so a smaller story's main point is not
    # judged by the vocabulary of a bigger one; a story's weight grows with its share of the
    # window's articles.
    sizes: dict[int, int] = {}
    for key in story:
        sizes[key] = sizes.get(key, 0) + 1
    biggest = max(sizes.values())
    story_weight = {
        k: _STORY_FLOOR + (1 - _STORY_FLOOR) * math.sqrt(n / biggest) for k, n in sizes.items()
    }
    centrality = [_cosine(s.vec, story_centroids[story[s.article]]) for s in sentences]
    top: dict[int, float] = {}
    for s, cent in zip(sentences, centrality, strict=True):
        key = story[s.article]
        top[key] = max(top.get(key, 0.0), cent)
    for s, cent in zip(sentences, centrality, strict=True):
        key = story[s.article]
        topic_hit = 1.0 if (not topic_terms or topic_terms & s.term_set) else 0.0
        lead = 1.0 / math.sqrt(1.0 + s.position / 5.0)
        quality = _sigmoid((s.label.score - 1.5) / 1.2)
        content = 0.45 * (cent / (top[key] or 1.0)) + 0.25 * lead + 0.15 * topic_hit + 0.15
        s.base = round(quality * content * relevance[s.article] * story_weight[key], 9)


def _by_base(s: _Sentence) -> tuple[float, int, int]:
    return (-s.base, s.article, s.position)


def _by_final(s: _Sentence) -> tuple[float, int, int]:
    return (-s.final, s.article, s.position)


def _pool(sentences: list[_Sentence]) -> list[_Sentence]:
    labeled = sorted((s for s in sentences if s.label.section), key=_by_base)
    chosen: dict[int, _Sentence] = {s.index: s for s in labeled[:_POOL]}
    for name in SECTIONS:
        for s in [s for s in labeled if s.label.section == name][:_POOL_PER_SECTION]:
            chosen.setdefault(s.index, s)
    return sorted(chosen.values(), key=_by_base)


def _same_point(a: _Sentence, b: _Sentence, cosine: float) -> bool:
    """Do two sentences report the same point? Strict on purpose: a bullet cites b's article."""
    if cosine >= _SUPPORT_COSINE:
        return True
    common = a.term_set & b.term_set
    smaller = min(len(a.term_set), len(b.term_set)) or 1
    return len(common) >= _SUPPORT_MIN_SHARED and len(common) / smaller >= _SUPPORT_OVERLAP


def _support(pool: list[_Sentence], sentences: list[_Sentence]) -> dict[int, list[int]]:
    """For each pool sentence, the indexes of all sentences reporting the same point."""
    postings: dict[str, list[int]] = {}
    for s in sentences:
        for t in s.terms:
            postings.setdefault(t, []).append(s.index)
    limit = max(_MIN_POSTING_LIMIT, int(_MAX_POSTING_SHARE * len(sentences)))
    out: dict[int, list[int]] = {}
    for cand in pool:
        dots: dict[int, float] = {}
        for t in cand.terms:
            posting = postings[t]
            if len(posting) > limit:
                continue
            w = cand.vec[t]
            for i in posting:
                dots[i] = dots.get(i, 0.0) + w * sentences[i].vec[t]
        found = [cand.index]
        expanded = dict(cand.vec)
        for i in sorted(dots):
            if i == cand.index:
                continue
            if _same_point(cand, sentences[i], dots[i]):
                found.append(i)
            if dots[i] >= _EXPAND_MIN:
                for t, w in sentences[i].vec.items():
                    expanded[t] = expanded.get(t, 0.0) + dots[i] * w
        norm = math.sqrt(sum(w * w for w in expanded.values())) or 1.0
        cand.expanded = {t: w / norm for t, w in expanded.items()}
        out[cand.index] = found
    return out


def _redundant(cand: _Sentence, chosen: list[tuple[str, _Sentence]], section: str) -> bool:
    for other_section, other in chosen:
        cos = _cosine(cand.vec, other.vec)
        jac = _jaccard(cand.term_set, other.term_set)
        max_cos, max_jac, max_exp = _SAME_SECTION if other_section == section else _CROSS_SECTION
        if cos >= max_cos or jac >= max_jac:
            return True
        if (
            other_section == section
            and _jaccard(cand.folded_terms(), other.folded_terms()) >= max_jac
        ):
            return True
        if _cosine(cand.expanded, other.expanded) >= max_exp:
            return True
    return False


def _choose(
    pool: list[_Sentence],
    sentences: list[_Sentence],
    supporters: dict[int, list[int]],
    articles: list[ArticleInput],
    outlets: list[frozenset[str]],
    story: list[int],
) -> dict[str, list[Bullet]]:
    """Greedy selection. A candidate's score shrinks by `_STORY_DECAY` for every bullet its
    story already has in the section, so a window with several stories leads with each
    story's main point instead of five points of the biggest one."""
    ranked = sorted(pool, key=_by_final)
    best: dict[str, float] = {}
    for s in ranked:
        assert s.label.section
        best.setdefault(s.label.section, s.final)
    chosen: list[tuple[str, _Sentence]] = []
    covered: set[int] = set()
    per_story: dict[tuple[str, int], int] = {}
    result: dict[str, list[Bullet]] = {name: [] for name in SECTIONS}

    def eligible(cand: _Sentence) -> bool:
        section = cand.label.section
        assert section
        return not (
            len(result[section]) >= MAX_BULLETS_PER_SECTION
            or cand.final < _MIN_RELATIVE * best[section]
            or cand.label.score < _MIN_BRIEFABILITY
            or cand.index in covered
            or _redundant(cand, chosen, section)
        )

    def adjusted(cand: _Sentence) -> tuple[float, int, int]:
        assert cand.label.section
        seen = per_story.get((cand.label.section, story[cand.article]), 0)
        return (-cand.final * _STORY_DECAY**seen, cand.article, cand.position)

    extra: dict[int, set[int]] = {}  # chosen bullet -> articles that restate it in other words
    left = [c for c in ranked if eligible(c)]
    while left:
        cand = min(left, key=adjusted)
        left.remove(cand)
        if not eligible(cand):
            restated = _restates(cand, chosen)
            if restated is not None and cand.index not in covered:
                extra.setdefault(restated, set()).add(cand.article)
            continue
        section = cand.label.section
        assert section
        chosen.append((section, cand))
        covered.update(supporters[cand.index])
        key = (section, story[cand.article])
        per_story[key] = per_story.get(key, 0) + 1
    for position, (section, cand) in enumerate(chosen):
        reporting = sorted(
            ({sentences[i].article for i in supporters[cand.index]} | extra.get(position, set()))
            - {cand.article},
            key=lambda a: natural_key(articles[a].id),
        )
        ids = (articles[cand.article].id, *(articles[a].id for a in reporting))
        n_outlets = len(set().union(*(outlets[a] for a in (cand.article, *reporting))))
        suffix = f" (reported by {n_outlets} sources)" if n_outlets >= 2 else ""
        text = trim_sentence(_clean_bullet(cand.text), MAX_BULLET_CHARS - len(suffix))
        result[section].append(Bullet(text + suffix, ids))
    return result


def _restates(cand: _Sentence, chosen: list[tuple[str, _Sentence]]) -> int | None:
    """The chosen bullet of the same section that `cand` restates in other words, if any:
    its article then also reports that bullet's point ("work is expected to start in
    September" for "construction will begin in September")."""
    for position, (section, other) in enumerate(chosen):
        if section != cand.label.section or other.article == cand.article:
            continue
        if _jaccard(cand.folded_terms(), other.folded_terms()) >= _RESTATES:
            return position
    return None
