"""When a daily digest is due: local wall-clock times in IANA zones, as aware UTC. Pure.

A subscription says "08:00 in Europe/Berlin". The scheduler fires a CronTrigger at that local
time; the digest job then asks `scheduled_time(now, ...)` which occurrence it is serving, and
that UTC instant is the key of the exactly-once claim. So the function must give the same
answer for every run that serves the same occurrence, including around DST changes:

- a gap (spring forward: 02:30 does not exist that day) resolves like zoneinfo's fold=0, i.e.
  with the offset in force before the change (02:30 EST == 03:30 EDT), which is also when
  APScheduler's CronTrigger fires;
- an overlap (fall back: 01:30 happens twice) always resolves to the *first* occurrence, so a
  trigger that fires at both serves one occurrence and the second run is a no-op.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["format_local", "local_occurrence", "parse_time", "scheduled_time", "valid_timezone"]

_TIME_RE = re.compile(r"^\s*(\d{1,2})(?::?(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def valid_timezone(name: str) -> bool:
    """True when `name` is an IANA zone this system knows ("Europe/Berlin", "UTC")."""
    if not name or not isinstance(name, str) or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_time(text: str) -> tuple[int, int]:
    """Parse "08:00" -> (8, 0). Also "8", "0830", "8:30pm", "12am". ValueError when not a time."""
    match = _TIME_RE.match(text or "")
    if not match:
        raise ValueError(f"not a time of day: {text!r} (use HH:MM, e.g. 08:00)")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(f"not a time of day: {text!r}")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"not a time of day: {text!r} (hours 0-23, minutes 0-59)")
    return hour, minute


def local_occurrence(day: datetime, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """HH:MM on `day`'s local date in `zone`, as aware UTC (gap: fold=0; overlap: first)."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=0)
    return local.astimezone(UTC)


def scheduled_time(now_utc: datetime, hour: int, minute: int, tz_name: str) -> datetime:
    """The most recent occurrence (<= now) of HH:MM local time in `tz_name`, as aware UTC."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    zone = ZoneInfo(tz_name)
    today = now_utc.astimezone(zone)
    # Today's occurrence, or else yesterday's; two days back covers any offset change.
    for days_back in range(3):
        candidate = local_occurrence(today - timedelta(days=days_back), hour, minute, zone)
        if candidate <= now_utc:
            return candidate
    raise AssertionError("unreachable: a local time occurs at least once every two days")


def format_local(moment: datetime, tz_name: str) -> str:
    """`moment` as "Tue 10 Mar, 08:00" in the zone (for "Nothing new since …")."""
    local = moment.astimezone(ZoneInfo(tz_name))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
