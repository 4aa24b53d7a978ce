"""The per-channel posting pace every worker shares: one row per channel holding when its
next post may go out, on the database's clock (workers' clocks may disagree; the database's
is the one they share). Each call is one statement, so concurrent workers get distinct slots.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

_NOW_PG = "extract(epoch from clock_timestamp())"
_NOW_SQLITE = "(julianday('now') - 2440587.5) * 86400.0"


def _sql(session: Session) -> tuple[str, str]:
    """(the database's clock in epoch seconds, its two-argument maximum)."""
    if session.get_bind().dialect.name == "postgresql":
        return _NOW_PG, "GREATEST"
    return _NOW_SQLITE, "MAX"


def reserve(session: Session, team_id: str, channel_id: str, interval: float) -> float:
    """Take the channel's next slot; the seconds to wait until it (0 when it is now)."""
    now, greatest = _sql(session)
    row = session.execute(
        text(
            "INSERT INTO channel_pace (team_id, channel_id, next_at) "
            f"VALUES (:team, :channel, {now} + :interval) "
            "ON CONFLICT (team_id, channel_id) DO UPDATE SET next_at = "
            f"{greatest}(channel_pace.next_at, {now}) + :interval "
            f"RETURNING next_at - :interval - {now}"
        ),
        {"team": team_id, "channel": channel_id, "interval": interval},
    ).scalar_one()
    return max(0.0, float(row))


def answered(session: Session, team_id: str, channel_id: str, interval: float) -> None:
    """The post was answered: the next one keeps `interval` from now (a slow post arrived
    late, so the slot it was given says too little)."""
    now, greatest = _sql(session)
    session.execute(
        text(
            f"UPDATE channel_pace SET next_at = {greatest}(next_at, {now} + :interval) "
            "WHERE team_id = :team AND channel_id = :channel"
        ),
        {"team": team_id, "channel": channel_id, "interval": interval},
    )


def forget_past(session: Session, older_than: float) -> int:
    """Delete the rows of channels whose next slot passed more than `older_than` seconds ago
    (database clock). Such a row says nothing a missing one doesn't (`reserve` takes the later
    of the slot and now), so only channels that posted recently keep one. How many went."""
    now, _ = _sql(session)
    result = session.execute(
        text(f"DELETE FROM channel_pace WHERE next_at < {now} - :older_than"),
        {"older_than": older_than},
    )
    return int(getattr(result, "rowcount", 0) or 0)
