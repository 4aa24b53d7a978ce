"""Rhythms: reading them, when they run (across daylight-saving changes), what a digest covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.errors import UserInputError
from bot.jobs.timing import scheduled_time
from bot.service.rhythm import (
    DAILY,
    Rhythm,
    cron_fields,
    latest_run,
    next_run,
    parse_rhythm,
    previous_run,
    rhythm_or_daily,
    window_start,
)

BERLIN = "Europe/Berlin"  # 2026: summer time from Sun 29 Mar 02:00, back on Sun 25 Oct 03:00
NEW_YORK = "America/New_York"  # 2026: Sun 8 Mar 02:00 -> 03:00, Sun 1 Nov 02:00 -> 01:00


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", "daily"),
        ("daily", "daily"),
        ("Every day", "daily"),
        ("weekdays", "weekdays"),
        ("weekly on monday", "weekly on monday"),
        ("Weekly on Fri", "weekly on friday"),
        ("weekly sundays", "weekly on sunday"),
        ("twice daily at 08:00 and 17:00", "twice daily at 08:00 and 17:00"),
        ("twice daily at 17:30, 8:05", "twice daily at 08:05 and 17:30"),
        ("twice a day 07:00 and 19:00", "twice daily at 07:00 and 19:00"),
    ],
)
def test_rhythms_read_and_round_trip(text: str, canonical: str) -> None:
    rhythm = parse_rhythm(text)
    assert rhythm.text == canonical
    assert parse_rhythm(rhythm.text) == rhythm


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hourly", "`daily`, `weekdays`, `weekly on monday`"),
        ("weekly", "weekly on monday"),
        ("weekly on funday", "`funday` is not a day of the week"),
        ("twice daily at 08:00", "twice daily at 08:00 and 17:00"),
        ("twice daily at 08:00 and 25:00", "`25:00` is not a time of day"),
        ("twice daily at 08:00 and 08:00", "The two times must differ"),
        ("x" * 500, "not a rhythm"),
    ],
)
def test_bad_rhythms_say_what_to_type(text: str, says: str) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_rhythm(text, example="/brief subscribe ukraine at 08:00")
    message = str(raised.value)
    assert says in message
    assert "\n" not in message


def test_a_stored_rhythm_that_is_not_one_reads_as_daily() -> None:
    assert rhythm_or_daily("fortnightly") == DAILY
    assert rhythm_or_daily(None) == DAILY


def test_daily_runs_agree_with_the_daily_scheduler_around_both_changes() -> None:
    start = utc(2026, 3, 27)
    for hours in range(0, 24 * 5 * 2):  # every half hour over five days across the spring change
        now = start + timedelta(minutes=30 * hours)
        for hour, minute in ((2, 30), (8, 0), (0, 0)):
            assert latest_run(now, DAILY, hour, minute, BERLIN) == scheduled_time(
                now, hour, minute, BERLIN
            )
    start = utc(2026, 10, 30)
    for hours in range(0, 24 * 4 * 2):
        now = start + timedelta(minutes=30 * hours)
        assert latest_run(now, DAILY, 1, 30, NEW_YORK) == scheduled_time(now, 1, 30, NEW_YORK)


def test_weekly_across_the_spring_change_is_a_week_less_an_hour() -> None:
    weekly = parse_rhythm("weekly on sunday")
    # Sun 22 Mar 08:00 CET = 07:00 UTC; Sun 29 Mar 08:00 CEST = 06:00 UTC.
    assert next_run(utc(2026, 3, 22, 7), weekly, 8, 0, BERLIN) == utc(2026, 3, 29, 6)
    assert latest_run(utc(2026, 3, 28, 23), weekly, 8, 0, BERLIN) == utc(2026, 3, 22, 7)
    # The digest of the 29th covers the whole week since the previous one.
    scheduled = utc(2026, 3, 29, 6)
    assert window_start(scheduled, weekly, 8, 0, BERLIN, previous_until=None) == utc(2026, 3, 22, 7)
    local = scheduled.astimezone(ZoneInfo(BERLIN))
    assert (local.weekday(), local.hour, local.minute) == (6, 8, 0)


def test_twice_daily_across_the_autumn_change_keeps_local_times() -> None:
    twice = parse_rhythm("twice daily at 08:00 and 17:00")
    runs = []
    moment = utc(2026, 10, 31, 0)
    for _ in range(4):
        moment = next_run(moment, twice, 0, 0, NEW_YORK)
        runs.append(moment)
    # EDT (UTC-4) on Saturday, EST (UTC-5) from Sunday 1 Nov.
    assert runs == [
        utc(2026, 10, 31, 12),
        utc(2026, 10, 31, 21),
        utc(2026, 11, 1, 13),
        utc(2026, 11, 1, 22),
    ]
    # The 17:00 digest covers since 08:00; the 08:00 one since 17:00 the day before.
    assert previous_run(utc(2026, 11, 1, 22), twice, 0, 0, NEW_YORK) == utc(2026, 11, 1, 13)
    assert previous_run(utc(2026, 11, 1, 13), twice, 0, 0, NEW_YORK) == utc(2026, 10, 31, 21)


def test_gap_and_overlap_times_resolve_once() -> None:
    # 02:30 does not exist on 8 Mar in New York: the offset before the change (= 03:30 EDT).
    assert latest_run(utc(2026, 3, 8, 12), DAILY, 2, 30, NEW_YORK) == utc(2026, 3, 8, 7, 30)
    # 01:30 happens twice on 1 Nov: always the first (EDT, 05:30 UTC), even after the second.
    assert latest_run(utc(2026, 11, 1, 6, 45), DAILY, 1, 30, NEW_YORK) == utc(2026, 11, 1, 5, 30)


def test_weekdays_skip_the_weekend_and_monday_covers_it() -> None:
    weekdays = parse_rhythm("weekdays")
    saturday_noon = utc(2026, 12, 5, 12)
    assert latest_run(saturday_noon, weekdays, 8, 0, "UTC") == utc(2026, 12, 4, 8)
    assert next_run(saturday_noon, weekdays, 8, 0, "UTC") == utc(2026, 12, 7, 8)
    assert window_start(utc(2026, 12, 7, 8), weekdays, 8, 0, "UTC", previous_until=None) == utc(
        2026, 12, 4, 8
    )


def test_window_follows_the_previous_digest_but_not_a_pause() -> None:
    scheduled = utc(2026, 12, 10, 8)
    # A digest missed while the bot was down is not lost: since the previous digest's end.
    missed = utc(2026, 12, 7, 8, 1)
    assert window_start(scheduled, DAILY, 8, 0, "UTC", previous_until=missed) == missed
    # After a pause that ended since then: one rhythm's worth, the paused days not caught up.
    assert window_start(
        scheduled, DAILY, 8, 0, "UTC", previous_until=missed, paused_until=utc(2026, 12, 9)
    ) == utc(2026, 12, 9, 8)
    # A pause that ended before the previous digest changes nothing.
    recent = utc(2026, 12, 9, 8, 1)
    assert (
        window_start(
            scheduled, DAILY, 8, 0, "UTC", previous_until=recent, paused_until=utc(2026, 12, 1)
        )
        == recent
    )


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("daily", BERLIN),
        ("weekdays", NEW_YORK),
        ("weekly on sunday", BERLIN),
        ("twice daily at 08:00 and 17:00", NEW_YORK),
        ("twice daily at 01:30 and 17:45", NEW_YORK),
    ],
)
def test_apscheduler_fires_when_the_rhythm_says(text: str, tz: str) -> None:
    """The cron triggers built from `cron_fields` fire exactly at the rhythm's runs, across
    both daylight-saving changes of the year."""
    rhythm: Rhythm = parse_rhythm(text)
    triggers = [CronTrigger(timezone=ZoneInfo(tz), **f) for f in cron_fields(rhythm, 8, 0)]
    trigger = triggers[0] if len(triggers) == 1 else OrTrigger(triggers)
    repeats = 0
    for start in (utc(2026, 3, 1), utc(2026, 10, 20)):
        fired: datetime | None = None
        moment = start
        for _ in range(30):
            fired = trigger.get_next_fire_time(fired, moment)
            assert fired is not None
            expected = next_run(moment, rhythm, 8, 0, tz)
            if fired.astimezone(UTC) != expected:
                # An overlap time fires twice; the second is the same occurrence, an hour
                # later (its claim is taken: nothing is posted twice).
                second = fired.astimezone(UTC)
                assert latest_run(second, rhythm, 8, 0, tz) == second - timedelta(hours=1)
                repeats += 1
                moment = second
                continue
            moment = expected
    assert repeats == (1 if "01:30" in text else 0)
