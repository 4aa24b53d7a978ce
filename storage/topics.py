"""Topics: a name, the keywords that match articles, and the sources attached to it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Source, Topic, TopicSource, utcnow

MAX_TOPIC_NAME = 100


def normalize_name(name: str) -> str:
    """Topic names are case- and space-insensitive: "  Ukraine " and "ukraine" are one topic."""
    return " ".join(name.split()).lower()


def get(session: Session, name: str) -> Topic | None:
    return session.scalar(select(Topic).where(Topic.name == normalize_name(name)))


def get_or_create(session: Session, name: str, keywords: Sequence[str] | None = None) -> Topic:
    topic = get(session, name)
    if topic is None:
        normalized = normalize_name(name)
        if not normalized:
            raise ValueError("a topic needs a name")
        topic = Topic(
            name=normalized[:MAX_TOPIC_NAME],
            keywords=list(keywords) if keywords else [normalized],
            created_at=utcnow(),
        )
        session.add(topic)
        session.flush()
    elif keywords:
        topic.keywords = list(keywords)
    return topic


def list_all(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).order_by(Topic.name)))


def attach_source(session: Session, topic: Topic, source: Source) -> bool:
    """Attach; False when it was already attached."""
    exists = session.get(TopicSource, (topic.id, source.id))
    if exists is not None:
        return False
    session.add(TopicSource(topic_id=topic.id, source_id=source.id))
    session.flush()
    return True


def detach_source(session: Session, topic: Topic, source: Source) -> bool:
    result = session.execute(
        delete(TopicSource).where(
            TopicSource.topic_id == topic.id, TopicSource.source_id == source.id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def get_by_id(session: Session, topic_id: int) -> Topic | None:
    return session.get(Topic, topic_id)
