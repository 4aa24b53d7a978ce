"""The assistant, shortcut and workflow-step listeners as module-level functions, with mocked
ack/say/respond/client/complete/fail; and the pure parts of their use cases."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.service import links, workflow
from bot.service.assistant import topic_asked_for
from bot.service.workflow import StepBrief, StepInputError, parse_window
from bot.slack.listeners import assistant, functions, shortcuts
from bot.summarize.model import Brief, Bullet, SourceRef


def _slack_error(error: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/x",
        req_args={},
        data={"ok": False, "error": error},
        headers={},
        status_code=200,
    )
    return SlackApiError(error, response)


def test_every_listener_acks() -> None:
    for module in (assistant, functions, shortcuts):
        ack = Mock()
        module.acknowledge(ack)
        ack.assert_called_once_with()


# -- the workflow step ----------------------------------------------------------------------


def test_step_completes_with_outputs() -> None:
    core = Mock()
    core.workflow.brief_for_step.return_value = StepBrief("B", ["S — u"])
    complete, fail = Mock(), Mock()
    functions.run_step(core, {"topic": "ukraine", "window": 24}, complete, fail)
    complete.assert_called_once_with(outputs={"brief": "B", "sources": ["S — u"]})
    fail.assert_not_called()


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (StepInputError("The window must be between 1 and 744 hours."), "between 1 and 744"),
        (RuntimeError("boom"), "internal error"),
    ],
)
def test_step_fails_with_a_reason(raised: Exception, said: str) -> None:
    core = Mock()
    core.workflow.brief_for_step.side_effect = raised
    complete, fail = Mock(), Mock()
    functions.run_step(core, {"topic": "ukraine"}, complete, fail)
    complete.assert_not_called()
    (error,) = fail.call_args.kwargs.values()
    assert said in error and "boom" not in error


@pytest.mark.parametrize(
    ("value", "hours"), [(None, 24), ("", 24), (48, 48), ("12", 12), ("12h", 12), ("3d", 72)]
)
def test_window_input(value: Any, hours: int) -> None:
    assert parse_window(value) == hours


@pytest.mark.parametrize("value", ["soon", "0", "-5", "10000", "1" * 20])
def test_bad_window_input_says_what_to_type(value: str) -> None:
    with pytest.raises(StepInputError, match="window must be"):
        parse_window(value)


def test_step_brief_refuses_an_empty_topic_and_a_missing_one() -> None:
    from datetime import UTC, datetime

    brief = Mock()
    step = workflow.Workflow(clock=lambda: datetime(2026, 12, 1, tzinfo=UTC), brief=brief)
    with pytest.raises(StepInputError, match="needs a topic"):
        step.brief_for_step("  ", None)
    from bot.errors import NotFoundError

    brief.side_effect = NotFoundError("No topic named “x”.")
    with pytest.raises(StepInputError, match="No topic named"):
        step.brief_for_step("x", None)


# -- "Brief this link" -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "url"),
    [
        (
            {"text": "see <https://a.example/x|this> and <https://b.example/y>"},
            "https://a.example/x",
        ),
        ({"text": "bare https://a.example/x?q=1 here"}, "https://a.example/x?q=1"),
        (
            {
                "text": "look",
                "blocks": [
                    {
                        "type": "rich_text",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "link", "url": "https://c.example/z"}],
                            }
                        ],
                    }
                ],
            },
            "https://c.example/z",
        ),
        (
            {"text": "", "attachments": [{"original_url": "https://d.example/"}]},
            "https://d.example/",
        ),
        ({"text": "<mailto:a@b.example|a@b> no web link"}, None),
        ({"text": "nothing here"}, None),
        ({}, None),
    ],
)
def test_find_link(message: dict[str, Any], url: str | None) -> None:
    assert shortcuts.find_link(message) == url


def _brief() -> Brief:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, tzinfo=UTC)
    source = SourceRef("link", "River plan", "https://a.example/x", "Herald", now)
    bullet = Bullet("The council approved the plan.", ("link",))
    return Brief(
        topic="River plan",
        generated_at=now,
        since=now,
        until=now,
        summarizer="extractive",
        article_count=1,
        sections={"key_provisions": (bullet,), "open_questions": (), "next_steps": ()},
        sources=(source,),
    )


def test_link_briefed_in_the_messages_thread() -> None:
    core = Mock()
    core.links.brief.return_value = links.LinkBrief(
        "https://a.example/x", "River plan", _brief(), related=2
    )
    client, respond = Mock(), Mock()
    message = {"text": "<https://a.example/x>", "ts": "2.0", "thread_ts": "1.0"}
    shortcuts.brief_this_link(
        core,
        lambda team: client,
        team_id="T1",
        channel_id="C1",
        message=message,
        respond=respond,
    )
    kwargs = client.chat_postMessage.call_args.kwargs
    assert kwargs["channel"] == "C1" and kwargs["thread_ts"] == "1.0"  # the existing thread
    assert "2 stored articles of the same story" in str(kwargs["blocks"])
    respond.assert_not_called()


def test_link_refusals_are_ephemeral_and_escaped() -> None:
    core = Mock()
    core.links.brief.side_effect = links.LinkUnavailable(
        "I couldn't fetch that link: <!channel> said no."
    )
    client, respond = Mock(), Mock()
    for text in ("no link", "<https://a.example/x>"):
        shortcuts.brief_this_link(
            core,
            lambda team: client,
            team_id="T1",
            channel_id="C1",
            message={"text": text, "ts": "1.0"},
            respond=respond,
        )
    first, second = (c.kwargs["text"] for c in respond.call_args_list)
    assert "no link to brief" in first
    assert "&lt;!channel&gt;" in second and "<!channel>" not in second
    client.chat_postMessage.assert_not_called()


def test_link_brief_shown_to_the_requester_when_the_bot_is_not_in_the_channel() -> None:
    core = Mock()
    core.links.brief.return_value = links.LinkBrief(
        "https://a.example/x", "River plan", _brief(), related=0
    )
    client, respond = Mock(), Mock()
    client.chat_postMessage.side_effect = _slack_error("not_in_channel")
    shortcuts.brief_this_link(
        core,
        lambda team: client,
        team_id="T1",
        channel_id="C1",
        message={"text": "https://a.example/x", "ts": "1.0"},
        respond=respond,
    )
    said = respond.call_args.kwargs
    assert said["text"].startswith("I'm not in this channel") and said["blocks"]


def test_same_story_titles() -> None:
    assert links.same_story("River plan approved by council", "Council approves river plan")
    assert links.same_story("River plan approved by council", "River plan passes")
    assert not links.same_story("River plan approved by council", "Harbour fees rise")
    assert not links.same_story("Live updates", "Live updates: markets")  # no telling words


# -- the assistant panel -----------------------------------------------------------------------


def _event(text: str) -> dict[str, Any]:
    return {"type": "message", "channel": "D1", "thread_ts": "1.0", "ts": "2.0", "text": text}


def _actions(answered: bool = False, status: str = "is searching…") -> Mock:
    actions = Mock()
    actions.answer_in_thread.return_value = answered
    actions.core.assistant.working_status.return_value = status
    return actions


def test_assistant_answers_with_status_set_then_cleared() -> None:
    actions, say, set_status = _actions(status="is reading 3 articles…"), Mock(), Mock()
    order: list[str] = []
    set_status.side_effect = lambda text: order.append(f"status:{text}")
    actions.answer_message.side_effect = lambda **kw: order.append("answer")
    assistant.answer(
        actions, team_id="T1", event=_event("Brief me on Ukraine?"), say=say, set_status=set_status
    )
    assert order == ["status:is reading 3 articles…", "answer", "status:"]
    kwargs = actions.answer_message.call_args.kwargs
    assert kwargs["text"] == "Ukraine" and kwargs["reply_ts"] == "1.0"
    assert kwargs["channel_id"] == "D1" and kwargs["message_ts"] == "2.0"
    say.assert_not_called()


def test_assistant_follow_up_uses_the_threads_context() -> None:
    actions = _actions(answered=True)
    assistant.answer(
        actions, team_id="T1", event=_event("and when?"), say=Mock(), set_status=Mock()
    )
    assert actions.answer_in_thread.call_args.kwargs["question"] == "and when?"
    actions.answer_message.assert_not_called()


def test_assistant_failure_is_said_and_the_status_still_cleared() -> None:
    actions, say, set_status = _actions(), Mock(), Mock()
    actions.answer_message.side_effect = RuntimeError("boom")
    assistant.answer(actions, team_id="T1", event=_event("why?"), say=say, set_status=set_status)
    say.assert_called_once_with(assistant.FAILED)
    assert set_status.call_args_list[-1].args == ("",)


def test_assistant_status_errors_never_stop_the_answer() -> None:
    actions, set_status = _actions(), Mock(side_effect=_slack_error("not_allowed"))
    assistant.answer(actions, team_id="T1", event=_event("why?"), say=Mock(), set_status=set_status)
    actions.answer_message.assert_called_once()


def test_assistant_help_and_edits() -> None:
    actions, say, set_status = _actions(), Mock(), Mock()
    assistant.answer(actions, team_id="T1", event=_event("help"), say=say, set_status=set_status)
    say.assert_called_once_with(assistant.HELP)
    edited = {**_event("why?"), "subtype": "message_changed"}
    assistant.answer(actions, team_id="T1", event=edited, say=say, set_status=set_status)
    set_status.assert_not_called()
    actions.answer_in_thread.assert_not_called()


def test_thread_started_greets_and_offers_prompts() -> None:
    core = Mock()
    prompts = [{"title": "Brief me on ukraine", "message": "Brief me on ukraine"}]
    core.assistant.suggested_prompts.return_value = prompts
    say, set_prompts = Mock(), Mock()
    thread = {"channel_id": "D1", "thread_ts": "1.0", "context": {"channel_id": "C9"}}
    assistant.thread_started(core, "T1", thread, say, set_prompts)
    say.assert_called_once_with(assistant.GREETING)
    core.assistant.suggested_prompts.assert_called_once_with("T1", "C9")
    assert set_prompts.call_args.kwargs["prompts"][0]["title"] == "Brief me on ukraine"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Brief me on ukraine", "ukraine"),
        ("brief ukraine?", "ukraine"),
        ("please brief me about river plan.", "river plan"),
        ("What did Russia demand?", "What did Russia demand?"),
        ("briefly, what happened?", "briefly, what happened?"),
    ],
)
def test_topic_asked_for(text: str, topic: str) -> None:
    assert topic_asked_for(text) == topic


def test_brief_help_mentions_the_new_surfaces() -> None:
    from bot.slack.command_text import USAGE, HelpCmd, parse

    assert isinstance(parse("help"), HelpCmd)
    for surface in ("assistant panel", "*Brief this link*", "*Get a brief*"):
        assert surface in USAGE


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("What changed since yesterday's digest?", True),
        ("what's new since the last digest", True),
        ("Anything new since our digest?", True),
        ("What changed in the river plan?", False),
        ("digest", False),
    ],
)
def test_asks_for_changes(text: str, asks: bool) -> None:
    from bot.service.assistant import asks_for_changes

    assert asks_for_changes(text) is asks


def test_tell_changes() -> None:
    from datetime import UTC, datetime

    from bot.core import BriefResult
    from bot.service.assistant import Changes

    at = datetime(2026, 11, 30, 8, tzinfo=UTC)
    said: list[dict[str, Any]] = []

    def say(text: str, blocks: Any = None) -> None:
        said.append({"text": text, "blocks": blocks})

    for changes in (
        None,
        Changes("river <plan>", at, None),
        Changes("river plan", at, BriefResult(_brief(), 1, False, (1,))),
    ):
        core = Mock()
        core.assistant.changes_since_digest.return_value = changes
        assistant.tell_changes(core, "T1", say)
    assert "no digest lately" in said[0]["text"]
    assert said[1]["text"] == "Nothing new on *river &lt;plan&gt;* since its digest of 30 Nov 2026."
    assert "Since the last digest" in str(said[2]["blocks"])


def test_assistant_unreachable_slack_for_the_status_never_stops_the_answer() -> None:
    from urllib.error import URLError

    actions, set_status = _actions(), Mock(side_effect=URLError("refused"))
    assistant.answer(actions, team_id="T1", event=_event("why?"), say=Mock(), set_status=set_status)
    actions.answer_message.assert_called_once()
