"""split_sentences, words, content_words and trim_sentence."""

from __future__ import annotations

import re

import pytest

from bot.summarize.sentences import (
    STOPWORDS,
    content_words,
    split_sentences,
    trim_sentence,
    words,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met U.S. officials on Jan. 5 in Washington. They agreed on a plan.",
            ["Mr. Smith met U.S. officials on Jan. 5 in Washington.", "They agreed on a plan."],
        ),
        (
            "The deal was signed in the U.S. The talks resume on Monday.",
            ["The deal was signed in the U.S.", "The talks resume on Monday."],
        ),
        (
            "U.S. Secretary of State Marco Rubio spoke. Dr. Jones and Gen. Smith listened.",
            ["U.S. Secretary of State Marco Rubio spoke.", "Dr. Jones and Gen. Smith listened."],
        ),
        (
            "Growth was 3.5 percent in 2024. Inflation fell to 2.1 percent.",
            ["Growth was 3.5 percent in 2024.", "Inflation fell to 2.1 percent."],
        ),
        (
            '"Will they agree?" she asked. "No," he said. Talks ended.',
            ['"Will they agree?" she asked.', '"No," he said.', "Talks ended."],
        ),
        (
            "He said: “We will go.” Then they went to Jeddah.",
            ["He said: “We will go.”", "Then they went to Jeddah."],
        ),
        (
            "The meeting starts at 5 p.m. Thursday in Riyadh. Both sides attend.",
            ["The meeting starts at 5 p.m. Thursday in Riyadh.", "Both sides attend."],
        ),
        (
            "John F. Kennedy Airport reopened after the storm. Flights resumed.",
            ["John F. Kennedy Airport reopened after the storm.", "Flights resumed."],
        ),
    ],
)
def test_split_sentences_abbreviations_decimals_quotes(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_headings_datelines_and_short_lines_are_not_sentences() -> None:
    text = (
        "14 Mar 2025, Fri\n\n"
        "The U.S. will resume aid. Ukraine accepted a ceasefire.\n\n"
        "II. Background: The U.S.-Ukraine Partnership\n\n"
        "A. Historical Cooperation and Recent Tensions\n\n"
        "## Markdown heading\n\n"
        "For years the two countries have cooperated closely.\n\n"
        "Leave a Reply\n"
    )
    assert split_sentences(text) == [
        "The U.S. will resume aid.",
        "Ukraine accepted a ceasefire.",
        "For years the two countries have cooperated closely.",
    ]


def test_bullet_lines_are_separate_and_lose_marker_and_label() -> None:
    text = (
        "This resumption is significant for several reasons:\n\n"
        "  • Operational Impact: Intelligence sharing is vital. It helps planning.\n"
        "  • Offsetting the Cost of U.S. Assistance: Development can ease the burden.\n"
        "- The statement said: Russia must reciprocate.\n"
        "* A plain bullet without a label ends here.\n"
    )
    assert split_sentences(text) == [
        "This resumption is significant for several reasons:",
        "Intelligence sharing is vital.",
        "It helps planning.",
        "Development can ease the burden.",
        "The statement said: Russia must reciprocate.",
        "A plain bullet without a label ends here.",
    ]


def test_soft_wrapped_lines_join_and_paragraphs_separate() -> None:
    text = (
        "The talks in Jeddah lasted eight hours and ended with a joint\n"
        "statement on Tuesday evening.\n\n"
        "A paragraph without a final full stop still ends at the blank line\n\n"
        "Next paragraph."
    )
    assert split_sentences(text) == [
        "The talks in Jeddah lasted eight hours and ended with a joint statement on Tuesday "
        "evening.",
        "A paragraph without a final full stop still ends at the blank line",
        "Next paragraph.",
    ]


def test_split_sentences_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \r\n") == []


def test_words_lowercase_possessives_acronyms() -> None:
    assert words("Ukraine’s U.S. allies and the US agreed to 3.5% of 1,200 talks") == [
        "ukraine", "u.s", "allies", "and", "the", "u.s", "agreed", "to", "3.5", "of", "1,200",
        "talks",
    ]  # fmt: skip


def test_content_words_drop_stopwords_and_stem() -> None:
    assert content_words("The talks were agreed") == content_words("a talk they agree")
    assert content_words("Negotiations") == content_words("negotiate")
    assert content_words("stopped") == content_words("stopping") == content_words("stop")
    assert content_words("countries") == content_words("country")
    assert "the" in STOPWORDS and isinstance(STOPWORDS, frozenset)
    assert all(w not in STOPWORDS for w in content_words("the US said it will resume aid"))
    # "U.S." survives (it is not the pronoun "us").
    assert "u.s" in content_words("The U.S. will resume aid to us")


LONG = (
    "According to the statement, the U.S. will immediately lift the pause on intelligence "
    "sharing (which began earlier this month), a move that is expected to provide Ukraine with "
    "timely and actionable information crucial for its defense operations, officials said."
)


def test_trim_returns_short_sentence_unchanged() -> None:
    assert trim_sentence("Ukraine accepted the proposal.", 280) == "Ukraine accepted the proposal."


def test_trim_drops_parenthetical_then_attribution() -> None:
    without_aside = trim_sentence(LONG, len(LONG) - 10)
    assert "(which began" not in without_aside
    assert without_aside.endswith("officials said.")
    without_attribution = trim_sentence(LONG, len(without_aside) - 5)
    assert "officials said" not in without_attribution
    assert without_attribution.endswith("defense operations.")
    assert without_attribution.startswith("The U.S. will immediately lift")


def test_trim_cuts_at_clause_boundary() -> None:
    out = trim_sentence(LONG, 120)
    assert out == "The U.S. will immediately lift the pause on intelligence sharing."


def test_trim_falls_back_to_word_boundary_with_ellipsis() -> None:
    sentence = "Negotiators from both delegations worked through the night in Jeddah and " * 3
    out = trim_sentence(sentence.strip(), 60)
    assert out.endswith("…") and len(out) <= 60
    assert out[:-1].rstrip().split()[-1].lower() not in {"and", "the", "in", "of"}


@pytest.mark.parametrize("width", [1, 5, 20, 40, 61, 100, 150, 200, 279])
def test_trim_never_cuts_mid_word_and_respects_max(width: int) -> None:
    samples = [
        LONG,
        "Ukraine’s willingness to accept the ceasefire, contingent on Russian reciprocity, "
        "reflects its strategic imperative to create a pause in the fighting that could allow "
        "for the exchange of prisoners of war, the release of civilian detainees, and even the "
        "return of forcibly transferred Ukrainian children.",
        "Supercalifragilisticexpialidocious " * 3,
    ]
    for sentence in samples:
        out = trim_sentence(sentence, width)
        assert len(out) <= width
        original_words = set(re.findall(r"[\w’'.-]+", sentence.lower()))
        for token in re.findall(r"[\w’'.-]+", out.lower().replace("…", " ")):
            assert token in original_words or token.rstrip(".") in original_words, (token, out)


def test_a_quotation_of_several_sentences_stays_whole() -> None:
    text = (
        'Blair said: "We bear you no ill will. We want them home," he told reporters. Then he left.'
    )
    assert split_sentences(text) == [
        'Blair said: "We bear you no ill will. We want them home," he told reporters.',
        "Then he left.",
    ]
    # An unmatched quote mark does not swallow the rest of the paragraph.
    assert split_sentences('A stray " mark here. And more text.') == [
        'A stray " mark here.',
        "And more text.",
    ]


def test_trim_after_an_introductory_phrase_keeps_more_than_the_subject() -> None:
    text = (
        "With the Kelso economy at a standstill and lenders still uncertain about its future, "
        "Mayor Tom Reid, who has promised to renegotiate the terms of the loan with the banks "
        "in Lorne and in the capital before the summer, faces a hard task in the weeks to come."
    )
    out = trim_sentence(text, 200)
    assert not out.endswith("Mayor Tom Reid."), out
    assert len(out) <= 200
    kept = (
        "With the harbour closed, the Kelso council moved the ferry service to Lorne, which has "
        "a deeper quay and a rail link to the capital, and said the move would last until the "
        "repairs end in the spring of next year."
    )
    assert trim_sentence(kept, 150) == (
        "With the harbour closed, the Kelso council moved the ferry service to Lorne, which has "
        "a deeper quay and a rail link to the capital."
    )
