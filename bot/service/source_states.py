"""The fetch state of a topic's sources, for the digest's source-health lines
(`bot.service.source_health`, pure). Returned as data, never as rows."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.service.source_health import SourceState
from storage import sources as source_store
from storage import topics as topic_store

__all__ = ["SourceStates"]


class SourceStates:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def for_topic(self, topic_id: int) -> list[SourceState]:
        with self._factory() as session:
            topic = topic_store.get_by_id(session, topic_id)
            if topic is None:
                return []
            return [
                SourceState(
                    url=s.url,
                    title=s.title,
                    failing_since=s.failing_since,
                    last_error=s.last_error,
                    outage_since=s.outage_since,
                    recovered_at=s.recovered_at,
                )
                for s in source_store.list_all(session, topic)
            ]
