"""Topics: a name, the keywords that match articles, and the sources attached to it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Source, Subscription, Topic, TopicSource, utcnow

MAX_TOPIC_NAME = 100


def normalize_name(name: str) -> str:
    """Topic names are case- and space-insensitive: "  Ukraine " and "ukraine" are one topic."""
    return " ".join(name.split()).lower()


def get(session: Session, name: str) -> Topic | None:
    return session.scalar(select(Topic).where(Topic.name == normalize_name(name)))


def get_or_create(
    session: Session,
    name: str,
    keywords: Sequence[str] | None = None,
    *,
    team_id: str | None = None,
) -> Topic:
    """The topic, created if need be (`team_id`: the workspace asking for it, if new)."""
    topic = get(session, name)
    if topic is None:
        normalized = normalize_name(name)
        if not normalized:
            raise ValueError("a topic needs a name")
        topic = _create(session, normalized[:MAX_TOPIC_NAME], keywords, team_id)
    elif keywords:
        topic.keywords = list(keywords)
    return topic


def _create(
    session: Session, name: str, keywords: Sequence[str] | None, team_id: str | None
) -> Topic:
    """A new topic row; when another session created the same name between our look-up and
    this insert (two ingests, or a subscription and an ingest, of a new topic at once), theirs."""
    now = utcnow()
    topic = Topic(
        name=name,
        keywords=list(keywords) if keywords else [name],
        created_at=now,
        last_wanted_at=now,
        team_id=team_id,
    )
    try:
        with session.begin_nested():
            session.add(topic)
    except IntegrityError:
        theirs = get(session, name)
        if theirs is None:  # not a name clash: some other constraint
            raise
        if keywords:
            theirs.keywords = list(keywords)
        return theirs
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


def attach_new_source(session: Session, topic_ids: Collection[int], source: Source) -> list[int]:
    """Attach a source this session has just created (`sources.get_or_create_marked`) to the
    topics of `topic_ids` that still exist, in one statement: no link to it can exist yet,
    so none is looked for (`attach_source` reads each first). The ids attached, sorted."""
    wanted = sorted({int(i) for i in topic_ids})
    if not wanted:
        return []
    existing = select(Topic.id, literal(source.id)).where(Topic.id.in_(wanted))
    attached = session.scalars(
        insert(TopicSource)
        .from_select([TopicSource.topic_id, TopicSource.source_id], existing)
        .returning(TopicSource.topic_id)
    )
    return sorted(attached)


def detach_source(session: Session, topic: Topic, source: Source) -> bool:
    result = session.execute(
        delete(TopicSource).where(
            TopicSource.topic_id == topic.id, TopicSource.source_id == source.id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def get_by_id(session: Session, topic_id: int) -> Topic | None:
    return session.get(Topic, topic_id)


def touch(session: Session, topic_id: int, at: datetime) -> None:
    """Someone wants the topic now (a /brief, a subscription, a question)."""
    session.execute(
        update(Topic)
        .where(Topic.id == topic_id)
        .where(or_(Topic.last_wanted_at.is_(None), Topic.last_wanted_at < at))
        .values(last_wanted_at=at)
    )


def usage(session: Session) -> list[tuple[int, bool, datetime | None, str | None]]:
    """Every topic as (id, has a subscription, last wanted, workspace that asked for it)."""
    subscribed = select(Subscription.topic_id).distinct()
    rows = session.execute(
        select(Topic.id, Topic.id.in_(subscribed), Topic.last_wanted_at, Topic.team_id).order_by(
            Topic.id
        )
    )
    return [(int(i), bool(s), w, t) for i, s, w, t in rows]
