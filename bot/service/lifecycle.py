"""Topics that don't pile up (issue 16 item 4).

`/brief <anything>` makes a topic whose news-search feed every ingest round would otherwise
poll for ever. Here: which topics an ingest round polls (a pure decision on each topic's use),
the per-workspace cap on topics asked for from Slack, and the removal of articles past
ARTICLE_RETENTION_DAYS.

A topic is *polled* while a channel subscribes to it (paused or not: it will want its digest),
or while someone wanted it (a /brief, a subscription, a question) within TOPIC_IDLE_DAYS. An
idle topic keeps its articles and comes back the moment someone asks for it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UserInputError
from bot.service.material import topic_name
from bot.settings import Settings
from storage import retention
from storage import sources as source_store
from storage import topics as topic_store
from storage.db import transaction

log = logging.getLogger(__name__)

# Articles (and briefs) removed per transaction: short write locks, bounded memory.
PRUNE_BATCH = 500


@dataclass(frozen=True)
class TopicUse:
    topic_id: int
    subscribed: bool
    last_wanted_at: datetime | None
    team_id: str | None = None


class TopicCapReached(UserInputError):
    """The workspace already has MAX_TOPICS_PER_WORKSPACE topics polled."""


# -- the pure decisions ------------------------------------------------------------------------


def is_polled(use: TopicUse, *, now: datetime, idle_days: int) -> bool:
    if idle_days <= 0 or use.subscribed:
        return True
    if use.last_wanted_at is None:
        return False
    return now - use.last_wanted_at < timedelta(days=idle_days)


def polled_topics(uses: Iterable[TopicUse], *, now: datetime, idle_days: int) -> frozenset[int]:
    """The topics an ingest round refreshes."""
    return frozenset(u.topic_id for u in uses if is_polled(u, now=now, idle_days=idle_days))


def workspace_topic_count(
    uses: Iterable[TopicUse], team_id: str, *, now: datetime, idle_days: int
) -> int:
    """Topics the workspace asked for that are still polled (an idle one costs nothing)."""
    return sum(
        1 for u in uses if u.team_id == team_id and is_polled(u, now=now, idle_days=idle_days)
    )


def retention_cutoff(now: datetime, retention_days: int) -> datetime | None:
    """Articles published before this are removed (None: ARTICLE_RETENTION_DAYS=0, keep all)."""
    return None if retention_days <= 0 else now - timedelta(days=retention_days)


def cap_message(cap: int, idle_days: int) -> str:
    idle = f", or wait for one nobody uses to go idle ({idle_days} days)" if idle_days > 0 else ""
    return (
        f"This workspace already follows {cap} topics, the most it may "
        f"(MAX_TOPICS_PER_WORKSPACE). Unsubscribe from one with `/brief unsubscribe TOPIC`"
        f"{idle}, then try again."
    )


# -- the use cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneReport:
    articles: int
    briefs: int
    finished: bool  # False: the deadline came first; the next run goes on


class Lifecycle:
    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._clock = clock

    def _uses(self, session: Session) -> list[TopicUse]:
        return [TopicUse(*row) for row in topic_store.usage(session)]

    def polled_topic_ids(self) -> frozenset[int] | None:
        """The topics the next ingest round polls; None: all (TOPIC_IDLE_DAYS=0)."""
        if self._settings.topic_idle_days <= 0:
            return None
        with self._factory() as session:
            uses = self._uses(session)
        return polled_topics(uses, now=self._clock(), idle_days=self._settings.topic_idle_days)

    def polled_source_urls(self) -> list[str]:
        """The URLs of the sources the next ingest round refreshes: each attached to a polled
        topic (on the task queue, one refresh task each)."""
        polled = self.polled_topic_ids()
        with self._factory() as session:
            return [
                row.url
                for row in source_store.list_all(session)
                if (ids := {t.id for t in row.topics}) and (polled is None or ids & polled)
            ]

    def want(self, name: str, team_id: str | None) -> bool:
        """Someone in `team_id` asks for the topic (a /brief or a subscription): it is polled
        again from now. A topic new to briefbot is created for the workspace, unless that
        would pass MAX_TOPICS_PER_WORKSPACE (`TopicCapReached`, its message for the user).
        True: the topic is new."""
        name = topic_name(name)
        now = self._clock()
        idle_days = self._settings.topic_idle_days
        cap = self._settings.max_topics_per_workspace
        with transaction(self._factory) as session:
            found = topic_store.get(session, name)
            if found is not None:
                topic_store.touch(session, found.id, now)
                return False
            if cap > 0 and team_id is not None:
                used = workspace_topic_count(
                    self._uses(session), team_id, now=now, idle_days=idle_days
                )
                if used >= cap:
                    raise TopicCapReached(cap_message(cap, idle_days))
            topic_store.get_or_create(session, name, team_id=team_id)
            return True

    def touch(self, name: str) -> None:
        """A question on the topic: it is wanted (never raises; a lost touch costs nothing)."""
        try:
            with transaction(self._factory) as session:
                found = topic_store.get(session, name)
                if found is not None:
                    topic_store.touch(session, found.id, self._clock())
        except Exception:
            log.warning("could not record that topic %r was wanted", name, exc_info=True)

    def prune(self, *, until: float) -> PruneReport:
        """Remove articles older than ARTICLE_RETENTION_DAYS (and briefs of windows wholly
        older), PRUNE_BATCH per transaction, until done or `until` (time.monotonic())."""
        cutoff = retention_cutoff(self._clock(), self._settings.article_retention_days)
        articles = briefs = 0
        if cutoff is None:
            return PruneReport(0, 0, True)
        while True:
            if time.monotonic() >= until:
                return PruneReport(articles, briefs, False)
            with transaction(self._factory) as session:
                ids = retention.old_brief_ids(session, cutoff, PRUNE_BATCH)
                briefs += retention.delete_briefs(session, ids)
            if len(ids) < PRUNE_BATCH:
                break
        while True:
            if time.monotonic() >= until:
                return PruneReport(articles, briefs, False)
            with transaction(self._factory) as session:
                ids = retention.old_article_ids(session, cutoff, PRUNE_BATCH)
                articles += retention.delete_articles(session, ids)
            if len(ids) < PRUNE_BATCH:
                return PruneReport(articles, briefs, True)
