"""Migration 0008 (pause end, rhythm, filters, length on subscriptions), on SQLite and
PostgreSQL: from the previous head with rows in place, and back down without losing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from storage import subscriptions, topics
from storage.db import downgrade, make_engine, session_factory, transaction, upgrade

_NEW = {"paused_until", "rhythm", "filters", "length"}
_NOW = "2026-12-01 08:00:00"


def _columns(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns("subscriptions")}


def test_upgrade_from_previous_head_keeps_rows_and_defaults_them(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0007")
    assert not _NEW & _columns(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO topics (id, name, keywords, created_at) "
                "VALUES (1, 'ukraine', '[]', :t)"
            ),
            {"t": _NOW},
        )
        conn.execute(
            text(
                "INSERT INTO subscriptions (id, team_id, channel_id, topic_id, hour, minute, "
                "timezone, created_at, paused) VALUES (7, 'T1', 'C1', 1, 8, 0, 'Europe/Kyiv', :t, "
                ":p)"
            ),
            {"t": _NOW, "p": False},
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (id, team_id, channel_id, kind, topic_id, "
                "subscription_id, status, claimed_at, attempts) "
                "VALUES (3, 'T1', 'C1', 'digest', 1, 7, 'sent', :t, 1)"
            ),
            {"t": _NOW},
        )

    upgrade(engine)
    assert _columns(engine) >= _NEW
    factory = session_factory(engine)
    with factory() as session:
        row = subscriptions.get(session, "T1", 7)
        assert row is not None
        # An existing subscription stays what it was: a daily, unpaused, unfiltered digest.
        assert (row.rhythm, row.length, row.filters, row.paused_until) == (
            "daily",
            "full",
            None,
            None,
        )
    with transaction(factory) as session:
        row = subscriptions.get(session, "T1", 7)
        assert row is not None
        row.rhythm = "weekly on monday"
        row.length = "short"
        row.filters = {"exclude": ["sport"], "outlets": ["example.com"], "require": []}
        row.paused_until = datetime(2026, 12, 24, tzinfo=UTC)
    with factory() as session:
        row = subscriptions.get(session, "T1", 7)
        assert row is not None
        assert row.filters == {"exclude": ["sport"], "outlets": ["example.com"], "require": []}
        assert row.paused_until == datetime(2026, 12, 24, tzinfo=UTC)
        assert (row.rhythm, row.length) == ("weekly on monday", "short")

    downgrade(engine, "0007")
    assert not _NEW & _columns(engine)
    with engine.connect() as conn:
        # Dropping the columns did not rebuild the table (which would have set this to NULL).
        assert (
            conn.execute(text("SELECT subscription_id FROM deliveries WHERE id = 3")).scalar() == 7
        )
        assert conn.execute(text("SELECT count(*) FROM subscriptions")).scalar() == 1
    upgrade(engine)
    assert _columns(engine) >= _NEW
    engine.dispose()


def test_new_subscription_from_blank_database_gets_the_defaults(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        topic = topics.get_or_create(session, "ukraine")
        row, created = subscriptions.upsert(
            session,
            team_id="T1",
            channel_id="C1",
            topic=topic,
            hour=8,
            minute=0,
            timezone="UTC",
            created_by="U1",
        )
        assert created
    with factory() as session:
        row = subscriptions.for_team(session, "T1")[0]
        assert (row.rhythm, row.length, row.filters, row.paused_until) == (
            "daily",
            "full",
            None,
            None,
        )
    engine.dispose()


def test_pause_resume_and_subscribing_again(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    later = datetime(2026, 12, 24, tzinfo=UTC)
    with transaction(factory) as session:
        topic = topics.get_or_create(session, "ukraine")
        row, _ = subscriptions.upsert(
            session,
            team_id="T1",
            channel_id="C1",
            topic=topic,
            hour=8,
            minute=0,
            timezone="UTC",
            created_by="U1",
            rhythm="weekdays",
            length="short",
        )
        subscriptions.pause(row, until=later)
        subscriptions.set_filters(row, {"exclude": ["sport"], "outlets": [], "require": []})
    with factory() as session:
        # Paused until a date: still scheduled (the digest job skips it until then).
        (row,) = subscriptions.all_active(session)
        assert (row.paused, row.paused_until, row.rhythm, row.length) == (
            False,
            later,
            "weekdays",
            "short",
        )
        assert row.filters == {"exclude": ["sport"], "outlets": [], "require": []}
    with transaction(factory) as session:
        (row,) = subscriptions.for_team(session, "T1")
        subscriptions.pause(row, until=None)
    with factory() as session:
        assert subscriptions.all_active(session) == []  # no end date: unscheduled
    with transaction(factory) as session:
        topic = topics.get_or_create(session, "ukraine")
        # Subscribing again resumes it, keeping the rhythm and length not given.
        row, created = subscriptions.upsert(
            session,
            team_id="T1",
            channel_id="C1",
            topic=topic,
            hour=9,
            minute=0,
            timezone="UTC",
            created_by="U1",
            now=now,
        )
        assert not created
    with factory() as session:
        (row,) = subscriptions.all_active(session)
        assert (row.paused, row.paused_until, row.hour, row.rhythm) == (False, now, 9, "weekdays")
    engine.dispose()


def test_source_outages_are_recorded_and_migrated(db_url: str) -> None:
    from storage import sources

    engine = make_engine(db_url)
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, kind, url, created_at, last_ok_at, error_count) VALUES "
                "(1, 'feed', 'https://a.example/rss', :c, :ok, 3), "
                "(2, 'feed', 'https://b.example/rss', :c, :ok, 0)"
            ),
            {"c": "2026-11-01 00:00:00", "ok": "2026-11-20 06:00:00"},
        )
    upgrade(engine)
    factory = session_factory(engine)
    t1 = datetime(2026, 12, 1, 8, tzinfo=UTC)
    t2 = datetime(2026, 12, 3, 8, tzinfo=UTC)
    with transaction(factory) as session:
        failing = sources.get_by_url(session, "https://a.example/rss")
        ok = sources.get_by_url(session, "https://b.example/rss")
        assert failing is not None and ok is not None
        # Failing at upgrade: failing since its last success.
        assert failing.failing_since == datetime(2026, 11, 20, 6, tzinfo=UTC)
        assert ok.failing_since is None
        sources.record_error(session, ok, "HTTP 503", at=t1)
        sources.record_error(session, ok, "HTTP 503", at=t2)
        assert ok.failing_since == t1
        sources.record_ok(session, ok, at=t2 + timedelta(hours=1))
        assert (ok.failing_since, ok.outage_since, ok.recovered_at) == (
            None,
            t1,
            t2 + timedelta(hours=1),
        )
    downgrade(engine, "0008")
    assert "failing_since" not in {c["name"] for c in inspect(engine).get_columns("sources")}
    engine.dispose()
