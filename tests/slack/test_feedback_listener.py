"""The 👍/👎 listener alone, with mocked ack/respond and use case: the vote is stored for the
workspace and channel the request came from, the person is thanked ephemerally, and a forged
value or a database outage gets a one-line reason instead of a traceback."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from slack_bolt import BoltContext

from bot.errors import StorageUnavailable
from bot.render.feedback_value import Vote, encode
from bot.service.feedback import Recorded
from bot.slack.feedback_replies import BAD_VALUE, FAILED
from bot.slack.listeners.feedback import acknowledge, feedback_chosen


def _body(value: str, team: str = "T1") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "w"},
        "user": {"id": "U1", "team_id": team},
        "channel": {"id": "C1", "name": "news"},
        "actions": [
            {"type": "overflow", "action_id": "brief_feedback", "selected_option": {"value": value}}
        ],
    }


def _run(body: dict[str, Any], feedback: Mock) -> Mock:
    respond = Mock()
    feedback_chosen(
        body,
        body["actions"][0],
        BoltContext({"team_id": body["team"]["id"]}),
        respond,
        feedback=feedback,
    )
    return respond


def test_ack_is_immediate() -> None:
    ack = Mock()
    acknowledge(ack)
    ack.assert_called_once_with()


def test_a_vote_is_stored_for_its_workspace_and_channel_and_thanked() -> None:
    feedback = Mock()
    feedback.record.return_value = Recorded(-1, ("Reuters",), None, True)
    respond = _run(_body(encode(-1, ["Reuters"], None), team="T9"), feedback)
    feedback.record.assert_called_once_with(
        team_id="T9", channel_id="C1", user_id="U1", vote=Vote(-1, ("Reuters",), None)
    )
    kwargs = respond.call_args.kwargs
    assert kwargs["response_type"] == "ephemeral" and kwargs["replace_original"] is False
    assert kwargs["text"] == (
        "Thanks — briefs in <#C1> will show fewer items from *Reuters* near the top."
    )


def test_forged_value_and_outage_get_one_line() -> None:
    feedback = Mock()
    assert _run(_body("v1|-|<!channel>|" + "x" * 300), feedback).call_args.kwargs["text"] == (
        BAD_VALUE
    )
    feedback.record.assert_not_called()
    feedback.record.side_effect = StorageUnavailable("down")
    assert _run(_body(encode(1, ["AP"], None)), feedback).call_args.kwargs["text"] == FAILED
