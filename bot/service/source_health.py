"""Which sources a digest names: one failing for longer than SOURCE_ALERT_AFTER_HOURS, once,
and once more when it works again. Pure.

No per-channel bookkeeping is needed for "once": each digest looks at what happened since the
previous digest of its channel (its window is contiguous with the previous one's), and a
source crosses the alert threshold, or recovers, at one instant, which lies in exactly one of
those windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

__all__ = ["MAX_NOTES", "SourceState", "health_notes", "source_name"]

# A digest names at most this many sources, then "and N more" (a topic with dozens of feeds
# behind one dead aggregator must not bury the digest).
MAX_NOTES = 3
_MAX_ERROR_CHARS = 160


@dataclass(frozen=True)
class SourceState:
    url: str
    title: str | None
    failing_since: datetime | None
    last_error: str | None
    outage_since: datetime | None
    recovered_at: datetime | None


def source_name(url: str, title: str | None) -> str:
    """What a person calls a source: its title, else its site."""
    if title and title.strip():
        return " ".join(title.split())[:80]
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return (host or url)[:80].removeprefix("www.")


def _when(moment: datetime, tz_name: str) -> str:
    local = moment.astimezone(ZoneInfo(tz_name))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def _error(text: str | None) -> str:
    line = " ".join((text or "unknown error").split())
    return line if len(line) <= _MAX_ERROR_CHARS else line[: _MAX_ERROR_CHARS - 1] + "…"


def health_notes(
    sources: Sequence[SourceState],
    *,
    since: datetime,
    now: datetime,
    alert_after: timedelta,
    tz_name: str,
) -> list[str]:
    """Plain-text lines for the digest covering (since, now]: each source whose failure
    became older than `alert_after` in that span, and each that recovered in it after failing
    at least that long."""
    notes: list[str] = []
    for source in sources:
        name = source_name(source.url, source.title)
        if source.failing_since is not None:
            if since < source.failing_since + alert_after <= now:
                notes.append(
                    f"Source {name} has failed since {_when(source.failing_since, tz_name)}: "
                    f"last error: {_error(source.last_error)}"
                )
        elif (
            source.recovered_at is not None
            and source.outage_since is not None
            and since < source.recovered_at <= now
            and source.recovered_at - source.outage_since >= alert_after
        ):
            notes.append(
                f"Source {name} works again since {_when(source.recovered_at, tz_name)} "
                f"(it had failed since {_when(source.outage_since, tz_name)})."
            )
    if len(notes) > MAX_NOTES:
        rest = len(notes) - MAX_NOTES + 1
        notes = [*notes[: MAX_NOTES - 1], f"…and {rest} more sources: see `/brief sources`."]
    return notes
