"""Answers read the entities ingestion stored for an article instead of running the entity
recogniser again at question time (issue 14): the stored analysis is what the answer uses, and
an article without one is parsed as before."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.answer.offline import OfflineAnswerer
from bot.answer.retrieve import rank_passages
from bot.nlp.features import SentenceFeatures
from bot.summarize.model import ArticleInput

DAY = datetime(2014, 4, 2, tzinfo=UTC)
TEXT = "The fleet will sail at the feast of Saint Olaf. Crews were told by letter."


def _stored(entities: tuple[tuple[str, str], ...]) -> tuple[SentenceFeatures, ...]:
    first, second = TEXT.split(". ")
    return (
        SentenceFeatures(0, 0, first + ".", "prose", entities=entities),
        SentenceFeatures(1, 0, second, "prose"),
    )


def test_the_stored_entities_are_what_the_answer_reads(parsed: OfflineAnswerer) -> None:
    question = "When will the fleet sail?"
    # The small model does not read this feast day as a date; ingestion's analysis (here: a
    # stored one that does) is what the answer reads.
    feast = ("the feast of Saint Olaf", "DATE")
    analysed = ArticleInput("1", "Sailing", TEXT, published_at=DAY, sentences=_stored((feast,)))
    passages = rank_passages(question, [analysed], limit=40)
    assert passages[0].entities == (feast,)
    answer = parsed.answer(question, passages)
    assert answer.found and "feast of Saint Olaf" in answer.answer
    # Without a stored analysis the sentence is parsed as before (and the model misses it).
    plain = ArticleInput("1", "Sailing", TEXT, published_at=DAY)
    passages = rank_passages(question, [plain], limit=40)
    assert passages[0].entities is None
    assert not parsed.answer(question, passages).found
