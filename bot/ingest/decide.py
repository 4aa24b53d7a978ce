"""The pure decisions of the pipeline: which candidates are new, what row each becomes.

No I/O here: the pipeline hands in what it fetched and what the database already knows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.ingest import near_dup
from bot.ingest.article_text import SHORT_TEXT_WORDS, content_hash, word_count
from storage.articles import NewArticle

# Fewer words than this (title aside) is not an article: a feed of bare titles would otherwise
# be stored as thousands of two-word "articles" that crowd real ones out of every brief.
MIN_ARTICLE_WORDS = 3


@dataclass(frozen=True)
class Candidate:
    """One article found in a source, before dedup. `url` is canonical."""

    url: str
    title: str
    text: str
    published_at: datetime | None
    outlet: str | None
    wants_full_text: bool = False  # a teaser whose linked page should be fetched


@dataclass(frozen=True)
class Retrieved:
    kind: str  # feed | page | file | search: what the source turned out to be
    candidates: list[Candidate]
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    skipped: tuple[str, ...] = ()  # files of a folder not read, each with its reason


@dataclass(frozen=True)
class Plan:
    """What to do with a source's candidates, given the URLs already stored."""

    new: list[Candidate]
    known_ids: list[int]  # stored articles this source lists again (to link to its topics)
    duplicates: int  # candidates skipped: URL already stored, or repeated within the source


def plan_candidates(candidates: Sequence[Candidate], known: Mapping[str, int]) -> Plan:
    """Pure: skip candidates whose URL is stored (`known`: URL -> article id) or repeated."""
    new: list[Candidate] = []
    known_ids: list[int] = []
    seen: set[str] = set()
    duplicates = 0
    for candidate in candidates:
        if candidate.url in seen:
            duplicates += 1
            continue
        seen.add(candidate.url)
        if candidate.url in known:
            known_ids.append(known[candidate.url])
            duplicates += 1
            continue
        new.append(candidate)
    return Plan(new=new, known_ids=known_ids, duplicates=duplicates)


def _newest_key(candidate: Candidate) -> float:
    return -candidate.published_at.timestamp() if candidate.published_at else float("inf")


def newest(candidates: Sequence[Candidate], limit: int) -> list[Candidate]:
    """Pure: at most `limit` candidates, the newest first; undated ones after dated ones, in
    feed order (sorting is stable)."""
    return sorted(candidates, key=_newest_key)[: max(0, limit)]


def is_article(candidate: Candidate, count: Callable[[str], int] = word_count) -> bool:
    """Pure: whether a candidate says enough to be stored (more than a bare title).
    `count`: `word_count`, or the same value computed where the page was extracted."""
    text = candidate.text.strip()
    if not text or text.casefold() == candidate.title.strip().casefold():
        return False
    # Of the text as given (the object a worker counted): stripping never changes the count.
    return count(candidate.text) >= MIN_ARTICLE_WORDS


def article_hash(
    title: str,
    text: str,
    digest: Callable[[str], str] = content_hash,
    count: Callable[[str], int] = word_count,
) -> str:
    """The dedup hash of an article: of its text, or of title and text for a short text.
    `digest` computes `content_hash` of a text (or returns one computed earlier for it),
    `count` its `word_count`."""
    if count(text) < SHORT_TEXT_WORDS:
        return content_hash(f"{title}\n{text}")
    return digest(text)


def build_article(
    candidate: Candidate,
    source_id: int | None,
    sign: Callable[[str], bytes | None] = near_dup.signature,
    digest: Callable[[str], str] = content_hash,
    count: Callable[[str], int] = word_count,
) -> NewArticle:
    """Pure: the row to store for a candidate (`sign`: a near-duplicate signature function;
    `digest`, `count`: `content_hash` and `word_count`, or the same values computed where the
    page was extracted)."""
    text = candidate.text or candidate.title
    minhash = sign(text)
    return NewArticle(
        url=candidate.url,
        title=candidate.title,
        text=text,
        content_hash=article_hash(candidate.title, text, digest, count),
        outlet=candidate.outlet,
        published_at=candidate.published_at,
        source_id=source_id,
        minhash=minhash,
        band_keys=tuple(near_dup.band_keys(minhash)) if minhash else (),
    )


def merge_full_text(
    candidate: Candidate,
    title: str | None,
    text: str,
    published_at: datetime | None,
    count: Callable[[str], int] = word_count,
) -> Candidate:
    """Pure: a teaser with the text of its page, if the page says more than the teaser.
    `count`: `word_count`, or the same value computed where the page was extracted."""
    if count(text) <= word_count(candidate.text):
        return replace(candidate, wants_full_text=False)
    return replace(
        candidate,
        text=text,
        title=candidate.title or title or "",
        published_at=candidate.published_at or published_at,
        wants_full_text=False,
    )
