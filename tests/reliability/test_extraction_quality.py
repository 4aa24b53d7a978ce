"""Page extraction quality: token and 4-word-shingle F1 on the article-extraction benchmark.

The scorer's own tests run everywhere; the benchmark run needs the shared corpus (about 10 s
for 181 pages on 2 cores) and prints its figures with `pytest -s`.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import corpus_root, needs_corpus
from tests.reliability.extraction_score import (
    extract_all,
    load_ground_truth,
    match,
    score,
    shingles,
)

BENCHMARK = corpus_root() / "article-extraction"
MIN_F1 = 0.90  # trafilatura alone scores 0.957 here; readability-lxml 0.922


def test_shingles_and_match() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("Short, text.") == {("Short", "text"): 1}
    assert shingles("") == {}
    m = match("one two three four five six", "one two three four five six")
    assert (m.tp, m.fp, m.fn, m.precision, m.recall) == (3, 0, 0, 1.0, 1.0)
    m = match("one two three four five six", "one two three four nine ten menu login")
    assert (m.tp, m.fp, m.fn) == (1, 4, 2)
    assert match("x", "").precision is None and match("x", "").recall == 0.0


def test_score_is_the_benchmark_mean() -> None:
    truth = {"a": "the cat sat on the mat today", "b": "one two three four five", "c": "p q r s"}
    perfect = score(truth, dict(truth))
    assert (perfect.precision, perfect.recall, perfect.f1, perfect.empty) == (1.0, 1.0, 1.0, 0)
    missing = score(truth, {**truth, "c": ""})  # nothing extracted from one page
    assert missing.empty == 1 and missing.precision == 1.0
    assert missing.recall == pytest.approx(2 / 3) and missing.f1 == pytest.approx(0.8)
    noisy = score(truth, {**truth, "a": truth["a"] + " subscribe to our newsletter now"})
    assert noisy.recall == 1.0 and noisy.precision < 1.0
    tokens = score(truth, {**truth, "b": "five four three two one"}, n=1)
    assert tokens.f1 == 1.0  # a bag of words ignores order; shingles do not
    assert score(truth, {**truth, "b": "five four three two one"}).f1 < 1.0
    with pytest.raises(ValueError):
        score(truth, {"a": ""})


@pytest.mark.slow
@pytest.mark.corpus
@needs_corpus("article-extraction")
def test_extraction_f1_on_the_benchmark() -> None:
    truth = {k: v["articleBody"] for k, v in load_ground_truth(BENCHMARK).items()}
    predicted = extract_all(BENCHMARK)
    by_shingles = score(truth, predicted)
    by_tokens = score(truth, predicted, n=1)
    print()
    print(by_shingles.line("extraction, 4-word shingles"))
    print(by_tokens.line("extraction, tokens"))
    assert by_shingles.pages == len(truth) == 181
    assert by_shingles.f1 >= MIN_F1 and by_tokens.f1 >= MIN_F1
    assert by_shingles.empty <= 5
