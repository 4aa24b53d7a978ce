"""Each Bolt listener alone, with a mocked ack/respond and mocked use cases: what it acks,
what it hands on, and what it leaves alone. (The end-to-end tests beside this file drive the
same listeners through signed HTTP requests.)"""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from slack_bolt import BoltContext

from bot.slack.command_text import USAGE, BriefCmd, ListCmd
from bot.slack.listeners.commands import brief
from bot.slack.listeners.events import app_home, matchers, questions, uninstall
from bot.slack.listeners.middleware.remember_team import remember_team
from bot.slack.pools import BRIEF, COMMAND
from bot.slack.teams import Origin, clicker

COMMAND_BODY = {"team_id": "T0001", "channel_id": "C0001", "user_id": "U0001"}


def _context(**values: Any) -> BoltContext:
    return BoltContext({"team_id": "T0001", **values})


# -- /brief ---------------------------------------------------------------------------------


def _acknowledge(text: str) -> tuple[Mock, Mock, Mock, Mock]:
    """`/brief <text>` through the ack function: (ack, respond, pools, brief_command)."""
    ack, respond, pools, command = Mock(), Mock(), Mock(), Mock()
    brief.acknowledge(
        ack, {**COMMAND_BODY, "text": text}, respond, brief_command=command, pools=pools
    )
    return ack, respond, pools, command


def test_brief_acks_a_topic_then_queues_its_work_on_the_brief_pool() -> None:
    ack, respond, pools, command = _acknowledge("river plan")
    ack.assert_called_once_with(text="Working on a brief of *river plan*…")
    [call] = pools.submit.call_args_list
    assert call.args[0] == BRIEF
    command.run.assert_not_called()  # queued, not run in the ack
    call.args[1]()  # the work itself
    command.run.assert_called_once_with(
        BriefCmd("river plan"), team_id="T0001", channel_id="C0001", user_id="U0001",
        respond=respond,
    )  # fmt: skip
    call.kwargs["too_late"]()
    respond.assert_called_once_with(text=brief.TOO_LATE)


def test_brief_quick_commands_go_to_their_own_pool() -> None:
    ack, _, pools, command = _acknowledge("list")
    ack.assert_called_once_with()
    assert pools.submit.call_args.args[0] == COMMAND
    pools.submit.call_args.args[1]()
    assert command.run.call_args.args == (ListCmd(),)


def test_brief_answers_usage_errors_and_help_in_the_ack_escaped_and_queues_nothing() -> None:
    ack, _, pools, _ = _acknowledge("subscribe x at 25:00")
    [call] = ack.call_args_list
    assert "25:00" in call.kwargs["text"]
    pools.submit.assert_not_called()
    ack, _, pools, _ = _acknowledge("help")
    ack.assert_called_once_with(text=USAGE.replace("<", "&lt;").replace(">", "&gt;"))
    pools.submit.assert_not_called()
    ack, _, _, _ = _acknowledge("<!channel>")
    assert "<!channel>" not in str(ack.call_args)


# -- questions ------------------------------------------------------------------------------


