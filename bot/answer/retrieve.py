"""Ranking the passages of a topic's articles against a question (pure: data in, data out).

The database's full-text search narrows the candidates to a few articles; this module then scores
each sentence of those articles with BM25 over stemmed content words, so the answer quotes the
sentences that actually speak to the question, not just the articles that mention its words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.answer.model import Passage
from bot.summarize.model import ArticleInput
from bot.summarize.sentences import content_words, split_sentences

# Words that make a question a question but say nothing about its subject.
QUESTION_WORDS = frozenset(
    (
        "what when where who whom whose which why how will would could should did does do is are "
        "was were has have had can may might tell explain happen happened happening next"
    ).split()
)

_K1 = 1.2
_B = 0.75
# Articles whose split sentences and their words are kept (`_sentence_terms`): a thread's
# articles come back on every question asked in it, and splitting and stemming them was
# most of a question's ranking time (2.3 ms of CPU for a BBC article of 2,000 characters).
# About 20 KB an article of that size: 20 MB at most.
SPLIT_CACHE_ARTICLES = 1_024


@dataclass(frozen=True)
class _Sentence:
    article: ArticleInput
    text: str
    terms: Counter[str]
    position: int
    context: str
    earlier: str

    @property
    def article_id(self) -> str:
        return self.article.id


def question_terms(question: str) -> list[str]:
    """The content words of a question, in order, without question scaffolding."""
    terms = [t for t in content_words(question) if t not in QUESTION_WORDS]
    return list(dict.fromkeys(terms))


def rank_passages(
    question: str,
    articles: Sequence[ArticleInput],
    *,
    limit: int = 8,
    preferred: Collection[str] = (),
) -> list[Passage]:
    """The best-matching sentences of `articles`, best first, each scored with BM25.

    Scores are normalised to 0..1 by the share of the question's weight a sentence covers, so a
    caller can tell "mentions one word" from "answers the question".
    """
    terms = question_terms(question)
    if not terms or not articles:
        return []
    sentences: list[_Sentence] = []
    leads: dict[str, str] = {}  # each article's first sentence: whom "the pair" refers to
    for article in articles:
        previous = earlier = ""
        for position, (text, words) in enumerate(_sentence_terms(article.text)):
            sentences.append(_Sentence(article, text, words, position, previous, earlier))
            previous, earlier = text, previous
            leads.setdefault(article.id, text)
    if not sentences:
        return []
    n = len(sentences)
    avg_len = sum(sum(s.terms.values()) for s in sentences) / n or 1.0
    df = {t: sum(1 for s in sentences if t in s.terms) for t in terms}
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    total_weight = sum(idf.values()) or 1.0

    scored: list[tuple[float, float, _Sentence]] = []
    for sentence in sentences:
        length = sum(sentence.terms.values()) or 1
        bm25 = 0.0
        covered = 0.0
        for term in terms:
            tf = sentence.terms.get(term, 0)
            if not tf:
                continue
            covered += idf[term]
            bm25 += idf[term] * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / avg_len))
        if bm25 <= 0:
            continue
        coverage = covered / total_weight
        # Coverage decides first (does it speak to the whole question?), BM25 breaks ties,
        # and earlier sentences win over later ones (news puts the facts first).
        scored.append((coverage, bm25 - 0.01 * sentence.position, sentence))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].article_id, item[2].position))

    passages: list[Passage] = []
    seen: set[frozenset[str]] = set()
    known: dict[str, list[tuple[str, str]] | None] = {}
    for coverage, _, sentence in scored:
        key = frozenset(sentence.terms)
        if key in seen:  # the same sentence syndicated in two articles
            continue
        seen.add(key)
        if sentence.article_id not in known:
            known[sentence.article_id] = _stored_entities(sentence.article)
        passages.append(
            Passage(
                sentence.article_id,
                sentence.text,
                round(coverage, 4),
                context=sentence.context,
                earlier=sentence.earlier,
                title=sentence.article.title or "",
                lead=leads.get(sentence.article_id, ""),
                position=sentence.position,
                published_at=sentence.article.published_at,
                preferred=sentence.article_id in preferred,
                entities=_entities_in(sentence.text, known[sentence.article_id]),
            )
        )
        if len(passages) == limit:
            break
    return passages


@lru_cache(maxsize=SPLIT_CACHE_ARTICLES)
def _sentence_terms(text: str) -> tuple[tuple[str, Counter[str]], ...]:
    """An article's sentences, each with its content words counted (read only: shared by
    every question that ranks the article)."""
    return tuple((sentence, Counter(content_words(sentence))) for sentence in split_sentences(text))


def _stored_entities(article: ArticleInput) -> list[tuple[str, str]] | None:
    """Every (text, label) entity ingestion found in the article (None: not analysed)."""
    if not article.sentences:
        return None
    return list(dict.fromkeys(e for s in article.sentences for e in s.entities))


def _entities_in(
    text: str, entities: list[tuple[str, str]] | None
) -> tuple[tuple[str, str], ...] | None:
    """The article's entities that occur in this sentence as whole words, in order.

    By text, not by sentence: ingestion's sentences (the parser's) and ours (the splitter's) do
    not always break at the same place. Plain `find`, no pattern per entity: an article has
    hundreds of entities and a question looks at dozens of sentences."""
    if entities is None:
        return None
    found = []
    for name, label in entities:
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            if (at == 0 or not text[at - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            ):
                found.append((at, name, label))
                break
            at = text.find(name, at + 1)
    return tuple((name, label) for _, name, label in sorted(found))
