"""`/brief` over real HTTP: the ack carries only what parsing decides, and the work is queued
on a listener pool by the request's own thread (no Bolt lazy listener, whose deep copy of the
request was most of the ack's CPU), then answered in the channel or at the response_url."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from testkit.slackfake.signing import post_signed, slash_command_body
from tests.slack.conftest import SIGNING_SECRET, RunningApp

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"


def _post(app: RunningApp, text: str, rid: str) -> Any:
    body = slash_command_body(
        text=text,
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url(rid),
    )
    return post_signed(app.url, body, SIGNING_SECRET)


@pytest.fixture
def queued(running_app: RunningApp, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(pool kind, name of the thread that queued it) for every piece of listener work."""
    pools = running_app.runtime.pools
    assert pools is not None
    submit, seen = pools.submit, []

    def recording_submit(kind: str, work: Any, **kwargs: Any) -> Any:
        seen.append((kind, threading.current_thread().name))
        return submit(kind, work, **kwargs)

    monkeypatch.setattr(pools, "submit", recording_submit)
    return seen


def test_brief_is_queued_by_the_request_thread_and_posted(
    running_app: RunningApp, queued: list[tuple[str, str]]
) -> None:
    response = _post(running_app, "river plan", "r1")
    assert response.status_code == 200
    assert "Working on a brief of *river plan*" in response.text
    # Queued while the request was being answered, by the server's own thread (waitress's),
    # not by a thread of Bolt's lazy-listener pool after a copy of the request.
    [(kind, thread)] = queued
    assert kind == "brief" and thread.startswith("waitress")
    running_app.fake.wait_for("chat.postMessage", timeout=20)
    [posted] = running_app.fake.calls_to("chat.postMessage")
    assert posted.params["channel"] == CHANNEL
    assert "Key provisions" in json.dumps(posted.params["blocks"])


def test_quick_commands_are_queued_on_their_pool_and_answered_privately(
    running_app: RunningApp, queued: list[tuple[str, str]]
) -> None:
    response = _post(running_app, "list", "list")
    assert response.status_code == 200 and not response.content.strip()
    running_app.fake.wait_for("response_url", timeout=20)
    assert "subscri" in json.dumps(running_app.fake.response_posts("list")).lower()
    [(kind, thread)] = queued
    assert kind == "command" and thread.startswith("waitress")
    assert not running_app.fake.calls_to("chat.postMessage")


def test_usage_errors_and_help_are_answered_in_the_ack_and_queue_nothing(
    running_app: RunningApp, queued: list[tuple[str, str]]
) -> None:
    response = _post(running_app, "subscribe river plan at 25:00", "bad")
    assert response.status_code == 200 and "25:00" in response.text
    response = _post(running_app, "help", "help")
    assert response.status_code == 200 and "/brief" in response.text
    assert queued == []
    assert not running_app.fake.response_posts("bad") and not running_app.fake.response_posts(
        "help"
    )


def test_the_work_reaches_its_pool_only_once_the_ack_is_written(
    running_app: RunningApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Handed to the pool while the ack was still being answered, the pool thread it woke
    took the GIL from that ack (and from the others of a burst)."""
    from bot.slack.pools import ACKS, BRIEF

    pools = running_app.runtime.pools
    assert pools is not None
    executor = pools._pools[BRIEF]
    submit, answering_then = executor.submit, []

    def recording_submit(*args: Any, **kwargs: Any) -> Any:
        answering_then.append(not ACKS.wait_idle(0))  # a request still being answered?
        return submit(*args, **kwargs)

    monkeypatch.setattr(executor, "submit", recording_submit)
    response = _post(running_app, "river plan", "r1")
    assert "Working on a brief" in response.text
    running_app.fake.wait_for("chat.postMessage", timeout=20)
    assert answering_then == [False]
