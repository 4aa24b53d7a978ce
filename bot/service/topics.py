"""Topics and their sources: creating them, listing them, what a topic holds (`topic show`),
and removing a topic or one of its sources."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotFoundError, UserInputError
from bot.ingest.urls import canonical_url, classify_source, is_http_url
from bot.service.material import require_topic, topic_name
from bot.service.overview import TopicInfo as TopicInfo  # defined there: no ORM to import
from storage import articles as article_store
from storage import sources as source_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Source, Subscription, Topic

# Re-exported: the /brief parser bounds a topic name by it.
from storage.topics import MAX_TOPIC_NAME as MAX_TOPIC_NAME


@dataclass(frozen=True)
class SourceInfo:
    url: str
    kind: str
    last_ok_at: datetime | None
    last_error: str | None
    # Since when every fetch has failed (None: the last one worked); articles stored from it.
    failing_since: datetime | None = None
    article_count: int | None = None


@dataclass(frozen=True)
class SourceHealth:
    url: str
    kind: str
    last_ok_at: datetime | None
    last_error: str | None
    error_count: int


@dataclass(frozen=True)
class DigestSchedule:
    """A channel's daily digest of the topic, as `topic show` lists it."""

    team_id: str
    channel_id: str
    at: str  # "08:00 Europe/Berlin"
    paused: bool


@dataclass(frozen=True)
class TopicDetails:
    name: str
    keywords: tuple[str, ...]
    article_count: int
    sources: tuple[SourceHealth, ...]
    subscriptions: tuple[DigestSchedule, ...]


