"""Rules-based section classification and briefability."""

from __future__ import annotations

from datetime import date

import pytest

from bot.summarize.sections import analyze, briefability, section_of

KEY = "key_provisions"
OPEN = "open_questions"
NEXT = "next_steps"


@pytest.mark.parametrize(
    "sentence",
    [
        "Ukraine accepted the U.S. proposal for an immediate, interim 30-day ceasefire.",
        "The United States has announced that it will resume intelligence sharing with Ukraine.",
        "The U.S. will immediately lift the pause on intelligence sharing.",
        "The two governments signed a memorandum on critical minerals in Jeddah.",
        "Parliament approved the budget by 250 votes to 180 on Tuesday.",
        "The European Commission decided to extend the sanctions for six months.",
        "Washington said it would restore military aid to Kyiv.",
        "Both countries committed to negotiate an agreement on mineral resources.",
        "The central bank lifted its ban on foreign currency purchases.",
        "The joint statement calls for the exchange of prisoners of war.",
    ],
)
def test_key_provisions(sentence: str) -> None:
    assert section_of(sentence) == KEY


@pytest.mark.parametrize(
    "sentence",
    [
        "Will Russia accept a matching ceasefire?",
        "How the truce would be monitored is not clear.",
        "It remains unclear whether Moscow will agree to the terms.",
        "It is not clear when the aid deliveries will restart.",
        "The success of the plan hinges on Russia's response.",
        "Whether the truce holds depends on whether Moscow reciprocates.",
        "The Kremlin has yet to respond to the proposal.",
        "Officials did not say how the ceasefire would be verified.",
        "Key details of the monitoring mechanism remain unresolved.",
        "Funding for the reconstruction fund is an open question.",
        "The statement leaves open how progress will be measured.",
        "The timing of the next tranche of aid is uncertain.",
        "There were no details on how the minerals revenue would be shared.",
        "It remains to be seen whether the ceasefire will last.",
        "The acceptance depends on Russia's concurrent acceptance of a ceasefire.",
    ],
)
def test_open_questions_including_non_questions(sentence: str) -> None:
    assert section_of(sentence) == OPEN


@pytest.mark.parametrize(
    "sentence",
    [
        "U.S. envoy Steve Witkoff will travel to Moscow later this week.",
        "The delegations will meet again in Riyadh on Thursday.",
        "The finance ministers are expected to sign the deal next week.",
        "Ukraine plans to name its negotiating team in the coming days.",
        "The EU summit is due to discuss the package on March 20.",
        "Talks will resume in Geneva after the holiday.",
        "Both delegations agreed to name their negotiating teams immediately.",
        "The proposal will be communicated to Russian officials by the U.S. side.",
        "A vote on the bill is set to take place before the end of the month.",
    ],
)
def test_next_steps(sentence: str) -> None:
    assert section_of(sentence) == NEXT


@pytest.mark.parametrize(
    "sentence",
    [
        "This marks a turning point in the ongoing conflict and the peace process.",
        "Analysts say the move reflects a broader shift in Washington's strategy.",
        "The decision is seen as a critical step toward restoring stability in Europe.",
        "This report examines the detailed provisions of the joint statement.",
        "What does this mean for you and your family in the months ahead?",
        "Key aspects of the ceasefire proposal include:",
        "“We are ready, we are willing, we are able,” he said.",
        "Intelligence is a force multiplier in any modern military strategy.",
        "For years, the two countries have maintained a close relationship.",
    ],
)
def test_opinion_background_and_fluff_are_not_bullets(sentence: str) -> None:
    assert section_of(sentence) is None


def test_a_date_after_publication_is_a_next_step() -> None:
    sentence = "Negotiators meet in Riyadh on March 18 to review the text."
    assert section_of(sentence, published=date(2025, 3, 14)) == NEXT
    assert section_of(sentence, published=date(2025, 3, 20)) != NEXT


def test_briefability_prefers_facts_over_comment() -> None:
    fact = "Ukraine accepted the U.S. proposal for a 30-day ceasefire on Tuesday."
    comment = "This acceptance is seen as a significant and pivotal step for the region."
    assert briefability(fact) > briefability(comment)
    label = analyze(fact)
    assert label.section == KEY and label.key > label.open and label.key > label.next


def test_section_of_is_pure() -> None:
    sentence = "It remains unclear whether Moscow will agree."
    assert [section_of(sentence) for _ in range(3)] == [OPEN] * 3
