"""A short subscription shows each section's first bullets and only the sources they cite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import UserInputError
from bot.summarize.length import parse_length, shorten
from bot.summarize.model import ArticleInput, Bullet, build_brief

T = datetime(2026, 12, 1, tzinfo=UTC)


def test_short_keeps_the_first_bullets_and_their_sources() -> None:
    articles = [ArticleInput(id=str(i), title=f"A{i}", text="t") for i in range(1, 8)]
    brief = build_brief(
        topic="ukraine",
        articles=articles,
        sections={
            "key_provisions": [Bullet(f"Fact {i}.", (str(i),)) for i in range(1, 7)],
            "open_questions": [Bullet("Q1?", ("1",)), Bullet("Q2?", ("7",))],
            "next_steps": [],
        },
        since=T,
        until=T,
        generated_at=T,
        summarizer="extractive",
    )
    short = shorten(brief, "short")
    assert [b.text for b in short.sections["key_provisions"]] == ["Fact 1.", "Fact 2.", "Fact 3."]
    assert [b.text for b in short.sections["open_questions"]] == ["Q1?"]
    assert [s.id for s in short.sources] == ["1", "2", "3"]
    assert shorten(brief, "full") == brief
    assert len(brief.sections["key_provisions"]) == 6


def test_lengths_read_and_bad_ones_say_what_to_type() -> None:
    assert parse_length("Short") == "short"
    assert parse_length("") == "full"
    with pytest.raises(UserInputError) as raised:
        parse_length("tiny", example="/brief subscribe ukraine at 08:00")
    assert "`/brief subscribe ukraine at 08:00 short`" in str(raised.value)
