"""Baseline summarizers: lead-N, round-robin lead, and sumy's LexRank/TextRank/Luhn/LSA.

All baselines split sentences with `OfflineTokenizer` (sumy's own tokenizer needs NLTK data).
sumy is used through its public API: `PlaintextParser.from_string(text, tokenizer)`,
`Stemmer("english")` (NLTK's Snowball stemmer: pure code, no data files) and
`get_stop_words("english")` (shipped with sumy).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from bench.tokenizer import OfflineTokenizer, paragraphs

# sumy is imported on first use, not with this module: its stemmer imports NLTK, which imports
# scikit-learn and SciPy (about 7 s of CPU), and the test suite imports this module (through
# bench/editor_checks.py) when it collects, whether or not a test runs a baseline.

__all__ = [
    "SUMY_SYSTEMS",
    "lead",
    "round_robin_lead",
    "sentences_of",
    "stemmer",
    "stop_words",
    "sumy_summary",
    "truncate_words",
]

TOKENIZER = OfflineTokenizer()


SUMY_SYSTEMS: tuple[str, ...] = ("LexRank", "TextRank", "Luhn", "LSA")


@functools.cache
def _sumy_classes() -> dict[str, type]:
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    class StableLsaSummarizer(LsaSummarizer):  # type: ignore[misc]
        """sumy's LSA with its term rows in sorted order.

        sumy builds the term-by-sentence matrix from a frozenset, so the row order (and,
        through floating-point noise, the choice between sentences with tied ranks) changed
        with Python's per-process string hash seed. Sorting the terms makes runs repeatable;
        the algorithm is otherwise unchanged.
        """

        def _create_dictionary(self, document):  # type: ignore[no-untyped-def]
            words = map(self.normalize_word, document.words)
            unique = sorted({self.stem_word(w) for w in words if w not in self._stop_words})
            return {w: i for i, w in enumerate(unique)}

    classes = {
        "LexRank": LexRankSummarizer,
        "TextRank": TextRankSummarizer,
        "Luhn": LuhnSummarizer,
        "LSA": StableLsaSummarizer,
    }
    assert tuple(classes) == SUMY_SYSTEMS
    return classes


@functools.cache
def stemmer() -> Callable[[str], str]:
    """sumy's English stemmer (NLTK's Snowball), built once."""
    from sumy.nlp.stemmers import Stemmer

    return Stemmer("english")  # type: ignore[no-any-return]


@functools.cache
def stop_words() -> frozenset[str]:
    """sumy's English stop words."""
    from sumy.utils import get_stop_words

    return frozenset(get_stop_words("english"))


def __getattr__(name: str) -> Any:
    # The names these had as module constants, for callers that import them.
    if name == "_STEMMER":
        return stemmer()
    if name == "_STOP_WORDS":
        return stop_words()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sentences_of(text: str) -> list[str]:
    """The sentences of a text whose paragraphs are separated by blank lines."""
    return [s for p in paragraphs(text) for s in TOKENIZER.to_sentences(p)]


def truncate_words(sentences: Sequence[str], max_words: int | None) -> list[str]:
    """The sentences cut to `max_words` whitespace-separated words in all (None: no limit)."""
    if max_words is None:
        return list(sentences)
    out: list[str] = []
    left = max_words
    for sentence in sentences:
        if left <= 0:
            break
        words = sentence.split()
        out.append(" ".join(words[:left]))
        left -= len(words)
    return out


def lead(text: str, n: int) -> list[str]:
    """The first `n` sentences."""
    return sentences_of(text)[:n]


def round_robin_lead(texts: Sequence[str], max_words: int) -> list[str]:
    """First sentences of all texts (in the given order), then second sentences, … ."""
    split = [sentences_of(t) for t in texts]
    out: list[str] = []
    words = 0
    depth = 0
    while words < max_words and any(depth < len(s) for s in split):
        for sentences in split:
            if depth < len(sentences) and words < max_words:
                out.append(sentences[depth])
                words += len(sentences[depth].split())
        depth += 1
    return truncate_words(out, max_words)


def _make(name: str) -> object:
    summarizer = _sumy_classes()[name](stemmer())
    summarizer.stop_words = stop_words()
    return summarizer


def sumy_summary(
    name: str, text: str, *, max_sentences: int | None = None, max_words: int | None = None
) -> list[str]:
    """sumy `name` over `text`: the best `max_sentences` sentences, or the best sentences up to
    `max_words` words; in document order (as sumy returns them), cut to `max_words`.

    For a word budget sumy is given a callable sentence count (sumy's `ItemsCount` protocol):
    it receives the sentences sorted by rating and keeps the best ones until the budget is met.
    """
    from sumy.parsers.plaintext import PlaintextParser

    summarizer = _make(name)
    document = PlaintextParser.from_string(text, TOKENIZER).document
    count: int | Callable[[Sequence[object]], Sequence[object]]
    if max_words is None:
        count = max_sentences or 3
    else:

        def count(infos: Sequence[object]) -> Sequence[object]:
            kept, words = [], 0
            for info in infos:
                if words >= max_words:
                    break
                kept.append(info)
                words += len(str(info.sentence).split())  # type: ignore[attr-defined]
            return kept

    picked = [str(s) for s in summarizer(document, count)]  # type: ignore[operator]
    return truncate_words(picked, max_words)
