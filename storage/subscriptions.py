"""Subscriptions: a channel's digest of a topic. Every query is scoped by team_id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Subscription, Topic, utcnow


def upsert(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    topic: Topic,
    hour: int,
    minute: int,
    timezone: str,
    created_by: str | None,
    rhythm: str | None = None,
    length: str | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> tuple[Subscription, bool]:
    """Create, or move the time of, the channel's subscription to the topic. True if created.

    Subscribing again resumes a paused subscription; `rhythm`/`length` None: keep (or default).
    """
    existing = session.scalar(
        select(Subscription).where(
            Subscription.team_id == team_id,
            Subscription.channel_id == channel_id,
            Subscription.topic_id == topic.id,
        )
    )
    if existing is not None:
        existing.hour, existing.minute, existing.timezone = hour, minute, timezone
        if rhythm is not None:
            existing.rhythm = rhythm
        if length is not None:
            existing.length = length
        if language is not None:  # "": back to the workspace default
            existing.language = language or None
        if existing.paused or (existing.paused_until and existing.paused_until > (now or utcnow())):
            resume(existing, now=now or utcnow())
        session.flush()
        return existing, False
    row = Subscription(
        team_id=team_id,
        channel_id=channel_id,
        topic_id=topic.id,
        hour=hour,
        minute=minute,
        timezone=timezone,
        created_by=created_by,
        created_at=utcnow(),
        paused=False,
        rhythm=rhythm or "daily",
        length=length or "full",
        language=language or None,
    )
    session.add(row)
    session.flush()
    return row, True


def get(session: Session, team_id: str, subscription_id: int) -> Subscription | None:
    row = session.get(Subscription, subscription_id)
    return row if row is not None and row.team_id == team_id else None


def get_any_team(session: Session, subscription_id: int) -> Subscription | None:
    """For the scheduler only: a job carries its subscription id, and the row its team."""
    return session.get(Subscription, subscription_id)


def find(session: Session, team_id: str, channel_id: str, topic: Topic) -> Subscription | None:
    return session.scalar(
        select(Subscription).where(
            Subscription.team_id == team_id,
            Subscription.channel_id == channel_id,
            Subscription.topic_id == topic.id,
        )
    )


def for_team(session: Session, team_id: str, channel_id: str | None = None) -> list[Subscription]:
    query = select(Subscription).where(Subscription.team_id == team_id)
    if channel_id is not None:
        query = query.where(Subscription.channel_id == channel_id)
    return list(session.scalars(query.order_by(Subscription.channel_id, Subscription.id)))


def all_active(session: Session) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription).where(Subscription.paused.is_(False)).order_by(Subscription.id)
        )
    )


def delete(session: Session, subscription: Subscription) -> None:
    session.delete(subscription)
    session.flush()


def pause_team(session: Session, team_id: str) -> int:
    rows = for_team(session, team_id)
    for row in rows:
        row.paused = True
    session.flush()
    return len(rows)


def pause(subscription: Subscription, *, until: datetime | None) -> None:
    """Pause until `until` (aware UTC), or with no end date (None)."""
    subscription.paused = until is None
    subscription.paused_until = until


def resume(subscription: Subscription, *, now: datetime) -> None:
    """Resume now. `paused_until` keeps when the pause ended: the next digest covers one
    rhythm's worth, not the paused days (`bot.service.rhythm.window_start`)."""
    subscription.paused = False
    subscription.paused_until = now


def set_filters(subscription: Subscription, filters: dict[str, Any] | None) -> None:
    subscription.filters = filters
