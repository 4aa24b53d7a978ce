"""The offline answerer: the sentence that answers, or a plain "the articles don't say"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.answer.model import Passage
from bot.answer.offline import OfflineAnswerer
from bot.answer.retrieve import rank_passages
from bot.answer.support import supported
from bot.nlp import load_pipeline
from bot.summarize.model import ArticleInput

ARTICLES = [
    ArticleInput(
        "1",
        "Donors pledge aid",
        "Japan pledged 500 million dollars for the relief effort on Saturday. "
        "China has promised 60 million dollars. "
        "Around 600 people were evacuated from the coast near the port.",
        published_at=datetime(2005, 1, 1, tzinfo=UTC),
    ),
    ArticleInput(
        "2",
        "Putin and the truce",
        "Vladimir Putin spoke to reporters in Moscow on Thursday. "
        "He did not accept the 30-day ceasefire that Ukraine agreed to in Jeddah.",
        published_at=datetime(2025, 3, 19, tzinfo=UTC),
    ),
    ArticleInput(
        "3",
        "Toll rises",
        "Officials said 80,000 people had died in the disaster.",
        published_at=datetime(2005, 1, 1, tzinfo=UTC),
    ),
    ArticleInput(
        "4",
        "Toll rises again",
        "Officials said 120,000 people had died in the disaster.",
        published_at=datetime(2005, 1, 8, tzinfo=UTC),
    ),
]


@pytest.fixture(params=["spacy", "none"])
def answerer(request: pytest.FixtureRequest) -> OfflineAnswerer:
    if request.param == "spacy":
        nlp = load_pipeline()
        if nlp is None:
            pytest.skip("no spaCy model installed")
        return OfflineAnswerer(nlp)
    return OfflineAnswerer(None)


def ask(answerer: OfflineAnswerer, question: str):  # type: ignore[no-untyped-def]
    return answerer.answer(question, rank_passages(question, ARTICLES, limit=40))


def test_a_quantity_is_answered_with_its_own_sentence_and_citation(
    answerer: OfflineAnswerer,
) -> None:
    draft = ask(answerer, "How many people were evacuated?")
    assert draft.found and "600 people" in draft.answer
    assert [s.source_ids for s in draft.sentences] == [("1",)]


def test_another_countrys_pledge_is_not_the_answer(answerer: OfflineAnswerer) -> None:
    draft = ask(answerer, "How much did France pledge?")
    assert not draft.found
    assert draft.answer.startswith("The stored articles don't say")
    assert "France" in draft.answer


def test_the_named_subject_must_be_the_one_asked_about() -> None:
    nlp = load_pipeline()
    if nlp is None:
        pytest.skip("no spaCy model installed")
    draft = ask(OfflineAnswerer(nlp), "How much did China pledge?")
    assert draft.found and "60 million" in draft.answer and "Japan pledged" not in draft.answer


def test_an_answer_opening_with_he_stands_alone(answerer: OfflineAnswerer) -> None:
    draft = ask(answerer, "Did Putin accept the ceasefire Ukraine agreed to?")
    assert draft.found
    first = draft.sentences[0].text
    assert not first.startswith("He ")  # resolved: the sentence naming Putin comes first
    assert all(s.source_ids == ("2",) for s in draft.sentences)
    assert len(draft.sentences) <= 2


def test_a_later_figure_supersedes_and_says_as_of(answerer: OfflineAnswerer) -> None:
    draft = ask(answerer, "How many people had died in the disaster?")
    assert draft.found and "120,000" in draft.answer
    assert draft.answer.startswith("As of 8 Jan 2005")


def test_a_duration_question_wants_a_duration(answerer: OfflineAnswerer) -> None:
    passages = [
        Passage("1", "The sailors are being held until Iran's guards are freed.", 1.0),
        Passage("2", "The sailors came home after thirteen days of captivity.", 0.5),
    ]
    draft = answerer.answer("How long were the sailors held?", passages)
    assert draft.found and "thirteen days" in draft.answer


def test_no_passages_is_declined(answerer: OfflineAnswerer) -> None:
    assert not answerer.answer("Who won?", []).found


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        ("Ukraine accepted a 30-day ceasefire.", True),
        ("Ukraine accepted a 90-day ceasefire.", False),  # a figure the passage doesn't give
        ("Russia demanded sanctions relief from Europe.", False),
    ],
)
def test_support(sentence: str, ok: bool) -> None:
    passage = "On Tuesday Ukraine accepted a US proposal for a 30-day ceasefire."
    assert supported(sentence, [passage]) is ok


def test_who_wants_whoever_does_it_not_any_name_nearby() -> None:
    nlp = load_pipeline()
    if nlp is None:
        pytest.skip("no spaCy model installed")
    passages = [
        Passage(
            "1",
            "Putin raised several questions, including how a truce would be monitored.",
            1.0,
        ),
        Passage("2", "Marco Rubio and Mike Waltz led the American delegation.", 0.5),
    ]
    answerer = OfflineAnswerer(nlp)
    assert not answerer.answer("Who will monitor the truce?", passages).found
    led = answerer.answer("Who led the American delegation?", passages)
    assert led.found and "Rubio" in led.answer
