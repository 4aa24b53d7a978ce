"""The editor-style evaluation (bench/editor_checks.py, bench/editor_eval.py): its checks on
small sentences written for these tests, its labelled data, and a quick run through the product.

The checks need the bench extra (sumy's stemmer and stopwords); the corpus tests skip when
../shared/corpus is absent (it is not part of a clone).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime

import pytest

pytest.importorskip("sumy", reason="the bench extra is not installed (pip install '.[bench]')")
pytest.importorskip("rouge_score", reason="the bench extra is not installed")

from bench.corpora import default_corpus_dir
from bench.editor_checks import (
    fragment_reasons,
    section_errors,
    sentences_of,
    support,
)
from bench.editor_eval import (
    FACTS_PATH,
    LABELS_PATH,
    load_fragment_labels,
    load_stories,
    verify_facts,
)

CORPUS = default_corpus_dir()
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"shared corpus not found at {CORPUS} (../shared/corpus is not part of a clone)",
)
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _pipeline_installed() -> bool:
    from bot.nlp import load_pipeline

    return load_pipeline("auto") is not None


needs_nlp = pytest.mark.skipif(
    not _pipeline_installed(), reason="no spaCy pipeline installed (pip install '.[nlp]')"
)


# -- fragments ---------------------------------------------------------------------------------


def test_a_whole_sentence_is_not_a_fragment() -> None:
    assert fragment_reasons("The city council approved the new tram line on Monday.") == []
    assert fragment_reasons("128 people were rescued from the flooded valley.") == []
    assert "cut" in fragment_reasons(",000 people were rescued from the flooded valley.")


@pytest.mark.parametrize(
    ("bullet", "reason"),
    [
        ("He is expected to sign the budget next week.", "pronoun_start"),
        ("Those were the last trains to leave the station.", "pronoun_start"),
        ("Then, on Friday, the mayor resigned.", "dangling_opener"),
        ("In the meantime, the river kept rising.", "dangling_opener"),
        ("The harbour flooded overnight.Police closed the coastal road.", "glued_sentences"),
        ("The storm destroyed roofs, fences and the old…", "cut"),
        ("Flood defences along the river", "heading_or_caption"),
        ("The agency has released this map showing where the water rose.", "heading_or_caption"),
        pytest.param(
            "The new bridge, a structure that engineers praised for its design.",
            "no_finite_verb",
            marks=needs_nlp,
        ),
        pytest.param(
            "The company has just announced a new tram line.",
            "unresolved_reference",
            marks=needs_nlp,
        ),
    ],
)
def test_fragments_are_caught(bullet: str, reason: str) -> None:
    assert reason in fragment_reasons(bullet)


@needs_nlp
def test_a_headline_word_is_not_an_unresolved_reference() -> None:
    bullet = "The ministry will open the line in May."
    assert "unresolved_reference" in fragment_reasons(bullet)
    assert fragment_reasons(bullet, story_terms=frozenset({"ministry"})) == []


def test_expletive_it_is_not_an_unresolved_pronoun() -> None:
    assert fragment_reasons("It remains unclear when the bridge will reopen.") == []


def test_those_followed_by_who_they_are_is_not_an_unresolved_pronoun() -> None:
    # "those involved", "those who…", "those aboard" name people by what follows.
    assert fragment_reasons("Those involved in the dam collapse were questioned by police.") == []
    assert fragment_reasons("Those who lost homes in the flood will be rehoused by March.") == []
    assert "pronoun_start" in fragment_reasons("Those plans were dropped by the council.")


def test_a_cut_inside_a_number_is_caught_against_the_source() -> None:
    source = "Engineers measured a tremor of magnitude 7.4 near the dam on Tuesday."
    bullet = "Engineers measured a tremor of magnitude 7."
    assert "cut" in fragment_reasons(bullet, sources=[source])
    assert "cut" not in fragment_reasons(
        "The council voted 5 to 2.", sources=["The council voted 5 to 2. Then it rose."]
    )


def test_a_faq_subhead_is_a_fragment_only_among_open_questions() -> None:
    assert "question_subhead" in fragment_reasons("What happened at the dam?", "open_questions")
    assert "question_subhead" not in fragment_reasons(
        "Will the regional government pay for the repairs before winter?", "open_questions"
    )


# -- citation support ----------------------------------------------------------------------------

ARTICLE = (
    "Heavy rain hit the valley on Sunday.\n\n"
    "The river Lenne burst its banks in Altena, and 40 homes were evacuated. "
    "Firefighters from Hagen helped through the night."
)


def test_a_bullet_copied_from_the_article_is_supported() -> None:
    verdict = support(
        "The river Lenne burst its banks in Altena, and 40 homes were evacuated.",
        sentences_of(ARTICLE),
    )
    assert verdict.supported and verdict.overlap == 1.0


def test_a_claim_spread_over_two_adjacent_sentences_is_supported() -> None:
    bullet = "40 homes were evacuated in Altena and firefighters from Hagen helped."
    assert support(bullet, sentences_of(ARTICLE)).supported


def test_a_number_the_article_does_not_state_is_unsupported() -> None:
    verdict = support(
        "The river Lenne burst its banks in Altena, and 400 homes were evacuated.",
        sentences_of(ARTICLE),
    )
    assert not verdict.supported and verdict.missing_numbers == ("400",)


def test_an_entity_the_article_does_not_state_is_unsupported() -> None:
    verdict = support(
        "The river Lenne burst its banks in Iserlohn, and 40 homes were evacuated.",
        sentences_of(ARTICLE),
    )
    assert not verdict.supported


def test_a_date_anchored_from_a_weekday_is_supported_when_consistent() -> None:
    published = datetime(2026, 3, 8, 18, tzinfo=UTC)  # a Sunday
    sentences = sentences_of("The valley council will meet on Tuesday to plan repairs.")
    right = "The valley council will meet on Tuesday 10 March to plan repairs."
    wrong = "The valley council will meet on Tuesday 11 March to plan repairs."
    assert support(right, sentences, published=published).supported
    assert not support(wrong, sentences, published=published).supported


def test_a_dateline_holds_only_where_the_article_places_the_claim() -> None:
    published = datetime(2026, 3, 9, 8, tzinfo=UTC)
    text = (
        "Floods in the Lenne valley.\n\n"
        "Altena was hit hardest on 7 March. The river Lenne burst its banks, and 40 homes "
        "were evacuated.\n\nVolunteers filled sandbags all night. Schools stayed closed.\n\n"
        "Relief goods came from Hagen and Berlin later."
    )
    sentences = sentences_of(text)
    claim = "The river Lenne burst its banks, and 40 homes were evacuated."
    assert support(f"Altena, 7 March — {claim}", sentences, published=published).supported
    assert support(f"9 March — {claim}", sentences, published=published).supported
    assert not support(f"Berlin, 7 March — {claim}", sentences, published=published).supported
    assert not support(f"Altena, 8 March — {claim}", sentences, published=published).supported


def test_sharing_the_story_words_is_not_support() -> None:
    verdict = support(
        "Rain in the valley forced the closure of schools in Altena.", sentences_of(ARTICLE)
    )
    assert not verdict.supported


# -- sections by time --------------------------------------------------------------------------


def _errors(section: str, text: str) -> list[str]:
    return section_errors(section, text, cited_published=[NOW], newest=NOW)


def test_a_past_event_under_next_steps_is_an_error() -> None:
    assert _errors("next_steps", "The mayor resigned after the vote.") == [
        "past_event_in_next_steps"
    ]
    assert _errors("next_steps", "The council will vote on the budget next week.") == []


def test_a_dated_next_step_before_the_newest_article_is_an_error() -> None:
    assert _errors("next_steps", "The council will vote on 2 March.") == [
        "dated_before_newest_article"
    ]
    assert _errors("next_steps", "The council will vote on 20 March.") == []


def test_a_relative_day_already_past_is_an_error_in_next_steps() -> None:
    reported = datetime(2026, 3, 3, 9, tzinfo=UTC)  # a Tuesday; Friday is 6 March
    newest = datetime(2026, 3, 9, 9, tzinfo=UTC)
    text = "The council will vote on the budget on Friday."
    past = section_errors("next_steps", text, cited_published=[reported], newest=newest)
    assert past == ["relative_day_before_newest_article"]
    ahead = section_errors("next_steps", text, cited_published=[newest], newest=newest)
    assert ahead == []


def test_an_open_question_must_be_open() -> None:
    assert _errors("open_questions", "The mayor resigned after the vote.") == [
        "open_question_not_open"
    ]
    assert _errors("open_questions", "Will the council approve the budget?") == []
    assert _errors("open_questions", "It is unclear who will pay for the repairs.") == []
    assert _errors("open_questions", "The mayor declined to comment on the cost.") == []


# -- labelled data -----------------------------------------------------------------------------


def test_key_facts_file_is_well_formed() -> None:
    data = json.loads(FACTS_PATH.read_text(encoding="utf-8"))
    stories = data["stories"]
    corpora = Counter(s["corpus"] for s in stories)
    assert corpora["multiling"] == 3 and corpora["wikiref"] >= 6 and corpora["seed"] == 1
    assert len({s["id"] for s in stories}) == len(stories)
    for story in stories:
        assert 4 <= len(story["facts"]) <= 6, story["id"]
        assert len({f["id"] for f in story["facts"]}) == len(story["facts"])
        for item in story["facts"] + story.get("outdated", []):
            for pattern in item["all"]:
                re.compile(pattern)
                assert len(pattern) <= 160, "a key fact is a short pattern, not article text"
    seed = next(s for s in stories if s["corpus"] == "seed")
    assert set(seed["lead"]) <= {f["id"] for f in seed["facts"]}


def test_fragment_labels_are_well_formed() -> None:
    labels = load_fragment_labels(LABELS_PATH)
    assert len(labels) >= 50
    assert all(
        isinstance(r["fragment"], bool) and re.fullmatch(r"[0-9a-f]{16}", i)
        for i, r in labels.items()
    )
    assert 0 < sum(r["fragment"] for r in labels.values()) < len(labels)
    assert {r.get("set", "tuned") for r in labels.values()} == {"tuned", "holdout"}
    timed = [r for r in labels.values() if "time_error" in r]
    assert len(timed) >= 50
    assert all(r["section"] in ("open_questions", "next_steps") for r in timed)


@pytest.mark.corpus
@needs_corpus
def test_every_key_fact_is_stated_by_an_article_of_its_story() -> None:
    for story in load_stories(CORPUS):
        for fact_id, articles in verify_facts(story).items():
            assert articles, f"{story.id}/{fact_id}: no article of the story states it"


@pytest.mark.slow
@pytest.mark.corpus
@needs_corpus
def test_quick_run_through_the_product(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.eval_summarizer import main

    assert main(["--corpus", str(CORPUS), "--quick", "--json", "--only", "product,editor"]) == 0
    results = json.loads(capsys.readouterr().out)
    product = results["product"]["systems"]
    assert product["product"]["rouge1"] > 10.0 and product["lead"]["rouge1"] > 10.0
    editor = results["editor"]
    assert editor["stories"] == 2 and editor["bullets"] > 0
    for value in editor["measures"].values():
        assert 0.0 <= value <= 100.0
    seed = next(g for g in editor["per_story"] if g["id"] == "seed-jeddah")
    assert set(seed["lead_check"]) == {"jeddah", "march11", "ceasefire", "resumed"}
    measures = {row["measure"] for row in results["goals"]}
    assert any("key-fact recall" in m for m in measures)


def test_a_product_failure_on_one_story_is_recorded_not_raised() -> None:
    from bench.product_briefs import safe_brief_story

    brief = safe_brief_story("empty", [], [])  # no articles: the product cannot brief it
    assert brief.bullets == () and brief.error
