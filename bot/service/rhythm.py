"""How often a subscription's digest goes out, and which window each digest covers. Pure.

A rhythm is one of

- `daily` (the default): every day at the subscription's time;
- `weekdays`: Monday to Friday at that time;
- `weekly on monday` (any weekday): once a week at that time;
- `twice daily at 08:00 and 17:00`: every day at two times of its own.

It is stored as its canonical text (`Rhythm.text`, the `subscriptions.rhythm` column).

Times are local wall-clock times in the subscription's IANA zone, resolved to UTC exactly as
`bot.jobs.timing` resolves the daily time (and as APScheduler's CronTrigger fires): a time in
a spring-forward gap with the offset in force before the change (fold=0), a time that happens
twice in a fall-back overlap at its first occurrence. Every run serving the same occurrence
therefore names the same UTC instant, which is what the exactly-once digest claim is keyed on.

A digest covers the time since the rhythm's previous run: a weekly digest covers the week, the
17:00 half of a twice-daily digest the day since 08:00, Monday's weekday digest the weekend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.errors import UserInputError

__all__ = [
    "DAILY",
    "MAX_RHYTHM_CHARS",
    "RHYTHM_USAGE",
    "WEEKDAY_NAMES",
    "Rhythm",
    "cron_fields",
    "latest_run",
    "next_run",
    "parse_rhythm",
    "previous_run",
    "rhythm_or_daily",
    "window_start",
]

Kind = Literal["daily", "weekdays", "weekly", "twice_daily"]

WEEKDAY_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_RHYTHM_CHARS = 64
RHYTHM_USAGE = (
    "`daily`, `weekdays`, `weekly on monday` (any weekday) or `twice daily at 08:00 and 17:00`"
)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# Enough local days to find the previous or next run of any rhythm (weekly: 7) plus the day
# a UTC instant may lie on either side of its local date.
_SEARCH_DAYS = 9


@dataclass(frozen=True)
class Rhythm:
    kind: Kind = "daily"
    weekday: int | None = None  # weekly: 0 = Monday … 6 = Sunday
    times: tuple[tuple[int, int], ...] = ()  # twice daily: its two (hour, minute), in order

    @property
    def text(self) -> str:
        """The canonical text, as stored and as `parse_rhythm` reads it back."""
        if self.kind == "weekly":
            return f"weekly on {WEEKDAY_NAMES[self.weekday or 0]}"
        if self.kind == "twice_daily":
            first, second = (f"{h:02d}:{m:02d}" for h, m in self.times)
            return f"twice daily at {first} and {second}"
        return self.kind

    @property
    def title(self) -> str:
        """What a digest in this rhythm is called ("Weekly digest")."""
        return {
            "daily": "Daily digest",
            "weekdays": "Daily digest",
            "weekly": "Weekly digest",
            "twice_daily": "Digest",
        }[self.kind]

    def describe(self, hour: int, minute: int) -> str:
        """For `/brief list`: "weekly on Monday at 08:00"."""
        at = f"{hour:02d}:{minute:02d}"
        if self.kind == "weekly":
            return f"weekly on {WEEKDAY_NAMES[self.weekday or 0].capitalize()} at {at}"
        if self.kind == "twice_daily":
            return self.text.replace("twice daily", "twice a day")
        if self.kind == "weekdays":
            return f"weekdays at {at}"
        return f"daily at {at}"

    def digest_times(self, hour: int, minute: int) -> tuple[tuple[int, int], ...]:
        """The local times of day a digest goes out (the subscription's own, unless twice)."""
        return self.times if self.kind == "twice_daily" else ((hour, minute),)

    def runs_on(self, day: date) -> bool:
        if self.kind == "weekdays":
            return day.weekday() < 5
        if self.kind == "weekly":
            return day.weekday() == self.weekday
        return True


DAILY = Rhythm()


def parse_rhythm(text: str | None, *, example: str = "/brief subscribe ukraine at 08:00") -> Rhythm:
    """Read a rhythm; a `UserInputError` saying what to type when it is not one.

    `example` is the command the message shows the rhythm in ("… weekly on monday").
    """
    raw = " ".join((text or "").lower().split())
    if not raw:
        return DAILY
    if len(raw) > MAX_RHYTHM_CHARS:
        raise UserInputError(f"That is not a rhythm. Use {RHYTHM_USAGE}.")
    if raw in ("daily", "every day", "each day"):
        return DAILY
    if raw in ("weekdays", "every weekday", "on weekdays", "workdays"):
        return Rhythm("weekdays")
    words = raw.split()
    if words[0] == "weekly":
        rest = words[1:]
        if rest[:1] == ["on"]:
            rest = rest[1:]
        if len(rest) != 1:
            raise UserInputError(
                f"Say which day a weekly digest goes out: `{example} weekly on monday`."
            )
        day = _weekday(rest[0])
        if day is None:
            raise UserInputError(
                f"`{rest[0]}` is not a day of the week. Type e.g. `{example} weekly on monday`."
            )
        return Rhythm("weekly", weekday=day)
    if words[0] in ("twice", "2x"):
        return _twice(words, example)
    raise UserInputError(f"`{raw}` is not a rhythm. Use {RHYTHM_USAGE}.")


def rhythm_or_daily(text: str | None) -> Rhythm:
    """The stored rhythm, or daily when the stored text is not one (never raises: a bad row
    must not stop a digest)."""
    try:
        return parse_rhythm(text)
    except UserInputError:
        return DAILY


def _weekday(word: str) -> int | None:
    word = word.rstrip("s") if word.endswith("days") else word  # "mondays"
    for index, name in enumerate(WEEKDAY_NAMES):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _twice(words: list[str], example: str) -> Rhythm:
    usage = f"Type the two times, e.g. `{example} twice daily at 08:00 and 17:00`."
    rest = words[1:]
    for filler in (["daily"], ["a", "day"], ["per", "day"], ["at"]):
        if rest[: len(filler)] == filler:
            rest = rest[len(filler) :]
    spelled = " ".join(rest).replace(",", " ").replace(" and ", " ").split()
    if len(spelled) != 2:
        raise UserInputError(usage)
    times: list[tuple[int, int]] = []
    for word in spelled:
        match = _TIME.match(word)
        if not match:
            raise UserInputError(f"`{word}` is not a time of day (HH:MM). {usage}")
        times.append((int(match.group(1)), int(match.group(2))))
    if times[0] == times[1]:
        raise UserInputError(f"The two times must differ. {usage}")
    return Rhythm("twice_daily", times=(min(times), max(times)))


# -- when ---------------------------------------------------------------------------------------


def _occurrence(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    # fold=0: a gap time takes the offset before the change, an overlap time its first pass.
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=0).astimezone(UTC)


def _runs_around(
    moment: datetime, rhythm: Rhythm, hour: int, minute: int, tz_name: str
) -> list[datetime]:
    """Every run of the rhythm within `_SEARCH_DAYS` local days either side of `moment`."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    zone = ZoneInfo(tz_name)
    middle = moment.astimezone(zone).date()
    runs = []
    for offset in range(-_SEARCH_DAYS, _SEARCH_DAYS + 1):
        day = middle + timedelta(days=offset)
        if rhythm.runs_on(day):
            runs.extend(_occurrence(day, h, m, zone) for h, m in rhythm.digest_times(hour, minute))
    return sorted(set(runs))


def latest_run(now: datetime, rhythm: Rhythm, hour: int, minute: int, tz_name: str) -> datetime:
    """The most recent run at or before `now`, as aware UTC (the digest's scheduled time)."""
    return max(r for r in _runs_around(now, rhythm, hour, minute, tz_name) if r <= now)


def previous_run(
    before: datetime, rhythm: Rhythm, hour: int, minute: int, tz_name: str
) -> datetime:
    """The latest run strictly before `before`."""
    return max(r for r in _runs_around(before, rhythm, hour, minute, tz_name) if r < before)


def next_run(after: datetime, rhythm: Rhythm, hour: int, minute: int, tz_name: str) -> datetime:
    """The first run strictly after `after`."""
    return min(r for r in _runs_around(after, rhythm, hour, minute, tz_name) if r > after)


def window_start(
    scheduled_for: datetime,
    rhythm: Rhythm,
    hour: int,
    minute: int,
    tz_name: str,
    *,
    previous_until: datetime | None,
    paused_until: datetime | None = None,
    until: datetime | None = None,
) -> datetime:
    """Where the digest scheduled for `scheduled_for` starts its window.

    The first digest covers one rhythm's worth (since the rhythm's previous run: a day, the
    weekend, a week). Later ones cover since the previous digest's window ended, so a digest
    missed while the bot was down is not lost; except after a pause, which is not caught up:
    then the window is again one rhythm's worth. `until`: where the window ends (the digest
    runs a little after its time): the first window is one rhythm's worth back from there.
    """
    rhythm_start = previous_run(scheduled_for, rhythm, hour, minute, tz_name)
    if previous_until is None:
        return rhythm_start if until is None else until - (scheduled_for - rhythm_start)
    if paused_until is not None and previous_until < paused_until <= scheduled_for:
        return max(previous_until, rhythm_start)
    return previous_until


def cron_fields(rhythm: Rhythm, hour: int, minute: int) -> list[dict[str, str]]:
    """APScheduler CronTrigger fields, one dict per trigger (twice daily at times with
    different minutes needs two; the scheduler combines them with an OrTrigger). A daily
    rhythm names no day of the week, so its trigger is the one stored before rhythms existed
    (an unchanged trigger is not rewritten, which would drop a due run)."""
    day = {"weekdays": "mon-fri", "weekly": _CRON_DAYS[rhythm.weekday or 0]}.get(rhythm.kind)
    days = {"day_of_week": day} if day else {}
    times = rhythm.digest_times(hour, minute)
    if len({m for _, m in times}) == 1:
        hours = ",".join(str(h) for h, _ in times)
        return [{**days, "hour": hours, "minute": str(times[0][1])}]
    return [{**days, "hour": str(h), "minute": str(m)} for h, m in times]
