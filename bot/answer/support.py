"""Does a passage state what an answer sentence says? (pure: text in, bool out)

An LLM answer sentence is kept only when the passages it cites hold most of its content words
and every figure it gives: "30 days, extendable by mutual agreement" is supported by "a 30-day
ceasefire … can be extended by mutual agreement"; "Russia agreed on Friday" is not supported by
a passage about Ukraine. A paraphrase loses a few words, so the bar is a share, not all of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.stems import content_stems

# Share of the sentence's content words its cited passages must contain.
MIN_SUPPORT = 0.6
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# Words an answer adds around what a passage says ("the articles say", "as of").
_FRAME = frozenset(content_stems("article articles report reports say says said stated as of"))


def supported(sentence: str, passages: Sequence[str], *, threshold: float = MIN_SUPPORT) -> bool:
    if not passages:
        return False
    text = " ".join(passages)
    figures = {f.replace(",", "") for f in _FIGURE.findall(text)}
    for figure in _FIGURE.findall(sentence):
        if figure.replace(",", "") not in figures:
            return False  # a number the passages don't give
    words = [w for w in content_stems(sentence) if w not in _FRAME and not w[0].isdigit()]
    if not words:
        return True
    present = set(content_stems(text))
    return sum(1 for w in words if w in present) / len(words) >= threshold
