"""Migration 0010 (channel_feedback) from a blank database and from the previous head, on
SQLite and PostgreSQL, and the feedback store: one vote per person and target, tallies per
channel of one workspace only."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.render.feedback_value import Vote
from bot.service.feedback import Feedback
from storage import feedback as feedback_store
from storage import workspaces
from storage.db import downgrade, make_engine, session_factory, transaction, upgrade


def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return set(inspect(engine).get_table_names())


def test_upgrade_from_previous_head_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0009")
    assert "channel_feedback" not in _tables(engine)
    upgrade(engine)
    assert "channel_feedback" in _tables(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        feedback_store.record(
            session,
            team_id="T1",
            channel_id="C1",
            user_id="U1",
            kind="outlet",
            target="reuters",
            label="Reuters",
            vote=-1,
        )
    downgrade(engine, "0009")
    assert "channel_feedback" not in _tables(engine)
    upgrade(engine)
    assert "channel_feedback" in _tables(engine)
    engine.dispose()


def test_votes_replace_per_person_and_never_cross_workspaces(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    feedback = Feedback(factory)
    down = Vote(-1, ("Reuters", "AP"), "Kyiv strike")
    first = feedback.record(team_id="T1", channel_id="C1", user_id="U1", vote=down)
    again = feedback.record(team_id="T1", channel_id="C1", user_id="U1", vote=down)
    assert first.changed and not again.changed
    feedback.record(team_id="T1", channel_id="C1", user_id="U2", vote=down)
    feedback.record(team_id="T1", channel_id="C1", user_id="U3", vote=Vote(1, ("reuters",), None))

    prefs = feedback.preferences(team_id="T1", channel_id="C1")
    assert (prefs.outlets["reuters"].up, prefs.outlets["reuters"].down) == (1, 2)
    assert prefs.outlets["ap"].down == 2 and prefs.stories["kyiv strike"].down == 2
    # Another channel, and the same channel id in another workspace, have none.
    assert feedback.preferences(team_id="T1", channel_id="C2").empty
    assert feedback.preferences(team_id="T2", channel_id="C1").empty

    # U1 changes their mind: their vote is replaced, not added.
    feedback.record(team_id="T1", channel_id="C1", user_id="U1", vote=Vote(1, ("Reuters",), None))
    prefs = feedback.preferences(team_id="T1", channel_id="C1")
    assert (prefs.outlets["reuters"].up, prefs.outlets["reuters"].down) == (2, 1)

    with transaction(factory) as session:
        assert workspaces.delete_team(session, "T1")["feedback"] == 7
    assert feedback.preferences(team_id="T1", channel_id="C1").empty
    engine.dispose()
