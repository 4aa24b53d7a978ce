"""What the answer tests share: the offline answerer with the spaCy pipeline, and a question
asked of sample articles the way a thread question is (ranked passages, then the answerer)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.answer.model import AnswerDraft
from bot.answer.offline import OfflineAnswerer
from bot.answer.retrieve import rank_passages
from bot.nlp import load_pipeline
from bot.summarize.model import ArticleInput


@pytest.fixture
def parsed() -> OfflineAnswerer:
    nlp = load_pipeline()
    if nlp is None:
        pytest.skip("no spaCy model installed")
    return OfflineAnswerer(nlp)


def ask(answerer: OfflineAnswerer, question: str, articles: Sequence[ArticleInput]) -> AnswerDraft:
    return answerer.answer(question, rank_passages(question, list(articles), limit=40))
