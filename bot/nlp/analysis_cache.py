"""A bounded in-process cache of decoded sentence analyses (`ArticleAnalysis`).

Reading an article's stored sentences back and decoding them into `SentenceFeatures` cost as
much as summarizing them (py-spy, a 100-article brief: 45% of it). The analyses are immutable
(frozen dataclasses of tuples), so one decoded copy can serve every brief and answer.

Keys carry the stored analysis' stamp: (database, article id, analyzer version, analysed-at).
Re-analysing an article writes a new `analyzed_at`, so any process (the bot, a worker, the
CLI) misses and reads the new rows; a deleted article has no stamp and is never looked up.
`forget` drops an article at once in the process that re-analyses it. Least recently used
entries go first beyond `MAX_ARTICLES`.

Beside them, under the same keys, each article's lede terms (`get_ledes`/`put_ledes`: the
term counts of its first prose sentences, which a window too large to read whole is grouped
into stories by; `bot.ingest.analyze.load_ledes`), a few kB an article, up to `MAX_LEDES`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import TypeVar

from bot.nlp.features import ArticleAnalysis

__all__ = [
    "MAX_ARTICLES",
    "MAX_LEDES",
    "clear",
    "forget",
    "get",
    "get_ledes",
    "put",
    "put_ledes",
    "size",
]

# Articles kept. A decoded article is ~40 kB of Python objects (tracemalloc, 100 BBC articles
# of 17 sentences on average), so this bounds the cache near 80 MB; a brief reads at most
# 1,000 articles in full (`bot.summarize.stories.MAX_ARTICLES_READ`; of a
# larger window, only its largest stories), so two of the largest windows stay warm, or ~10
# windows of 200.
MAX_ARTICLES = 2000
# Articles whose lede terms are kept: (terms, counts), the terms interned (shared by every
# article that has them): 28 MB for 5,000 BBC articles, their vocabulary included (66 MB as
# (term, count) pairs of new strings); a window of MAX_ARTICLES_PER_BRIEF (5,000) articles
# stays warm for its next brief.
MAX_LEDES = 6000
Ledes = tuple[tuple[str, ...], tuple[int, ...]]

Key = tuple[Hashable, int, str, Hashable]
_V = TypeVar("_V")

_lock = threading.Lock()  # briefs run on pool threads
_entries: OrderedDict[Key, ArticleAnalysis] = OrderedDict()
_by_article: dict[tuple[Hashable, int], Key] = {}
_ledes: OrderedDict[Key, Ledes] = OrderedDict()


def _recent(table: OrderedDict[Key, _V], key: Key) -> _V | None:
    """The entry under `key`, marked most recently used (least recently used go first)."""
    with _lock:
        found = table.get(key)
        if found is not None:
            table.move_to_end(key)
        return found


def get(key: Key) -> ArticleAnalysis | None:
    return _recent(_entries, key)


def put(key: Key, analysis: ArticleAnalysis) -> None:
    with _lock:
        old = _by_article.pop(key[:2], None)  # type: ignore[arg-type]
        if old is not None:
            _entries.pop(old, None)  # an older analysis of the same article
        _entries[key] = analysis
        _by_article[key[:2]] = key  # type: ignore[index]
        while len(_entries) > MAX_ARTICLES:
            evicted, _ = _entries.popitem(last=False)
            _by_article.pop(evicted[:2], None)  # type: ignore[arg-type]


def get_ledes(key: Key) -> Ledes | None:
    return _recent(_ledes, key)


def put_ledes(key: Key, ledes: Ledes) -> None:
    """Keep an article's lede terms (an older analysis' entry ages out: its key is never
    looked up again, the stamp having changed)."""
    with _lock:
        _ledes[key] = ledes
        _ledes.move_to_end(key)
        while len(_ledes) > MAX_LEDES:
            _ledes.popitem(last=False)


def forget(database: Hashable, article_id: int) -> None:
    with _lock:
        old = _by_article.pop((database, article_id), None)
        if old is not None:
            _entries.pop(old, None)


def clear() -> None:
    with _lock:
        _entries.clear()
        _by_article.clear()
        _ledes.clear()


def size() -> int:
    return len(_entries)