def _event(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C0001", "ts": "2.0", "user": "U0001", **fields}


def test_a_reply_in_a_thread_of_ours_is_answered_there() -> None:
    handler = Mock()
    handler.answer_in_thread.return_value = True
    event = _event(thread_ts="1.0", text="<@UBOT> what did the council approve?")
    questions.answer({}, event, _context(), questions=handler)
    handler.answer_in_thread.assert_called_once_with(
        team_id="T0001",
        channel_id="C0001",
        thread_ts="1.0",
        message_ts="2.0",
        question="what did the council approve?",
    )
    handler.answer_message.assert_not_called()


def test_a_mention_outside_our_threads_is_answered_under_it() -> None:
    handler = Mock()
    handler.answer_in_thread.return_value = False
    event = _event(type="app_mention", thread_ts="1.0", text="<@UBOT> ukraine")
    questions.answer({}, event, _context(), questions=handler)
    handler.answer_message.assert_called_once_with(
        team_id="T0001", channel_id="C0001", message_ts="2.0", text="ukraine", reply_ts="1.0"
    )
    handler = Mock()
    questions.answer({}, _event(channel_type="im", text="hello"), _context(), questions=handler)
    assert handler.answer_message.call_args.kwargs["reply_ts"] == "2.0"


def test_channel_chatter_and_unanswered_threads_are_left_alone() -> None:
    handler = Mock()
    questions.answer({}, _event(text="lunch?"), _context(), questions=handler)
    handler.answer_in_thread.return_value = False
    questions.answer({}, _event(thread_ts="1.0", text="lunch?"), _context(), questions=handler)
    questions.answer({}, _event(text="hi"), BoltContext({}), questions=handler)  # no team
    handler.answer_message.assert_not_called()


def test_a_failing_answer_is_logged_not_raised() -> None:
    handler = Mock()
    handler.answer_message.side_effect = RuntimeError("boom")
    questions.answer({}, _event(type="app_mention", text="x"), _context(), questions=handler)


def test_matchers_pick_what_a_person_wrote() -> None:
    context = _context(bot_user_id="UBOT")
    assert matchers.from_a_person(_event(), context)
    assert matchers.from_a_person(_event(subtype="thread_broadcast"), context)
    assert not matchers.from_a_person(_event(subtype="message_changed"), context)
    assert not matchers.from_a_person(_event(bot_id="B1"), context)
    assert not matchers.from_a_person(_event(user="UBOT"), context)
    assert matchers.home_tab({"tab": "home"}) and not matchers.home_tab({"tab": "messages"})
    assert matchers.bot_token_revoked({"tokens": {"bot": ["UBOT"]}})
    assert not matchers.bot_token_revoked({"tokens": {"oauth": ["U1"]}})


# -- App Home, uninstall, the workspace middleware ------------------------------------------


def test_app_home_publishes_the_workspaces_view() -> None:
    events = Mock()
    app_home.publish({}, {"user": "U0001", "tab": "home"}, _context(), events=events)
    events.publish_home.assert_called_once_with(team_id="T0001", user_id="U0001")


def test_uninstall_pauses_a_workspace_or_a_whole_organization() -> None:
    events = Mock()
    uninstall.uninstalled({}, _context(), events=events)
    events.workspace_uninstalled.assert_called_once_with(team_id="T0001", enterprise_id=None)
    events = Mock()
    org = {"authorizations": [{"enterprise_id": "E1", "is_enterprise_install": True}]}
    uninstall.uninstalled(org, BoltContext({}), events=events)
    events.organization_uninstalled.assert_called_once_with("E1")
    events.workspace_uninstalled.assert_not_called()


def test_the_middleware_remembers_grid_workspaces_and_never_stops_a_request() -> None:
    events, following = Mock(), Mock(return_value="next")
    body = {"team_id": "T0001", "enterprise_id": "E1"}
    assert remember_team(body, _context(), following, events=events) == "next"
    events.remember_team.assert_called_once_with(Origin("T0001", "E1", False))
    events = Mock()
    assert remember_team({}, _context(), following, events=events) == "next"
    events.remember_team.assert_not_called()  # outside Grid: nothing to remember
    events.remember_team.side_effect = RuntimeError("database down")
    assert remember_team(body, _context(), following, events=events) == "next"


def test_a_click_names_only_ids_that_can_be_slack_ids() -> None:
    body = {"team": {"id": "T1"}, "channel": {"id": "C1"}, "user": {"id": "U1"}}
    assert clicker(body) == ("T1", "C1", "U1")
    assert clicker(body, team_id="T2") == ("T2", "C1", "U1")  # Bolt's context wins
    hostile = {"team": {"id": "T1"}, "channel": "C1", "user": {"id": "U" * 40}}
    assert clicker(hostile) == ("T1", None, None)
    assert clicker({}) == (None, None, None)
