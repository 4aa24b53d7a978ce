"""Migration 0011 (topics.last_wanted_at, topics.team_id), on SQLite and PostgreSQL: from the
previous head with rows in place, from a blank database, and back down without losing rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from storage import llm_calls, topics
from storage.db import downgrade, make_engine, session_factory, transaction, upgrade

_NEW = {"last_wanted_at", "team_id"}
_CREATED = "2026-11-01 08:00:00"


def _columns(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns("topics")}


def test_upgrade_from_previous_head_starts_existing_topics_at_their_creation(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0010")
    assert not _NEW & _columns(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO topics (id, name, keywords, created_at) "
                "VALUES (1, 'ukraine', '[]', :t)"
            ),
            {"t": _CREATED},
        )
        conn.execute(
            text(
                "INSERT INTO subscriptions (id, team_id, channel_id, topic_id, hour, minute, "
                "timezone, created_at, paused) VALUES (7, 'T1', 'C1', 1, 8, 0, 'UTC', :t, :p)"
            ),
            {"t": _CREATED, "p": False},
        )
    upgrade(engine)
    assert _columns(engine) >= _NEW
    factory = session_factory(engine)
    with factory() as session:
        assert topics.usage(session) == [(1, True, datetime(2026, 11, 1, 8, tzinfo=UTC), None)]

    downgrade(engine, "0010")
    assert not _NEW & _columns(engine)
    with engine.connect() as conn:
        # Columns dropped in place: the subscription was not cascaded away by a table rebuild.
        assert conn.execute(text("SELECT count(*) FROM subscriptions")).scalar() == 1
    upgrade(engine)
    assert _columns(engine) >= _NEW
    engine.dispose()


def test_from_blank_a_new_topic_is_wanted_now_and_touch_moves_it_forward(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        made = topics.get_or_create(session, "Ukraine", team_id="T9")
        topic_id, first = made.id, made.last_wanted_at
    assert first is not None
    later = datetime(2030, 1, 1, tzinfo=UTC)
    with transaction(factory) as session:
        topics.touch(session, topic_id, later)
        topics.touch(session, topic_id, first)  # never moves back
    with factory() as session:
        assert topics.usage(session) == [(topic_id, False, later, "T9")]
    engine.dispose()


def test_llm_calls_team_from_previous_head_and_blank(db_url: str) -> None:
    """Migration 0012 (llm_calls.team_id): old calls belong to no workspace; new ones count
    against their workspace's month."""
    engine = make_engine(db_url)
    upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO llm_calls (created_at, model, prompt_name, prompt_version, "
                "tokens_in, tokens_out, duration_ms, outcome) "
                "VALUES (:t, 'm', 'brief', 'v1', 500, 100, 10, 'ok')"
            ),
            {"t": _CREATED},
        )
    upgrade(engine)
    factory = session_factory(engine)
    since = datetime(2026, 11, 1, tzinfo=UTC)
    with transaction(factory) as session:
        assert llm_calls.tokens_since(session, "T1", since) == 0
        row = llm_calls.record(
            session,
            model="m",
            prompt_name="brief",
            prompt_version="v1",
            duration_ms=5,
            outcome="ok",
            tokens_in=30,
            tokens_out=12,
        )
        row.team_id = "T1"
    with factory() as session:
        assert llm_calls.tokens_since(session, "T1", since) == 42
        assert llm_calls.tokens_since(session, "T2", since) == 0
    downgrade(engine, "0011")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM llm_calls")).scalar() == 2
    engine.dispose()
