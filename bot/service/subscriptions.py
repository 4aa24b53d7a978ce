"""Subscriptions: a channel's digest of a topic, in a rhythm, maybe paused, maybe filtered.
Returned as `SubscriptionInfo`, never as rows: the scheduler and Slack keep them past the
session that read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.service.pause import describe_pause, is_paused_at
from bot.service.rhythm import Rhythm, rhythm_or_daily
from bot.summarize.filters import Filters
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
    # Issue 16: see `storage.models.Subscription`.
    paused_until: datetime | None = None
    rhythm_text: str = "daily"
    filters_data: dict[str, Any] | None = field(default=None, compare=False)
    length: str = "full"
    language: str | None = None  # ISO 639-1; None: the workspace default (BRIEF_LANGUAGE)

    @property
    def at(self) -> str:
        """E.g. "08:00 Europe/Berlin"."""
        return f"{self.hour:02d}:{self.minute:02d} {self.timezone}"

    @property
    def rhythm(self) -> Rhythm:
        return rhythm_or_daily(self.rhythm_text)

    @property
    def filters(self) -> Filters:
        return Filters.from_dict(self.filters_data)

    def paused_at(self, moment: datetime) -> bool:
        """Whether a digest due at `moment` is skipped."""
        return is_paused_at(moment, paused=self.paused, paused_until=self.paused_until)

    def pause_text(self, now: datetime) -> str | None:
        """ "paused until Thu 24 Dec 2026" (None: not paused now)."""
        return describe_pause(
            now, paused=self.paused, paused_until=self.paused_until, tz_name=self.timezone
        )

    def describe(self) -> str:
        """ "weekly on Monday at 08:00 (Europe/Berlin)"."""
        return f"{self.rhythm.describe(self.hour, self.minute)} ({self.timezone})"


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
        paused_until=row.paused_until,
        rhythm_text=row.rhythm or "daily",
        filters_data=dict(row.filters) if isinstance(row.filters, dict) else None,
        length=row.length or "full",
        language=row.language,
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
        rhythm: Rhythm | None = None,
        length: str | None = None,
        now: datetime | None = None,
        filters: Filters | None = None,
        language: str | None = None,
    ) -> tuple[SubscriptionInfo, bool]:
        """Create, or move the time of, the channel's digest of `topic` (created if need be);
        subscribing again resumes a paused one. `rhythm`/`length`/`filters` None: keep (new:
        daily, full, none); `language` None: keep (new: the workspace default), "": back to
        the default. True: created."""
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
                rhythm=rhythm.text if rhythm is not None else None,
                length=length,
                now=now,
                language=language,
            )
            if filters is not None:  # in the same transaction: no digest sees half a change
                subscription_store.set_filters(row, filters.to_dict())
                session.flush()
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

    def pause(
        self, *, team_id: str, channel_id: str, topic: str, until: datetime | None
    ) -> SubscriptionInfo | None:
        """Pause the channel's digest of `topic` until `until` (None: no end date); None when
        the channel has no such digest."""
        with transaction(self._factory) as session:
            row = self._find(session, team_id, channel_id, topic)
            if row is None:
                return None
            subscription_store.pause(row, until=until)
            session.flush()
            return _info(row)

    def resume(
        self, *, team_id: str, channel_id: str, topic: str, now: datetime
    ) -> SubscriptionInfo | None:
        """Resume the channel's digest of `topic` (already running: unchanged)."""
        with transaction(self._factory) as session:
            row = self._find(session, team_id, channel_id, topic)
            if row is None:
                return None
            if is_paused_at(now, paused=row.paused, paused_until=row.paused_until):
                subscription_store.resume(row, now=now)
                session.flush()
            return _info(row)

    def set_filters(
        self, *, team_id: str, channel_id: str, topic: str, filters: Filters
    ) -> SubscriptionInfo | None:
        with transaction(self._factory) as session:
            row = self._find(session, team_id, channel_id, topic)
            if row is None:
                return None
            subscription_store.set_filters(row, filters.to_dict())
            session.flush()
            return _info(row)

    @staticmethod
    def _find(session: Session, team_id: str, channel_id: str, topic: str) -> Subscription | None:
        topic_row = topic_store.get(session, topic)
        if topic_row is None:
            return None
        return subscription_store.find(session, team_id, channel_id, topic_row)

    def get(self, team_id: str, subscription_id: int) -> SubscriptionInfo | None:
        """The workspace's subscription of that id (None: gone, or another workspace's)."""
        with self._factory() as session:
            row = subscription_store.get(session, team_id, subscription_id)
            return None if row is None else _info(row)

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
        """The subscription, unless it is gone or paused with no end date (a job carries only
        its id; one paused until a date is still returned: its digests are skipped until then
        by `SubscriptionInfo.paused_at`)."""
        with self._factory() as session:
            row = subscription_store.get_any_team(session, subscription_id)
            return None if row is None or row.paused else _info(row)

    def topics_without_sources(self) -> list[str]:
        """Subscribed topics with no source of their own yet (they brief from a news search)."""
        with self._factory() as session:
            topics = {s.topic_id: s.topic for s in subscription_store.all_active(session)}
            return sorted(t.name for t in topics.values() if not source_store.list_all(session, t))
