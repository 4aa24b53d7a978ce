"""Deliveries: what the bot posted where (briefs and digests), the exactly-once claims of
scheduled digests, and the Slack events already handled.

A brief is recorded before it is posted (`record_intent`), then given its ts
(`record_posted`); a digest is claimed (`claim`), then recorded as sent (`mark_sent`) or
failed. Each step is its own short transaction: nothing is held open while Slack or a
summarizer works.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import StorageError
from storage import briefs as brief_store
from storage import deliveries
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Delivery, utcnow

log = logging.getLogger(__name__)

# A brief that went out is recorded (its ts makes its thread answerable) for at most this long
# while the database is locked or unreachable, retrying with backoff.
RECORD_DEADLINE_SECONDS = 60.0
# A digest also carries the articles that reached its topic since the previous digest was
# claimed, less this margin (an ingest transaction still open then commits later), whatever
# their publication time: a story published before the last digest but fetched after it.
LATE_ARRIVAL_MARGIN = timedelta(minutes=15)
# Recording a post that went out is retried briefly: a lost record means a double post later.
_MARK_SENT_TRIES = 3
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DigestClaim:
    """The right to post one (subscription, scheduled time), and what the channel was told."""

    delivery_id: int
    attempts: int
    since: datetime | None  # the previous digest's window end
    previous_points: list[dict[str, Any]]
    # Late arrivals: articles linked to the topic since then (wall clock) are carried whatever
    # their publication time, except those the previous digest already covered.
    arrived_since: datetime | None = None
    previous_article_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class StaleClaim:
    delivery_id: int
    subscription_id: int | None
    scheduled_for: datetime | None
    attempts: int


@dataclass(frozen=True)
class PostedMessage:
    """A brief or digest the workspace was sent (App Home lists the latest)."""

    topic: str
    kind: str
    channel_id: str
    sent_at: datetime | None


class Deliveries:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    # -- briefs posted on request ----------------------------------------------------------------

    def record_intent(
        self,
        *,
        topic: str,
        brief_id: int,
        since: datetime,
        until: datetime,
        team_id: str,
        channel_id: str,
    ) -> int:
        """The delivery row of a brief about to be posted in `channel_id`; its id."""
        with transaction(self._factory) as session:
            topic_row = topic_store.get(session, topic)
            assert topic_row is not None
            return deliveries.record_intent(
                session,
                team_id=team_id,
                channel_id=channel_id,
                kind="brief",
                topic_id=topic_row.id,
                brief_id=brief_id,
                since=since,
                until=until,
            ).id

    def record_posted(self, delivery_id: int, ts: str) -> bool:
        """Add the ts to the brief's record, retrying while the database is locked or away,
        up to RECORD_DEADLINE_SECONDS. False: it never landed (logged)."""
        deadline = time.monotonic() + RECORD_DEADLINE_SECONDS
        pause = 0.1
        while True:
            try:
                self.mark_posted(delivery_id, ts)
                return True
            except StorageError:
                left = deadline - time.monotonic()
                if left <= 0:
                    log.error(
                        "brief %s was posted (ts %s) but could not be recorded", delivery_id, ts
                    )
                    return False
                log.warning("recording brief %s: database busy; retrying", delivery_id)
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.5)

    def mark_posted(self, delivery_id: int, ts: str) -> None:
        with transaction(self._factory) as session:
            deliveries.mark_posted(session, delivery_id, ts)

    def mark_not_posted(self, delivery_id: int, error: str) -> None:
        try:
            with transaction(self._factory) as session:
                deliveries.mark_not_posted(session, delivery_id, error)
        except StorageError:  # left "posting": never a thread root
            log.warning("could not mark brief %s as not posted", delivery_id)

    def unrecorded_posts(
        self, team_id: str, channel_id: str, thread_ts: str, since: datetime
    ) -> list[int]:
        """Briefs recorded as "posting" in this channel since then and never given a ts —
        unless `thread_ts` is already a known thread root (then nothing is missing)."""
        with self._factory() as session:
            if deliveries.thread_root(session, team_id, channel_id, thread_ts) is not None:
                return []
            return deliveries.pending_posts(session, team_id, channel_id, since)

    # -- scheduled digests -----------------------------------------------------------------------

    def claim(
        self,
        *,
        subscription_id: int,
        scheduled_for: datetime,
        team_id: str,
        channel_id: str,
        topic_id: int,
        stale_after: timedelta,
    ) -> DigestClaim | None:
        """Claim the digest; None when another run has sent it or is sending it now."""
        with transaction(self._factory) as session:
            row = deliveries.claim(
                session,
                subscription_id=subscription_id,
                scheduled_for=scheduled_for,
                team_id=team_id,
                channel_id=channel_id,
                topic_id=topic_id,
                stale_after=stale_after,
            )
            if row is None:
                return None
            previous = deliveries.previous_digest(session, subscription_id, scheduled_for)
            if previous is None:
                return DigestClaim(row.id, row.attempts, None, [])
            # Articles stored while the previous digest was being made may have missed it:
            # look back a margin before its claim, and leave out what the digests claimed
            # since then (the previous one, usually) did cover.
            arrived_since = previous.claimed_at - LATE_ARRIVAL_MARGIN
            covered: dict[int, None] = {}
            for brief_id in deliveries.digest_brief_ids_since(
                session, subscription_id, arrived_since
            ):
                brief = brief_store.get_by_id(session, brief_id)
                if brief is not None:
                    covered.update(dict.fromkeys(int(i) for i in brief.article_ids or []))
            return DigestClaim(
                delivery_id=row.id,
                attempts=row.attempts,
                since=previous.until,
                previous_points=list(previous.points or []),
                arrived_since=arrived_since,
                previous_article_ids=tuple(covered),
            )

    def still_ours(self, claim: DigestClaim) -> bool:
        """Nobody took the claim over while we were briefing (a takeover bumps `attempts`)."""
        with self._factory() as session:
            row = session.get(Delivery, claim.delivery_id)
            return row is not None and row.status == "claimed" and row.attempts == claim.attempts

    def superseded(self, subscription_id: int, scheduled_for: datetime) -> bool:
        """A later digest of the subscription went out: posting this old one now would confuse."""
        with self._factory() as session:
            latest = deliveries.previous_digest(session, subscription_id, _END_OF_TIME)
            return (
                latest is not None
                and latest.scheduled_for is not None
                and latest.scheduled_for > scheduled_for
            )

    def exists(self, subscription_id: int, scheduled_for: datetime) -> bool:
        with self._factory() as session:
            return deliveries.exists(session, subscription_id, scheduled_for)

    def stale_claims(self, claimed_before: datetime) -> list[StaleClaim]:
        with self._factory() as session:
            return [
                StaleClaim(row.id, row.subscription_id, row.scheduled_for, row.attempts)
                for row in deliveries.stale_claims(session, claimed_before)
            ]

    def mark_sent(
        self,
        claim: DigestClaim,
        *,
        ts: str | None,
        brief_id: int,
        points: list[dict[str, Any]],
        since: datetime,
        until: datetime,
    ) -> None:
        for attempt in range(1, _MARK_SENT_TRIES + 1):
            try:
                with transaction(self._factory) as session:
                    row = session.get(Delivery, claim.delivery_id)
                    if row is None:
                        log.warning("digest delivery %s vanished before it was recorded", claim)
                        return
                    if row.status == "sent":
                        log.warning("digest delivery %s was already sent by another run", row.id)
                        return
                    deliveries.mark_sent(
                        session,
                        row,
                        ts=ts,
                        brief_id=brief_id,
                        points=points,
                        since=since,
                        until=until,
                    )
                return
            except Exception:
                if attempt == _MARK_SENT_TRIES:
                    log.exception("digest delivery %s was posted but not recorded", claim)
                    raise
                time.sleep(0.2 * attempt)

    def mark_failed(
        self,
        delivery_id: int,
        error: str,
        *,
        only_if_claimed_before: datetime | None = None,
    ) -> None:
        with transaction(self._factory) as session:
            row = session.get(Delivery, delivery_id)
            if row is None or row.status != "claimed":
                return
            if only_if_claimed_before is not None and row.claimed_at >= only_if_claimed_before:
                return  # someone took it over meanwhile
            deliveries.mark_failed(session, row, error)

    # -- the workspace's history -----------------------------------------------------------------

    def latest_for_team(self, team_id: str, limit: int = 10) -> list[PostedMessage]:
        with self._factory() as session:
            out = []
            for row in deliveries.latest_for_team(session, team_id, limit=limit):
                topic = topic_store.get_by_id(session, row.topic_id)
                out.append(
                    PostedMessage(
                        topic.name if topic else "?", row.kind, row.channel_id, row.sent_at
                    )
                )
            return out

    # -- Slack events already handled -------------------------------------------------------------

    def forget_events_before(self, cutoff: datetime) -> int:
        """Forget the ids of Slack events received before `cutoff` (Slack retries an event
        for minutes at most; after that its id only takes room). How many were forgotten."""
        with transaction(self._factory) as session:
            return deliveries.forget_events_before(session, cutoff)


def now() -> datetime:
    """Wall-clock time as claims are stamped with it (`storage.deliveries`)."""
    return utcnow()


__all__: Sequence[str] = [
    "LATE_ARRIVAL_MARGIN",
    "RECORD_DEADLINE_SECONDS",
    "Deliveries",
    "DigestClaim",
    "PostedMessage",
    "StaleClaim",
    "now",
]
