"""Word stems for matching a question to a sentence: Snowball (Porter 2) English stemming.

One stemmer per thread: a Snowball stemmer object keeps state while it works. An environment
installed before snowballstemmer became a dependency falls back to the summarizer's light
stemmer (answers still work, matching fewer word forms) until `pip install -e .` is rerun.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from bot.summarize.sentences import STOPWORDS, words
from bot.summarize.sentences import stem as light_stem

try:
    import snowballstemmer
except ImportError:  # pragma: no cover - an environment not yet reinstalled
    snowballstemmer = None

_local = threading.local()
_lock = threading.Lock()


def _stemmer():  # type: ignore[no-untyped-def]
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65536)
def _cached(word: str) -> str:
    if snowballstemmer is None:
        return light_stem(word)
    return str(_stemmer().stemWord(word))


def stem(word: str) -> str:
    """The stem of one lower-cased word ("development" -> "develop")."""
    with _lock:  # the cache is shared by threads; the stemmer is per thread
        return _cached(word.lower())


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, hyphenated words split ("fukushima-daiichi" -> two)."""
    return [t for w in words(text) for t in w.replace("-", " ").split() if t]


def content_stems(text: str) -> list[str]:
    """Stems of the words of `text` that carry content, in order."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