class Topics:
    """`check_url` refuses a URL briefbot may not fetch (a private address) before anything
    is stored."""

    def __init__(self, factory: sessionmaker[Session], *, check_url: Callable[[str], None]) -> None:
        self._factory = factory
        self._check_url = check_url

    # -- topics ----------------------------------------------------------------------------------

    def add(self, name: str, keywords: Sequence[str] = (), feeds: Sequence[str] = ()) -> TopicInfo:
        name = topic_name(name)
        clean_keywords = [k.strip() for k in keywords if k.strip()]
        for url in feeds:
            self._check_url(url)  # refuse private addresses before storing anything
        with transaction(self._factory) as session:
            topic = topic_store.get_or_create(session, name, clean_keywords or None)
            for url in feeds:
                source = source_store.get_or_create(session, "feed", canonical_url(url))
                topic_store.attach_source(session, topic, source)
        return self.info(name)

    def list(self) -> list[TopicInfo]:
        with self._factory() as session:
            names = [t.name for t in topic_store.list_all(session)]
        return [self.info(n) for n in names]

    def names(self) -> list[str]:
        with self._factory() as session:
            return [t.name for t in topic_store.list_all(session)]

    def info(self, name: str) -> TopicInfo:
        with self._factory() as session:
            topic = require_topic(session, name)
            return TopicInfo(
                name=topic.name,
                keywords=tuple(topic.keywords),
                source_count=len(source_store.list_all(session, topic)),
                article_count=article_store.count(session, topic.id),
            )

    def topic_id(self, name: str) -> int | None:
        with self._factory() as session:
            topic = topic_store.get(session, name)
            return topic.id if topic is not None else None

    def has_sources(self, name: str) -> bool:
        with self._factory() as session:
            topic = topic_store.get(session, name)
            return bool(topic and source_store.list_all(session, topic))

    def recent_article_count(self, name: str, since: datetime) -> int:
        """Articles of the topic published (or fetched) since then; 0 for no such topic."""
        with self._factory() as session:
            topic = topic_store.get(session, name)
            return article_store.count(session, topic.id, since=since) if topic else 0

    def article_span(self, name: str) -> tuple[datetime, datetime] | None:
        """The first and last publication time of the topic's articles (None when it has none)."""
        with self._factory() as session:
            topic = require_topic(session, name)
            dates = [
                a.published_at or a.fetched_at for a in article_store.for_topic(session, topic.id)
            ]
        return (min(dates), max(dates)) if dates else None

    def details(self, name: str) -> TopicDetails:
        with self._factory() as session:
            topic = _require(session, name)
            return TopicDetails(
                name=topic.name,
                keywords=tuple(str(k) for k in topic.keywords or []),
                article_count=article_store.count(session, topic.id),
                sources=tuple(
                    SourceHealth(s.url, s.kind, s.last_ok_at, s.last_error, s.error_count or 0)
                    for s in source_store.list_all(session, topic)
                ),
                subscriptions=tuple(
                    DigestSchedule(
                        s.team_id,
                        s.channel_id,
                        f"{s.hour:02d}:{s.minute:02d} {s.timezone}",
                        s.paused,
                    )
                    for s in _subscriptions(session, topic)
                ),
            )

    def remove(self, name: str, *, force: bool) -> TopicDetails:
        """Delete the topic (its source links and subscriptions go with it; stored articles
        stay, they may belong to other topics). A topic with subscriptions is only removed with
        `force`: those channels' daily digests would stop."""
        found = self.details(name)
        active = [s for s in found.subscriptions if not s.paused]
        if active and not force:
            raise UserInputError(
                f"Topic {found.name!r} has {_plural(len(active), 'daily digest')} in Slack; "
                f"run `briefbot topic remove {found.name} --yes` to remove it and stop them."
            )
        with transaction(self._factory) as session:
            topic = _require(session, name)
            # Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign_keys on.
            session.execute(delete(Subscription).where(Subscription.topic_id == topic.id))
            session.delete(topic)
        return found

    # -- sources ---------------------------------------------------------------------------------

    def sources(self, name: str) -> list[SourceInfo]:
        with self._factory() as session:
            topic = require_topic(session, name)
            rows = source_store.list_all(session, topic)
            counts = source_store.article_counts(session, [s.id for s in rows])
            return [_source_info(s, counts.get(s.id, 0)) for s in rows]

    def add_source(self, name: str, url: str) -> SourceInfo:
        """Attach a feed or page URL to a topic (created if needed); fetched on next ingest."""
        classify_source(url)
        if not url.lower().startswith(("http://", "https://")):
            raise UserInputError("A source must be an http:// or https:// URL.")
        self._check_url(url)
        with transaction(self._factory) as session:
            topic = topic_store.get_or_create(session, topic_name(name))
            source = source_store.get_or_create(session, "feed", canonical_url(url))
            topic_store.attach_source(session, topic, source)
            return _source_info(source)

    def detach_url(self, name: str, url: str) -> bool:
        """Detach the source at `url` (as a user typed it); False when the topic has none such."""
        with transaction(self._factory) as session:
            topic = require_topic(session, name)
            source = source_store.get_by_url(session, canonical_url(url))
            return source is not None and topic_store.detach_source(session, topic, source)

    def remove_source(self, name: str, location: str) -> str:
        """Detach a source (URL or local path, as `topic show` lists it) from a topic; returns
        the stored URL removed. Articles already stored from it stay."""
        url = source_location(location)
        with transaction(self._factory) as session:
            topic = _require(session, name)
            source = source_store.get_by_url(session, url)
            if source is None or not topic_store.detach_source(session, topic, source):
                listed = [s.url for s in source_store.list_all(session, topic)]
                hint = f"its sources: {', '.join(listed[:5])}" if listed else "it has no sources"
                raise NotFoundError(f"Topic {topic.name!r} has no source {url} ({hint}).")
            return url


def normalize_name(name: str) -> str:
    """A topic name as it is stored and shown (case and spaces folded)."""
    return topic_store.normalize_name(name)


def source_location(location: str) -> str:
    """The stored URL of a source as the user names it: an http(s) URL or a local path."""
    location = location.strip()
    if is_http_url(location):
        return canonical_url(location)
    if location.lower().startswith("file://"):
        return location
    if not location:
        raise UserInputError("Give the source's URL or path, as `briefbot topic show` lists it.")
    return Path(location).expanduser().resolve().as_uri()


def _require(session: Session, name: str) -> Topic:
    """The topic, or a NotFoundError that lists the known topics (for the admin commands)."""
    topic = topic_store.get(session, topic_store.normalize_name(name))
    if topic is None:
        known = ", ".join(t.name for t in topic_store.list_all(session)[:10]) or "none yet"
        raise NotFoundError(f"No topic named {name.strip()!r} (topics: {known}).")
    return topic


def _subscriptions(session: Session, topic: Topic) -> list[Subscription]:
    query = select(Subscription).where(Subscription.topic_id == topic.id)
    return list(session.scalars(query.order_by(Subscription.team_id, Subscription.channel_id)))


def _source_info(source: Source, article_count: int | None = None) -> SourceInfo:
    return SourceInfo(
        source.url,
        source.kind,
        source.last_ok_at,
        source.last_error,
        source.failing_since,
        article_count,
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
