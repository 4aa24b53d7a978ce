"""Does an article state a claim? The citation check for bullets written by someone else (an
LLM): the same rule the extractive summarizer applies to its own citations.

An article states a bullet when one passage of it (a sentence, or two adjacent ones) holds every
number and date of the bullet, every name in it, and at least `MIN_OVERLAP` of its terms.
Pure: article text (or its stored analysis) in, verdict out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence

from bot.nlp.features import SentenceFeatures
from bot.summarize.analysis import analyze_article, dates_of, numbers_of
from bot.summarize.model import ArticleInput, Bullet
from bot.summarize.sentences import terms

__all__ = ["MIN_OVERLAP", "states_claim", "supported_bullets"]

# Looser than the extractive summarizer's 0.6: an LLM rewords what it cites.
MIN_OVERLAP = 0.5
ALIASES = {
    "washin": "u.s",
    "americ": "u.s",
    "united": "u.s",
    "kyiv": "ukrain",
    "kiev": "ukrain",
    "moscow": "russia",
    "kremli": "russia",
    "beijin": "china",
    "chines": "china",
    "london": "britai",
    "britis": "britai",
    "uk": "britai",
    "brusse": "eu",
    "europe": "eu",
    "tehran": "iran",
    "irania": "iran",
    "tokyo": "japan",
    "japane": "japan",
    "berlin": "german",
    "paris": "france",
    "french": "france",
}
_NAME_WORD = re.compile(r"(?<=[\w,;:)] )(?:[A-Z][a-z][\w'’-]*|[A-Z]{2,})|\b(?:[A-Z]\.){2,}")
_LINK = re.compile(r"https?://\S+|www\.\S+|<[^>]{0,300}>")
_CALENDAR = frozenset(
    "january february march april may june july august september october november december"
    " monday tuesday wednesday thursday friday saturday sunday".split()
)


def _canonical(items: Sequence[str] | frozenset[str]) -> frozenset[str]:
    return frozenset(ALIASES.get(t, t) for t in items)


def _claim_names(text: str) -> frozenset[str]:
    words = [w for w in _NAME_WORD.findall(text) if w.lower() not in _CALENDAR]
    return _canonical([t for w in words for t in terms(w)])


def states_claim(
    claim: str, sentences: Sequence[SentenceFeatures], published_day: str | None = None
) -> bool:
    """Does one passage of these sentences (an article's) state `claim`?"""
    claim = _LINK.sub(" ", claim)  # a link the bullet carries is not a claim
    numbers = frozenset(numbers_of(claim))
    dates = frozenset(dates_of(claim, None)) - ({published_day} if published_day else set())
    names = _claim_names(claim)
    wanted = _canonical(terms(claim))
    need = max(1, math.ceil(MIN_OVERLAP * len(wanted)))
    texts = [s.text for s in sentences]
    passages = texts + [f"{a} {b}" for a, b in itertools.pairwise(texts)]
    for passage in passages:
        if numbers - frozenset(numbers_of(passage)):
            continue
        if dates and dates - frozenset(dates_of(passage, None)):
            continue
        held = _canonical(terms(passage))
        if names - held:
            continue
        if len(wanted & held) >= need:
            return True
    return False


def supported_bullets(
    sections: Mapping[str, Sequence[Bullet]], articles: Sequence[ArticleInput]
) -> tuple[dict[str, list[Bullet]], int]:
    """Each bullet citing only the articles that state it (with their outlets); a bullet that
    none of its cited articles states is dropped. Returns the sections and how many citations
    were removed."""
    by_id = {a.id: a for a in articles}
    cache: dict[str, tuple[SentenceFeatures, ...]] = {}
    removed = 0
    out: dict[str, list[Bullet]] = {}
    for name, bullets in sections.items():
        kept: list[Bullet] = []
        for bullet in bullets:
            ids: list[str] = []
            for article_id in bullet.source_ids:
                article = by_id.get(article_id)
                if article is None:
                    continue
                feats = cache.get(article_id)
                if feats is None:
                    feats = article.sentences
                    if feats is None:
                        feats = analyze_article(
                            article.title, article.text, article.published_at, None
                        ).sentences
                    cache[article_id] = feats
                day = article.published_at.date().isoformat() if article.published_at else None
                if states_claim(bullet.text, feats, day):
                    ids.append(article_id)
                else:
                    removed += 1
            if not ids:
                continue
            outlets: dict[str, str] = {}
            for article_id in ids:
                article = by_id[article_id]
                for outlet in (article.outlet, *article.also_in):
                    if outlet and outlet.strip():
                        outlets.setdefault(outlet.strip().lower(), outlet.strip())
            kept.append(Bullet(bullet.text, tuple(ids), tuple(outlets.values()), bullet.story))
        out[name] = kept
    return out, removed
