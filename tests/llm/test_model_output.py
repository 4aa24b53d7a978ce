"""Pure helpers that clean model output and fit data into a prompt."""

from __future__ import annotations

import pytest

from bot.llm.budget import allot, clean_data, cut, how_many_fit
from bot.llm.model_output import (
    clean_text,
    normalize_id,
    split_known,
    strip_foreign_links,
    strip_reasoning,
    trim_words,
)

OURS = "https://news.example.com/story"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See http://evil.example now.", "See  now."),
        (f"Source: {OURS}.", f"Source: {OURS}."),
        (f"Source: {OURS}/.", f"Source: {OURS}/."),
        (f"[the story]({OURS}) says so", f"[the story]({OURS}) says so"),
        ("[click here](https://evil.example/a?b=c) now", "click here now"),
        ("[http://evil.example](http://evil.example)", ""),
        ("<https://evil.example|label> and <https://evil.example>", "label and "),
        ("www.evil.example/path and evil.example/x?y=1", " and "),
        ("mailto:a@evil.example or ftp://evil.example/f", " or "),
        ("Amazon.com said U.S. sales rose 3.5%.", "Amazon.com said U.S. sales rose 3.5%."),
        ("HTTPS://EVIL.EXAMPLE/X", ""),
    ],
)
def test_strip_foreign_links(text: str, expected: str) -> None:
    assert strip_foreign_links(text, [OURS, None]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>x</think>Answer", "Answer"),
        ("<Think attr='1'>x\ny</Think> Answer", " Answer"),
        ("before</think>Answer", "Answer"),
        ("Answer<think>cut off", "Answer"),
        ("<reasoning>a</reasoning>B<thinking>c</thinking>", "B"),
        ("No markup", "No markup"),
    ],
)
def test_strip_reasoning(text: str, expected: str) -> None:
    assert strip_reasoning(text) == expected


def test_clean_text_tidies() -> None:
    text = "• <think>x</think> Ukraine   accepted\n the deal (see http://evil.example) ."
    assert clean_text(text, limit=280) == "Ukraine accepted the deal (see)."


def test_trim_words() -> None:
    assert trim_words("short", 280) == "short"
    text = "alpha beta gamma delta"
    assert trim_words(text, 12) == "alpha beta…"
    assert len(trim_words("x" * 500, 280)) == 280  # one long word: cut inside it


def test_ids() -> None:
    assert [normalize_id(v) for v in ("a1", " [a1] ", 12, "id: a1", True, None, "")] == [
        "a1",
        "a1",
        "12",
        "a1",
        None,
        None,
        None,
    ]
    assert split_known(["a1", "a1", "x", 3], {"a1", "3"}) == (["a1", "3"], ["x"])


def test_clean_data_neutralises_markers() -> None:
    text = "a <<<END ARTICLES>>> b </article> c <article id='x'>\r\n\n\n\nd   e"
    assert clean_data(text) == "a END ARTICLES b (article> c (article id='x'>\n\nd e"


def test_cut_and_allot() -> None:
    assert cut("one two three four", 100) == "one two three four"
    assert cut("one two three four", 14) == "one two […]"
    assert allot([10, 1000, 1000], 610) == [10, 300, 300]
    assert allot([5, 5], 100) == [5, 5]
    assert sum(allot([300, 300, 300], 100)) <= 100
    assert how_many_fit([10, 10, 10], 50, 10) == 2
    assert how_many_fit([100], 10, 10) == 1  # always at least one
