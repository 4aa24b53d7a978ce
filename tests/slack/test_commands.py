"""`/brief` text parsing: every bad input gets a message that says what to type."""

from __future__ import annotations

import pytest

from bot.slack.command_text import (
    BriefCmd,
    HelpCmd,
    ListCmd,
    SourcesCmd,
    SubscribeCmd,
    UnsubscribeCmd,
    UsageError,
    parse,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ukraine", BriefCmd("ukraine")),
        ("  Middle   East ", BriefCmd("middle east")),
        ("help", HelpCmd()),
        ("list", ListCmd()),
        ("subscribe ukraine", SubscribeCmd("ukraine", 8, 0, None)),
        ("subscribe ukraine at 7:30", SubscribeCmd("ukraine", 7, 30, None)),
        (
            "subscribe eu ai act at 18:05 Europe/Berlin",
            SubscribeCmd("eu ai act", 18, 5, "Europe/Berlin"),
        ),
        ("unsubscribe ukraine", UnsubscribeCmd("ukraine")),
        ("sources ukraine", SourcesCmd("ukraine")),
        (
            "sources ukraine add https://x.example.com/rss",
            SourcesCmd("ukraine", "add", "https://x.example.com/rss"),
        ),
        (
            "sources ukraine add <https://x.example.com/rss|x>",
            SourcesCmd("ukraine", "add", "https://x.example.com/rss"),
        ),
        (
            "sources ukraine remove https://x.example.com/rss",
            SourcesCmd("ukraine", "remove", "https://x.example.com/rss"),
        ),
    ],
)
def test_parses(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "/brief ukraine"),
        ("   ", "/brief ukraine"),
        ("x" * 10_000, "at most 500"),
        ("<!channel>", "/brief ukraine"),
        ("<@U123> news", "/brief ukraine"),
        ("*bold* _it_", "/brief ukraine"),
        ("'; DROP TABLE topics; --", "/brief ukraine"),
        ("subscribe", "/brief subscribe ukraine at 08:00"),
        ("subscribe ukraine at 25:00", "HH:MM"),
        ("subscribe ukraine at 8am", "HH:MM"),
        ("subscribe ukraine at 08:00 Mars/Olympus", "IANA"),
        ("unsubscribe", "/brief unsubscribe ukraine"),
        ("sources ukraine add", "URL"),
        ("sources ukraine add ftp://x", "http(s)"),
        ("list everything", "/brief list"),
    ],
)
def test_bad_input_says_what_to_type(text: str, hint: str) -> None:
    with pytest.raises(UsageError) as err:
        parse(text)
    assert hint in str(err.value)


def test_unicode_topics_are_fine() -> None:
    assert parse("Україна") == BriefCmd("україна")
    assert parse("إسرائيل") == BriefCmd("إسرائيل")
    with pytest.raises(UsageError):
        parse("🇺🇦 news")
