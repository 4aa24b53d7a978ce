"""Deliveries: messages the bot posted, and exactly-once claims for scheduled digests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Delivery, ProcessedEvent, utcnow


def record_post(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    ts: str,
    kind: str,
    topic_id: int,
    brief_id: int | None,
    points: list[Any] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Delivery:
    """Record a message already posted (a /brief answer): its ts is a thread root."""
    now = utcnow()
    row = Delivery(
        team_id=team_id,
        channel_id=channel_id,
        ts=ts,
        kind=kind,
        topic_id=topic_id,
        brief_id=brief_id,
        status="sent",
        claimed_at=now,
        sent_at=now,
        attempts=1,
        points=points,
        since=since,
        until=until,
    )
    session.add(row)
    session.flush()
    return row


def record_intent(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    kind: str,
    topic_id: int,
    brief_id: int | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Delivery:
    """Record a message about to be posted (status "posting", no ts yet). Recorded first, so a
    post whose record cannot be written is never made; `mark_posted` adds its ts."""
    row = Delivery(
        team_id=team_id,
        channel_id=channel_id,
        ts=None,
        kind=kind,
        topic_id=topic_id,
        brief_id=brief_id,
        status="posting",
        claimed_at=utcnow(),
        attempts=1,
        since=since,
        until=until,
    )
    session.add(row)
    session.flush()
    return row


def mark_posted(session: Session, delivery_id: int, ts: str) -> bool:
    """The recorded message went out at `ts`: it is a thread root from now on."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status="sent", ts=ts, sent_at=utcnow(), error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def pending_posts(
    session: Session, team_id: str, channel_id: str, claimed_since: datetime
) -> list[int]:
    """Messages recorded as about to be posted in this channel that never got their ts: posted
    but not recorded (database locked, process died), or never posted."""
    return [
        int(i)
        for i in session.scalars(
            select(Delivery.id).where(
                Delivery.team_id == team_id,
                Delivery.channel_id == channel_id,
                Delivery.status == "posting",
                Delivery.claimed_at >= claimed_since,
            )
        )
    ]


def mark_not_posted(session: Session, delivery_id: int, error: str) -> None:
    """The recorded message was not posted after all (Slack refused it)."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "posting")
        .values(status="failed", error=error[:2000])
        .execution_options(synchronize_session=False)
    )


def claim(
    session: Session,
    *,
    subscription_id: int,
    scheduled_for: datetime,
    team_id: str,
    channel_id: str,
    topic_id: int,
    stale_after: timedelta,
) -> Delivery | None:
    """Claim the right to post this (subscription, scheduled time). None: someone else has it.

    A claim older than `stale_after` that never reached "sent" belongs to a process that died
    between claiming and posting; it is taken over (and retried), never dropped.
    """
    now = utcnow()
    row = Delivery(
        team_id=team_id,
        channel_id=channel_id,
        kind="digest",
        topic_id=topic_id,
        subscription_id=subscription_id,
        scheduled_for=scheduled_for,
        status="claimed",
        claimed_at=now,
        attempts=1,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
        return row
    except IntegrityError:
        pass
    existing = session.scalar(
        select(Delivery).where(
            Delivery.subscription_id == subscription_id, Delivery.scheduled_for == scheduled_for
        )
    )
    if existing is None or existing.status == "sent":
        return None
    # Take over a stale claim atomically: only one process's UPDATE matches the old claimed_at.
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == existing.id,
            Delivery.status != "sent",
            Delivery.claimed_at == existing.claimed_at,
            Delivery.claimed_at < now - stale_after,
        )
        .values(claimed_at=now, attempts=Delivery.attempts + 1, status="claimed")
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    session.refresh(existing)
    return existing


def exists(session: Session, subscription_id: int, scheduled_for: datetime) -> bool:
    """Whether any delivery (claimed, sent or failed) exists for this scheduled time."""
    return (
        session.scalar(
            select(Delivery.id).where(
                Delivery.subscription_id == subscription_id,
                Delivery.scheduled_for == scheduled_for,
            )
        )
        is not None
    )


def mark_sent(
    session: Session,
    delivery: Delivery,
    *,
    ts: str | None,
    brief_id: int | None,
    points: list[Any] | None,
    since: datetime | None,
    until: datetime | None,
) -> None:
    delivery.status = "sent"
    delivery.ts = ts
    delivery.sent_at = utcnow()
    delivery.brief_id = brief_id
    delivery.points = points
    delivery.since = since
    delivery.until = until
    delivery.error = None
    session.flush()


def mark_failed(session: Session, delivery: Delivery, error: str) -> None:
    """A permanent failure (channel gone, bot removed): recorded, not retried."""
    delivery.status = "failed"
    delivery.error = error[:2000]
    session.flush()


def thread_root(session: Session, team_id: str, channel_id: str, ts: str) -> Delivery | None:
    """The brief or digest posted at (channel, ts) in this team, if the bot posted one there."""
    return session.scalar(
        select(Delivery).where(
            Delivery.team_id == team_id,
            Delivery.channel_id == channel_id,
            Delivery.ts == ts,
            Delivery.status == "sent",
        )
    )


def previous_digest(session: Session, subscription_id: int, before: datetime) -> Delivery | None:
    """The last digest of this subscription actually sent before `before`."""
    return session.scalar(
        select(Delivery)
        .where(
            Delivery.subscription_id == subscription_id,
            Delivery.status == "sent",
            Delivery.scheduled_for < before,
        )
        .order_by(Delivery.scheduled_for.desc())
        .limit(1)
    )


def digest_brief_ids_since(
    session: Session, subscription_id: int, claimed_since: datetime
) -> list[int]:
    """The briefs of this subscription's digests sent from claims made since then."""
    return [
        int(i)
        for i in session.scalars(
            select(Delivery.brief_id).where(
                Delivery.subscription_id == subscription_id,
                Delivery.status == "sent",
                Delivery.claimed_at >= claimed_since,
                Delivery.brief_id.is_not(None),
            )
        )
    ]


def latest_for_team(session: Session, team_id: str, limit: int = 10) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.team_id == team_id, Delivery.status == "sent")
            .order_by(Delivery.id.desc())
            .limit(limit)
        )
    )


def first_time_event(session: Session, event_id: str, team_id: str) -> bool:
    """True the first time an event id is seen; False for Slack's retries of it."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=utcnow()))
            session.flush()
        return True
    except IntegrityError:
        return False


def forget_events_before(session: Session, cutoff: datetime) -> int:
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def stale_claims(session: Session, claimed_before: datetime, limit: int = 100) -> list[Delivery]:
    """Digest claims still "claimed" (never sent or failed) and claimed before the cutoff:
    their process died, or hit a transient error, between claiming and posting."""
    return list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.kind == "digest",
                Delivery.status == "claimed",
                Delivery.claimed_at < claimed_before,
            )
            .order_by(Delivery.claimed_at, Delivery.id)
            .limit(limit)
        )
    )
