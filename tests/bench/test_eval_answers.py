"""The follow-up question set and its scorer (bench/eval_answers.py).

The set's shape needs no corpus; checking the gold answers against the articles (and a run of
the evaluation) needs ../shared/corpus and skips without it (it is not part of a clone).
"""

from __future__ import annotations

import os
import re

import pytest

from bench._common import corpus_dir
from bench.eval_answers import load_questions, load_stories, verify_gold

CORPUS = corpus_dir(os.environ.get("BRIEFBOT_CORPUS"))


def test_question_set_shape() -> None:
    questions = load_questions()
    tuned = [q for q in questions if not q.get("holdout")]
    assert len(tuned) >= 60 and len({q["story"] for q in tuned}) >= 6
    assert sum(q["answerable"] for q in tuned) >= 40
    assert sum(not q["answerable"] for q in tuned) >= 20
    assert any(q.get("holdout") for q in questions)
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        if q["answerable"]:
            re.compile(q["gold"])
        else:
            assert q["near"]  # what nearby-but-wrong passage the question was written against


@pytest.mark.corpus
@pytest.mark.skipif(CORPUS is None, reason="shared corpus not found (not part of a clone)")
def test_every_gold_answer_is_in_its_story() -> None:
    assert CORPUS is not None
    assert verify_gold(load_stories(CORPUS), load_questions()) == []
