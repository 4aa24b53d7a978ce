"""Shared formatting: titles, dates, windows, labels, cleaning and trimming."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.render.common import (
    clean,
    clean_paragraphs,
    fmt_date,
    fmt_window,
    slack_len,
    summarizer_label,
    topic_title,
    trim,
)


@pytest.mark.parametrize(
    ("topic", "title"),
    [
        ("ukraine", "Ukraine"),
        ("middle east", "Middle East"),
        ("eu ai act", "EU AI Act"),
        ("trade with the us", "Trade with the US"),
        ("the iPhone launch", "The iPhone Launch"),
        ("covid-19  vaccines", "Covid-19 Vaccines"),
        ("", ""),
    ],
)
def test_topic_title(topic: str, title: str) -> None:
    assert topic_title(topic) == title


def d(month: int, day: int, year: int = 2025, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_dates_and_windows() -> None:
    assert fmt_date(d(3, 4)) == "4 Mar 2025"
    assert fmt_window(d(3, 11), d(3, 14)) == "11–14 Mar 2025"
    assert fmt_window(d(2, 28), d(3, 3)) == "28 Feb – 3 Mar 2025"
    assert fmt_window(d(12, 30, 2024), d(1, 2)) == "30 Dec 2024 – 2 Jan 2025"
    assert fmt_window(d(3, 14, hour=1), d(3, 14, hour=20)) == "14 Mar 2025"
    # A window ending exactly at midnight ends the day before.
    assert fmt_window(d(3, 11, hour=0), d(3, 15, hour=0)) == "11–14 Mar 2025"


def test_summarizer_label() -> None:
    assert summarizer_label("extractive") == "offline summary"
    assert summarizer_label("llm:gpt-4o-mini") == "LLM: gpt-4o-mini"
    assert summarizer_label("something else") == "something else"


def test_clean_removes_control_and_bidi_characters() -> None:
    assert clean("a\x1b[31mred\x1b[0m\u202eb\n\tc  d") == "a [31mred [0mb c d"
    assert clean(None) == ""
    assert clean_paragraphs("one\ntwo\n\n\nthree\r\n\r\n") == ["one two", "three"]


def test_trim_cuts_at_a_word_boundary() -> None:
    assert trim("short", 10) == "short"
    assert trim("the quick brown fox jumps", 16) == "the quick brown…"
    assert len(trim("x" * 50, 10)) == 10


def test_trim_never_cuts_an_entity_in_half() -> None:
    text = "aaaaaaaaaaaaaaaaaa&amp;bbbbbbb"
    out = trim(text, 22, entities=True)
    assert out == "aaaaaaaaaaaaaaaaaa…"


def test_slack_len_counts_astral_characters_twice() -> None:
    assert slack_len("a😀") == 3
    out = trim("😀" * 100, 11, measure=slack_len)
    assert slack_len(out) <= 11


def test_trim_keeps_a_whole_entity_before_the_ellipsis() -> None:
    text = "hello &lt;@U123&gt; &amp; more words here"
    assert trim(text, 22, entities=True) == "hello &lt;@U123&gt;…"
    assert trim(text, 27, entities=True) == "hello &lt;@U123&gt; &amp;…"
    for limit in range(2, len(text)):
        out = trim(text, limit, entities=True)
        assert len(out) <= limit
        assert not re.search(r"&(?!amp;|lt;|gt;)", out), out
