"""Pauses: `until <date>` resumes on that date in the subscription's zone, `for 7d` skips seven
daily digests, bad input says what to type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import UserInputError
from bot.service.pause import describe_pause, is_paused_at, parse_pause
from bot.service.rhythm import DAILY, next_run

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_no_text_is_a_pause_with_no_end_date() -> None:
    assert parse_pause("", now=NOW, tz_name="UTC") is None
    assert is_paused_at(NOW + timedelta(days=400), paused=True, paused_until=None)
    assert describe_pause(NOW, paused=True, paused_until=None, tz_name="UTC") == (
        "paused (until you resume it)"
    )


def test_until_a_date_resumes_at_its_local_midnight() -> None:
    end = parse_pause("until 2026-12-24", now=NOW, tz_name="Europe/Kyiv")
    assert end == datetime(2026, 12, 23, 22, 0, tzinfo=UTC)  # 00:00 in Kyiv (UTC+2)
    # The 08:00 digest of the 23rd is skipped, that of the 24th goes out.
    assert is_paused_at(datetime(2026, 12, 23, 6, tzinfo=UTC), paused=False, paused_until=end)
    assert not is_paused_at(datetime(2026, 12, 24, 6, tzinfo=UTC), paused=False, paused_until=end)
    assert describe_pause(NOW, paused=False, paused_until=end, tz_name="Europe/Kyiv") == (
        "paused until Thu 24 Dec 2026"
    )
    assert describe_pause(end, paused=False, paused_until=end, tz_name="Europe/Kyiv") is None


def test_for_seven_days_skips_seven_daily_digests() -> None:
    end = parse_pause("for 7d", now=NOW, tz_name="UTC")
    assert end == NOW + timedelta(days=7)
    skipped, run = 0, NOW
    for _ in range(10):
        run = next_run(run, DAILY, 8, 0, "UTC")
        skipped += is_paused_at(run, paused=False, paused_until=end)
    assert skipped == 7
    assert parse_pause("for 2 weeks", now=NOW, tz_name="UTC") == NOW + timedelta(days=14)
    assert parse_pause("for 12h", now=NOW, tz_name="UTC") == NOW + timedelta(hours=12)
    assert parse_pause("FOR 3 days", now=NOW, tz_name="UTC") == NOW + timedelta(days=3)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("tomorrow", "`tomorrow` is not a pause. Type e.g. `/brief pause ukraine until"),
        ("until 24/12/2026", "write it as YYYY-MM-DD"),
        ("until 2026-02-30", "not a date on the calendar"),
        ("until 2026-11-30", "is not after today (2026-12-01 in UTC)"),
        ("until 2026-12-01", "is not after today"),
        ("until 2062-12-24", "A pause is at most a year"),
        ("for ever", "`ever` is not a length of time"),
        ("for 0d", "A pause of zero is no pause"),
        ("for 400d", "A pause is at most a year"),
        ("until " + "9" * 200, "That is not a pause"),
    ],
)
def test_bad_pauses_say_what_to_type(text: str, says: str) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_pause(text, now=NOW, tz_name="UTC", example="/brief pause ukraine")
    assert says in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_past_end_is_not_a_pause() -> None:
    ended = NOW - timedelta(days=1)
    assert not is_paused_at(NOW, paused=False, paused_until=ended)
    assert describe_pause(NOW, paused=False, paused_until=ended, tz_name="UTC") is None
