"""Smoke test of the evaluation harness (bench/eval_summarizer.py) on a tiny subset.

The corpus tests skip when ../shared/corpus is absent (it is not part of a clone); the
tokenizer and label-file tests need no corpus.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

# bench.eval_summarizer scores with rouge-score (and sklearn, sumy): the bench extra.
pytest.importorskip(
    "rouge_score", reason="the bench extra is not installed (pip install '.[bench]')"
)

from bench.corpora import default_corpus_dir, labelled_source_text
from bench.eval_summarizer import (
    HOLDOUT_PATH,
    LABELS_PATH,
    SECTION_LABELS,
    run_bbc,
    run_multiling,
    run_sections,
    trivial_section,
)
from bench.ours import OurSummarizer, bullet_texts
from bench.tokenizer import OfflineTokenizer
from bot.summarize.model import ArticleInput

CORPUS = default_corpus_dir()


def test_offline_tokenizer_keeps_abbreviations_and_decimals() -> None:
    sentences = OfflineTokenizer().to_sentences("The U.S. said 3.5 percent. Mr. Smith left.")
    assert sentences == ("The U.S. said 3.5 percent.", "Mr. Smith left.")


def test_offline_tokenizer_words() -> None:
    words = OfflineTokenizer().to_words("Ukraine's U.S. aid rose 3.5%.")
    assert words == ("Ukraine's", "U.S.", "aid", "rose", "3.5")


def test_label_file_is_well_formed() -> None:
    rows = [json.loads(line) for line in LABELS_PATH.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    counts = Counter(r["label"] for r in rows)
    assert set(counts) <= set(SECTION_LABELS)
    for label in ("key_provisions", "open_questions", "next_steps"):
        assert counts[label] >= 30, label
    assert all(r["text"].strip() and r["source"] for r in rows)
    assert len({r["text"] for r in rows}) == len(rows), "duplicate sentences"


def test_holdout_file_is_well_formed_and_apart_from_the_tuned_set() -> None:
    rows = [json.loads(line) for line in HOLDOUT_PATH.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    assert {r["label"] for r in rows} <= set(SECTION_LABELS)
    tuned = [json.loads(line) for line in LABELS_PATH.read_text(encoding="utf-8").splitlines()]
    assert not {r["source"] for r in rows} & {r["source"] for r in tuned}
    assert not {r["text"] for r in rows} & {r["text"] for r in tuned}


def test_section_scores_in_range() -> None:
    result = run_sections()
    assert result["holdout"] is not None and result["holdout"]["sentences"] >= 150
    for key in ("ours", "trivial"):
        assert 0.0 <= result[key]["accuracy"] <= 100.0
        for scores in result[key]["per_label"].values():
            assert all(0.0 <= scores[m] <= 100.0 for m in ("precision", "recall", "f1"))
    assert trivial_section("Will they agree?") == "open_questions"
    assert trivial_section("Talks will resume on Monday.") == "next_steps"


@pytest.mark.corpus
@pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"shared corpus not found at {CORPUS} (../shared/corpus is not part of a clone)",
)
@pytest.mark.parametrize("path", [LABELS_PATH, HOLDOUT_PATH], ids=["tuned", "holdout"])
def test_labelled_sentences_are_quoted_from_their_source(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = " ".join(labelled_source_text(CORPUS, row["source"]).split())
        assert " ".join(row["text"].split()) in text, row


@pytest.fixture(scope="module")
def ours() -> OurSummarizer:
    return OurSummarizer()


@pytest.mark.corpus
@pytest.mark.skipif(
    not (CORPUS / "bbc-news-summary").is_dir(),
    reason=f"BBC corpus not found under {CORPUS} (../shared/corpus is not part of a clone)",
)
def test_bbc_on_five_articles(ours: OurSummarizer) -> None:
    result = run_bbc(CORPUS, ours, per_category=1)
    assert result["articles"] == 5
    for name, figures in result["systems"].items():
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert 0.0 <= figures[metric] <= 100.0, (name, metric)
        assert figures["ms_per_article"] >= 0.0
    assert result["systems"]["lead"]["rouge1"] > 10.0  # the scoring itself works


@pytest.mark.corpus
@pytest.mark.skipif(
    not (CORPUS / "multiling2011").is_dir(),
    reason=f"MultiLing corpus not found under {CORPUS} (../shared/corpus is not part of a clone)",
)
def test_multiling_on_one_story(ours: OurSummarizer) -> None:
    result = run_multiling(CORPUS, ours, max_stories=1)
    assert result["stories"] == 1
    assert result["references_per_story"] == [3]
    for name, figures in result["systems"].items():
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert 0.0 <= figures[metric] <= 100.0, (name, metric)
    assert result["systems"]["lead"]["rouge1"] > 10.0


def _article() -> ArticleInput:
    return ArticleInput(
        id="a1",
        title="Council agrees budget",
        text="The council agreed a new budget on Monday. It will vote again next week.",
    )


def test_adapter_cuts_the_selection_to_the_word_budget() -> None:
    adapter = OurSummarizer()
    full = adapter.select([_article()], max_sentences=2)
    assert full == [
        "The council agreed a new budget on Monday.",
        "It will vote again next week.",
    ]
    assert adapter.select([_article()], max_words=10) == [
        "The council agreed a new budget on Monday.",
        "It will",
    ]


def test_adapter_brief_bullets_drop_the_sources_suffix() -> None:
    brief = OurSummarizer().brief("council", [_article()])
    texts = bullet_texts(brief)
    assert texts and all("reported by" not in t for t in texts)
