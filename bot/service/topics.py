"""Topic administration for the CLI: what a topic holds (`topic show`) and removing it or one
of its sources (`topic remove`, `source remove`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotFoundError, UserInputError
from bot.ingest.urls import canonical_url, is_http_url
from storage import articles as article_store
from storage import sources as source_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Subscription, Topic


@dataclass(frozen=True)
class SourceHealth:
    url: str
    kind: str
    last_ok_at: datetime | None
    last_error: str | None
    error_count: int


@dataclass(frozen=True)
class SubscriptionInfo:
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
    subscriptions: tuple[SubscriptionInfo, ...]


def _require(session: Session, name: str) -> Topic:
    topic = topic_store.get(session, topic_store.normalize_name(name))
    if topic is None:
        known = ", ".join(t.name for t in topic_store.list_all(session)[:10]) or "none yet"
        raise NotFoundError(f"No topic named {name.strip()!r} (topics: {known}).")
    return topic


def _subscriptions(session: Session, topic: Topic) -> list[Subscription]:
    query = select(Subscription).where(Subscription.topic_id == topic.id)
    return list(session.scalars(query.order_by(Subscription.team_id, Subscription.channel_id)))


def details(factory: sessionmaker[Session], name: str) -> TopicDetails:
    with factory() as session:
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
                SubscriptionInfo(
                    s.team_id, s.channel_id, f"{s.hour:02d}:{s.minute:02d} {s.timezone}", s.paused
                )
                for s in _subscriptions(session, topic)
            ),
        )


def remove(factory: sessionmaker[Session], name: str, *, force: bool) -> TopicDetails:
    """Delete the topic (its source links and subscriptions go with it; stored articles stay,
    they may belong to other topics). A topic with subscriptions is only removed with `force`:
    those channels' daily digests would stop."""
    found = details(factory, name)
    active = [s for s in found.subscriptions if not s.paused]
    if active and not force:
        raise UserInputError(
            f"Topic {found.name!r} has {_plural(len(active), 'daily digest')} in Slack; "
            f"run `briefbot topic remove {found.name} --yes` to remove it and stop them."
        )
    with transaction(factory) as session:
        topic = _require(session, name)
        # Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign_keys on.
        session.execute(delete(Subscription).where(Subscription.topic_id == topic.id))
        session.delete(topic)
    return found


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


def remove_source(factory: sessionmaker[Session], topic_name: str, location: str) -> str:
    """Detach a source from a topic; returns the stored URL removed. Articles already stored
    from it stay."""
    url = source_location(location)
    with transaction(factory) as session:
        topic = _require(session, topic_name)
        source = source_store.get_by_url(session, url)
        if source is None or not topic_store.detach_source(session, topic, source):
            listed = [s.url for s in source_store.list_all(session, topic)]
            hint = f"its sources: {', '.join(listed[:5])}" if listed else "it has no sources"
            raise NotFoundError(f"Topic {topic.name!r} has no source {url} ({hint}).")
        return url


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
