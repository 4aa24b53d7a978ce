"""`bot.jobs.timing`: the occurrence a digest run serves, in any zone, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.jobs.timing import format_local, parse_time, scheduled_time, valid_timezone


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_most_recent_occurrence_today_or_yesterday() -> None:
    # 08:00 in Berlin is 07:00 UTC in winter.
    assert scheduled_time(utc(2026, 3, 10, 7, 0), 8, 0, "Europe/Berlin") == utc(2026, 3, 10, 7)
    assert scheduled_time(utc(2026, 3, 10, 12, 0), 8, 0, "Europe/Berlin") == utc(2026, 3, 10, 7)
    assert scheduled_time(utc(2026, 3, 10, 6, 59), 8, 0, "Europe/Berlin") == utc(2026, 3, 9, 7)


def test_zones_east_and_west_of_utc() -> None:
    # Kolkata is UTC+5:30: 08:15 local is 02:45 UTC the same day.
    assert scheduled_time(utc(2026, 6, 1, 3), 8, 15, "Asia/Kolkata") == utc(2026, 6, 1, 2, 45)
    # Los Angeles (PDT, UTC-7): 23:30 local on 31 May is 06:30 UTC on 1 June.
    assert scheduled_time(utc(2026, 6, 1, 6, 0), 23, 30, "America/Los_Angeles") == utc(
        2026, 5, 31, 6, 30
    )
    assert scheduled_time(utc(2026, 6, 1, 6, 30), 23, 30, "America/Los_Angeles") == utc(
        2026, 6, 1, 6, 30
    )


def test_summer_time_moves_the_utc_instant() -> None:
    # Europe switches on 29 March 2026: 08:00 Berlin is 07:00 UTC before, 06:00 UTC after.
    assert scheduled_time(utc(2026, 3, 28, 9), 8, 0, "Europe/Berlin") == utc(2026, 3, 28, 7)
    assert scheduled_time(utc(2026, 3, 29, 9), 8, 0, "Europe/Berlin") == utc(2026, 3, 29, 6)


def test_dst_gap_resolves_where_the_cron_trigger_fires() -> None:
    # 8 March 2026, New York: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist.
    zone = ZoneInfo("America/New_York")
    fire = CronTrigger(hour=2, minute=30, timezone=zone).get_next_fire_time(
        None, datetime(2026, 3, 7, 12, tzinfo=zone)
    )
    assert fire is not None and fire.astimezone(UTC) == utc(2026, 3, 8, 7, 30)
    assert scheduled_time(fire.astimezone(UTC), 2, 30, "America/New_York") == utc(2026, 3, 8, 7, 30)
    # Between the jump and 03:30 EDT the day's occurrence has not come yet: yesterday's.
    assert scheduled_time(utc(2026, 3, 8, 7, 10), 2, 30, "America/New_York") == utc(
        2026, 3, 7, 7, 30
    )


def test_dst_overlap_serves_the_first_occurrence_only() -> None:
    # 1 November 2026, New York: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    first = utc(2026, 11, 1, 5, 30)
    assert scheduled_time(first, 1, 30, "America/New_York") == first
    # A trigger firing again at the second 01:30 serves the same occurrence: one digest.
    assert scheduled_time(utc(2026, 11, 1, 6, 30), 1, 30, "America/New_York") == first
    assert scheduled_time(utc(2026, 11, 2, 6, 29), 1, 30, "America/New_York") == first


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
)
def test_every_cron_fire_time_of_a_year_is_its_own_occurrence(zone: str) -> None:
    tz = ZoneInfo(zone)
    trigger = CronTrigger(hour=2, minute=15, timezone=tz)
    now = datetime(2026, 1, 1, tzinfo=tz)
    fire = None
    seen: set[datetime] = set()
    for _ in range(366):
        fire = trigger.get_next_fire_time(fire, now)
        assert fire is not None
        served = scheduled_time(fire.astimezone(UTC), 2, 15, zone)
        assert served <= fire
        assert fire - served < timedelta(hours=2)  # the same night, never yesterday's
        seen.add(served)
        now = fire.astimezone(UTC) + timedelta(minutes=1)  # UTC: wall-clock maths drops fold
    assert len(seen) >= 365


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        scheduled_time(datetime(2026, 3, 10, 8), 8, 0, "UTC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", (8, 0)),
        ("8:05", (8, 5)),
        ("23:59", (23, 59)),
        ("0730", (7, 30)),
        ("7", (7, 0)),
        ("8:30pm", (20, 30)),
        ("12am", (0, 0)),
        ("12 PM", (12, 0)),
    ],
)
def test_parse_time(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "8:60", "noon", "13pm", "8:5", "-1:00"])
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_valid_timezone() -> None:
    assert valid_timezone("Europe/Berlin")
    assert valid_timezone("UTC")
    assert not valid_timezone("Mars/Olympus_Mons")
    assert not valid_timezone("")
    assert not valid_timezone("../etc/passwd")
    assert not valid_timezone(" Europe/Berlin")


def test_format_local() -> None:
    assert format_local(utc(2026, 3, 10, 7), "Europe/Berlin") == "Tue 10 Mar, 08:00"
