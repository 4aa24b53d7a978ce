"""The offline answerer: quote the stored sentences that answer a question, with citations.

No model, so no synthesis: it answers only when the best sentences cover enough of the
question's content words, and otherwise says plainly that the articles don't answer it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answer.model import AnswerDraft, Passage
from bot.summarize.sentences import content_words

NOT_ANSWERED = "The stored articles don't answer this."
# Share of the question's (IDF-weighted) content words the best sentence must contain.
MIN_COVERAGE = 0.5
MAX_SENTENCES = 3


class OfflineAnswerer:
    name = "extractive"

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]] = (),
    ) -> AnswerDraft:
        del history  # quoting sentences needs no conversation context
        good = [p for p in passages if p.score >= MIN_COVERAGE]
        if not good:
            return AnswerDraft(False, NOT_ANSWERED, ())
        chosen: list[Passage] = []
        for passage in good:
            words = set(content_words(passage.text))
            # Skip a sentence that mostly repeats one already chosen.
            if any(_overlap(words, set(content_words(c.text))) > 0.6 for c in chosen):
                continue
            chosen.append(passage)
            if len(chosen) == MAX_SENTENCES:
                break
        text = " ".join(p.text.strip() for p in chosen)
        source_ids = tuple(dict.fromkeys(p.article_id for p in chosen))
        return AnswerDraft(True, text, source_ids)


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
