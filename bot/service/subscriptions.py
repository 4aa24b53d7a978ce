"""Subscriptions: a channel's daily digest of a topic. Returned as `SubscriptionInfo`, never
as rows: the scheduler and Slack keep them past the session that read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import sources as source_store
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Subscription


@dataclass(frozen=True)
class SubscriptionInfo:
    id: int
    team_id: str
    channel_id: str
    topic_id: int
    topic: str
    hour: int
    minute: int
    timezone: str
    paused: bool
    created_at: datetime

    @property
    def at(self) -> str:
        """E.g. "08:00 Europe/Berlin"."""
        return f"{self.hour:02d}:{self.minute:02d} {self.timezone}"


def _info(row: Subscription) -> SubscriptionInfo:
    return SubscriptionInfo(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        topic_id=row.topic_id,
        topic=row.topic.name,
        hour=row.hour,
        minute=row.minute,
        timezone=row.timezone,
        paused=row.paused,
        created_at=row.created_at,
    )


class Subscriptions:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def subscribe(
        self,
        *,
        team_id: str,
        channel_id: str,
        topic: str,
        hour: int,
        minute: int,
        timezone: str,
        user_id: str | None,
    ) -> tuple[SubscriptionInfo, bool]:
        """Create, or move the time of, the channel's digest of `topic` (created if need be).
        True: created."""
        with transaction(self._factory) as session:
            topic_row = topic_store.get_or_create(session, topic)
            row, created = subscription_store.upsert(
                session,
                team_id=team_id,
                channel_id=channel_id,
                topic=topic_row,
                hour=hour,
                minute=minute,
                timezone=timezone,
                created_by=user_id,
            )
            return _info(row), created

    def unsubscribe(self, *, team_id: str, channel_id: str, topic: str) -> int | None:
        """Delete the channel's digest of `topic`; its id, or None when there was none."""
        with transaction(self._factory) as session:
            topic_row = topic_store.get(session, topic)
            found = (
                subscription_store.find(session, team_id, channel_id, topic_row)
                if topic_row
                else None
            )
            if found is None:
                return None
            subscription_id = found.id
            subscription_store.delete(session, found)
            return subscription_id

    def for_team(self, team_id: str, channel_id: str | None = None) -> list[SubscriptionInfo]:
        with self._factory() as session:
            return [_info(s) for s in subscription_store.for_team(session, team_id, channel_id)]

    def pause_team(self, team_id: str) -> list[int]:
        """Pause every subscription of the workspace; the ids paused."""
        with transaction(self._factory) as session:
            ids = [s.id for s in subscription_store.for_team(session, team_id)]
            subscription_store.pause_team(session, team_id)
            return ids

    def active(self) -> list[SubscriptionInfo]:
        with self._factory() as session:
            return [_info(s) for s in subscription_store.all_active(session)]

    def get_active(self, subscription_id: int) -> SubscriptionInfo | None:
        """The subscription, unless it is gone or paused (a job carries only its id)."""
        with self._factory() as session:
            row = subscription_store.get_any_team(session, subscription_id)
            return None if row is None or row.paused else _info(row)

    def topics_without_sources(self) -> list[str]:
        """Subscribed topics with no source of their own yet (they brief from a news search)."""
        with self._factory() as session:
            topics = {s.topic_id: s.topic for s in subscription_store.all_active(session)}
            return sorted(t.name for t in topics.values() if not source_store.list_all(session, t))
