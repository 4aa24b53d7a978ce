"""Pausing a subscription: reading `until 2026-12-24` / `for 7d`, and whether it is paused at a
given time. Pure.

A subscription stores two things (`storage.models.Subscription`):

- `paused` True: paused with no end date, until `/brief resume`;
- `paused_until`: in the future, paused until then; in the past, when its last pause ended.

Paused "until 2026-12-24" means the digest resumes on that date: paused until its local
midnight in the subscription's time zone. "For 7d" is counted from now, so a daily digest
paused for 7 days misses exactly seven digests. Paused digests are skipped, never caught up.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserInputError

__all__ = [
    "MAX_PAUSE",
    "PAUSE_USAGE",
    "describe_pause",
    "is_paused_at",
    "parse_pause",
]

# A pause longer than this is a typo (2062 for 2026) more often than a plan; "no end date"
# (a plain `/brief pause ukraine`) is there for that.
MAX_PAUSE = timedelta(days=366)
PAUSE_USAGE = "`until 2026-12-24` or `for 7d` (days `d`, weeks `w`, hours `h`)"
_MAX_PAUSE_CHARS = 40
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SPAN = re.compile(
    r"^(\d{1,4})\s*(h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?)$",
)
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def parse_pause(
    text: str | None,
    *,
    now: datetime,
    tz_name: str,
    example: str = "/brief pause ukraine",
) -> datetime | None:
    """When a pause asked for with `text` ends, as aware UTC; None: no end date (empty text).

    A `UserInputError` saying what to type when `text` is neither `until <date>` nor
    `for <span>`, or the date is not in the future, or the pause is longer than a year.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join((text or "").lower().split())
    if not raw:
        return None
    usage = f"Type e.g. `{example} until 2026-12-24` or `{example} for 7d`."
    if len(raw) > _MAX_PAUSE_CHARS:
        raise UserInputError(f"That is not a pause. {usage}")
    verb, _, rest = raw.partition(" ")
    if verb == "until":
        end = _until(rest, now, tz_name, usage)
    elif verb == "for":
        end = now + _span(rest, usage)
    else:
        raise UserInputError(f"`{raw}` is not a pause. {usage}")
    if end - now > MAX_PAUSE:
        raise UserInputError(
            f"A pause is at most a year. For longer, pause with no end date (`{example}`) "
            "and resume when you want it back."
        )
    return end


def _until(text: str, now: datetime, tz_name: str, usage: str) -> datetime:
    match = _DATE.match(text.strip())
    if not match:
        raise UserInputError(f"`{text or '…'}` is not a date; write it as YYYY-MM-DD. {usage}")
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise UserInputError(f"{text} is not a date on the calendar. {usage}") from None
    zone = ZoneInfo(tz_name)
    # Resumes on that date: paused until its first moment there (midnight; fold=0 in a gap).
    end = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    if end <= now:
        today = now.astimezone(zone).date()
        raise UserInputError(
            f"{day.isoformat()} is not after today ({today.isoformat()} in {tz_name}). "
            "Give a later date, e.g. "
            f"`until {(today + timedelta(days=7)).isoformat()}`."
        )
    return end


def _span(text: str, usage: str) -> timedelta:
    match = _SPAN.match(text.strip())
    if not match:
        raise UserInputError(f"`{text or '…'}` is not a length of time. {usage}")
    count = int(match.group(1))
    if count == 0:
        raise UserInputError(f"A pause of zero is no pause. {usage}")
    return timedelta(hours=count * _UNIT_HOURS[match.group(2)[0]])


def is_paused_at(moment: datetime, *, paused: bool, paused_until: datetime | None) -> bool:
    """Whether a digest due at `moment` is skipped."""
    return paused or (paused_until is not None and moment < paused_until)


def describe_pause(
    now: datetime, *, paused: bool, paused_until: datetime | None, tz_name: str
) -> str | None:
    """For `/brief list` and replies: "paused until Thu 24 Dec 2026", "paused (until you
    resume it)"; None when not paused at `now`."""
    if paused:
        return "paused (until you resume it)"
    if paused_until is None or now >= paused_until:
        return None
    local = paused_until.astimezone(ZoneInfo(tz_name))
    when = f"{local:%a} {local.day} {local:%b %Y}"
    if (local.hour, local.minute) != (0, 0):
        when += f", {local:%H:%M}"
    return f"paused until {when}"
