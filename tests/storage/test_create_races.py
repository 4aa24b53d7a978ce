"""Two sessions creating the same new topic or source at once (two ingests of a new topic, a
subscription beside an ingest): the one that inserts second gets the first one's row, not a
unique-constraint error that fails its whole ingest."""

from __future__ import annotations

import pytest

from storage import sources, topics
from storage.db import transaction
from tests.conftest import Database


def test_a_topic_created_meanwhile_by_another_session_is_reused(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(db.factory) as session:
        theirs = topics.get_or_create(session, "River Plan")
        their_id = theirs.id
    # Our look-up ran before their commit: it found nothing.
    real_get = topics.get
    looked = [False]

    def get_missing_once(session: object, name: str) -> object:
        if not looked[0]:
            looked[0] = True
            return None
        return real_get(session, name)  # type: ignore[arg-type]

    monkeypatch.setattr(topics, "get", get_missing_once)
    with transaction(db.factory) as session:
        ours = topics.get_or_create(session, "river plan", ["river", "plan"])
        assert ours.id == their_id
        assert ours.keywords == ["river", "plan"]
        # the session is still usable: the failed insert was rolled back to its savepoint
        assert topics.get_or_create(session, "flood banks").id != their_id
    with db.factory() as session:
        assert sorted(t.name for t in topics.list_all(session)) == ["flood banks", "river plan"]


def test_a_source_created_meanwhile_by_another_session_is_reused(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://news.example.com/feed.xml"
    with transaction(db.factory) as session:
        their_id = sources.get_or_create(session, "feed", url).id
    with transaction(db.factory) as session:
        real_scalar = session.scalar
        first = [True]

        def scalar_missing_once(*args: object, **kwargs: object) -> object:
            if first[0]:  # our look-up, before their commit
                first[0] = False
                return None
            return real_scalar(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(session, "scalar", scalar_missing_once)
        assert sources.get_or_create(session, "feed", url).id == their_id
    with db.factory() as session:
        assert [s.url for s in sources.list_all(session)] == [url]
