"""Reading a subscription's rhythm, length, pause and filters out of `/brief` text."""

from __future__ import annotations

import pytest

from bot.errors import UserInputError
from bot.slack.subscription_text import split_filter, split_pause, take_subscribe_options

EXAMPLE = "/brief subscribe ukraine at 08:00"


@pytest.mark.parametrize(
    ("text", "left", "rhythm", "length"),
    [
        ("ukraine at 08:00", "ukraine at 08:00", None, None),
        ("ukraine at 08:00 short", "ukraine at 08:00", None, "short"),
        ("ukraine at 08:00 weekly on monday", "ukraine at 08:00", "weekly on monday", None),
        (
            "ukraine weekly mon at 08:00 Europe/Kyiv full",
            "ukraine at 08:00 Europe/Kyiv",
            "weekly on monday",
            "full",
        ),
        ("river plan weekdays at 07:30", "river plan at 07:30", "weekdays", None),
        (
            "ukraine twice daily at 08:00 and 17:00 short",
            "ukraine",
            "twice daily at 08:00 and 17:00",
            "short",
        ),
        ("daily mail at 09:00", "daily mail at 09:00", None, None),
        ("short", "short", None, None),
    ],
)
def test_subscribe_options(text: str, left: str, rhythm: str | None, length: str | None) -> None:
    options = take_subscribe_options(text.split(), example=EXAMPLE)
    assert " ".join(options.words) == left
    assert (options.rhythm.text if options.rhythm else None) == rhythm
    assert options.length == length


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ukraine weekly", "weekly on monday"),
        ("ukraine weekly on caturday", "`caturday` is not a day of the week"),
        ("ukraine twice daily at 08:00", "twice daily at 08:00 and 17:00"),
        ("ukraine at 09:00 twice daily at 08:00 and 17:00", "takes its two times"),
    ],
)
def test_bad_subscribe_options_say_what_to_type(text: str, says: str) -> None:
    with pytest.raises(UserInputError) as raised:
        take_subscribe_options(text.split(), example=EXAMPLE)
    assert says in str(raised.value)


def test_pause_text() -> None:
    assert split_pause("ukraine until 2026-12-24") == ("ukraine", "until 2026-12-24")
    assert split_pause("river plan for 7d") == ("river plan", "for 7d")
    assert split_pause("river plan") == ("river plan", "")


def test_filter_text() -> None:
    topic, filters = split_filter("river plan -sport -outlet:example.com +kyiv", example="x")
    assert topic == "river plan"
    assert filters.text == "-sport -outlet:example.com +kyiv"
    assert split_filter("ukraine none", example="x")[1].is_empty
    with pytest.raises(UserInputError) as raised:
        split_filter("ukraine", example="/brief filter ukraine")
    assert "`/brief filter ukraine -sport -outlet:example.com +kyiv`" in str(raised.value)
