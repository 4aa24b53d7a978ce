"""The name terms of a sentence: the terms (`sentences.terms`) of the people, places and
organisations it names. Briefs compare sentences and articles by them (story merging, the
later report that overtakes an earlier one).

Computed once per sentence at ingestion (`analysis.analyze_article` stores them as
`SentenceFeatures.names`); a brief computes them itself only for sentences analysed without
them (`bot.summarize.extractive`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.summarize.sentences import terms

__all__ = ["name_terms"]

# Entity labels that name someone or something (numbers and dates are checked separately).
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT"})
# Plain-text stand-in for entities: capitalised words not opening the sentence, acronyms.
NAME_WORD = re.compile(r"(?<=[\w,;:)] )(?:[A-Z][a-z][\w'’-]*|[A-Z]{2,})|\b(?:[A-Z]\.){2,}")

CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december"
    " monday tuesday wednesday thursday friday saturday sunday".split()
)


def name_terms(
    entities: Sequence[tuple[str, str]], text: str, memo: dict[str, list[str]] | None = None
) -> tuple[str, ...]:
    """The distinct name terms, in the order first found: of the naming entities when the
    sentence has any entities (a parse ran), else of its capitalised words. `memo`: terms of
    names seen before (a window names the same people in hundreds of sentences)."""
    if memo is None:
        memo = {}

    def terms_of(name: str) -> list[str]:
        found = memo.get(name)
        if found is None:
            found = memo[name] = terms(name)
        return found

    if entities:
        found = [t for name, label in entities if label in NAME_LABELS for t in terms_of(name)]
    else:
        found = [
            t
            for word in NAME_WORD.findall(text)
            if word.lower() not in CALENDAR_WORDS
            for t in terms_of(word)
        ]
    return tuple(dict.fromkeys(found))
