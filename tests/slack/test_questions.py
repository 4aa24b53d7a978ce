"""Questions over real HTTP with the fake Slack: follow-ups in a brief's thread (per-sentence
citations, "what about X?" resolved against the thread's previous question, a question sent
with a file, an unanswerable question declined), a mention outside a thread, a DM.

Event payloads are shaped after Slack's (`message` with `channel_type`, `file_share` with its
`files`, `app_mention` with the bot's `<@U…>` in the text)."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest

from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_body, post_signed, slash_command_body
from tests.slack.conftest import SIGNING_SECRET, RunningApp

TEAM, CHANNEL, USER, DM = "T0001", "C0001", "U0001", "D0001"
_ts = itertools.count(1)
_ids = itertools.count(1)

UKRAINE = {
    "talks.md": (
        "Ukraine and Russia set out demands",
        "Meridian Wire",
        "https://meridian.example.com/demands",
        "Ukraine demanded security guarantees from its European partners at the talks. "
        "Russia demanded an end to Western arms deliveries before any truce. "
        "Ukraine agreed to a 30-day ceasefire in Jeddah on Tuesday.",
    ),
}


def _ingest_ukraine(app: RunningApp, folder: Path) -> None:
    folder.mkdir()
    published = app.core.clock().isoformat()
    for name, (title, outlet, url, text) in UKRAINE.items():
        (folder / name).write_text(
            f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\nurl: {url}\n---\n"
            f"{text}\n"
        )
    app.core.ingest([str(folder)], topic="ukraine")


def _ts_now() -> str:
    return f"1900000000.{next(_ts):06d}"


def _send(app: RunningApp, event: dict[str, Any]) -> None:
    body = event_body(event, team_id=TEAM, event_id=f"Ev{next(_ids)}")
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def _replies(fake: FakeSlack, thread_ts: str, count: int) -> list[Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        calls = [
            c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == thread_ts
        ]
        if len(calls) >= count:
            return calls
        time.sleep(0.05)
    raise AssertionError(f"no {count} replies in thread {thread_ts}")


def _brief_root(app: RunningApp, topic: str) -> str:
    before = len(app.fake.calls_to("chat.postMessage"))
    body = slash_command_body(
        text=topic,
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url("r"),
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
    app.fake.wait_for("chat.postMessage", count=before + 1, timeout=30)
    # The thread is the bot's once the post is recorded, just after Slack answered it: a
    # question sent before that (a loaded machine) was taken for one in a stranger's thread.
    app.settle()
    return str(app.fake.calls_to("chat.postMessage")[before].response["ts"])


def _question(thread_ts: str | None, text: str, **extra: Any) -> dict[str, Any]:
    ts = _ts_now()
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def _text(call: Any) -> str:
    return str(call.params.get("text", "")) + json.dumps(call.params.get("blocks", []))


@pytest.fixture
def app(running_app: RunningApp, tmp_path: Path) -> RunningApp:
    _ingest_ukraine(running_app, tmp_path / "ukraine")
    return running_app


def test_follow_up_cited_per_sentence_then_what_about_x(app: RunningApp) -> None:
    root = _brief_root(app, "ukraine")
    _send(app, _question(root, "What did Ukraine demand?"))
    [first] = _replies(app.fake, root, 1)
    sections = [b["text"]["text"] for b in first.params["blocks"] if b["type"] == "section"]
    # the answer sentence carries its own citation link
    assert any("security guarantees" in s and "meridian.example.com" in s for s in sections)

    _send(app, _question(root, "what about Russia?"))
    second = _replies(app.fake, root, 2)[1]
    assert "arms deliveries" in _text(second)  # "What did Russia demand?"
    assert "security guarantees" not in _text(second)


def test_question_with_a_file_in_the_thread_is_answered(app: RunningApp) -> None:
    root = _brief_root(app, "ukraine")
    files = [{"id": "F0001", "name": "map.png", "mimetype": "image/png", "filetype": "png"}]
    event = _question(
        root,
        "How long is the ceasefire Ukraine agreed to?",
        subtype="file_share",
        files=files,
        upload=False,
        display_as_bot=False,
    )
    _send(app, event)
    [reply] = _replies(app.fake, root, 1)
    assert "30-day" in _text(reply)


def test_unanswerable_question_is_declined(app: RunningApp) -> None:
    root = _brief_root(app, "ukraine")
    _send(app, _question(root, "How much did France pledge?"))
    [reply] = _replies(app.fake, root, 1)
    assert "The stored articles don't say" in _text(reply)
    assert "30-day" not in str(reply.params.get("text"))


def test_mention_outside_a_thread_is_answered_in_a_thread_under_it(app: RunningApp) -> None:
    mention = _question(None, "<@U0BOT> what did Russia demand?", type="app_mention")
    del mention["channel_type"]  # app_mention events carry none
    _send(app, mention)
    [reply] = _replies(app.fake, mention["ts"], 1)
    assert reply.params["channel"] == CHANNEL
    assert "arms deliveries" in _text(reply)


def test_mention_of_a_topic_name_gets_its_brief_in_a_thread(app: RunningApp) -> None:
    mention = _question(None, "<@U0BOT> ukraine", type="app_mention")
    _send(app, mention)
    [reply] = _replies(app.fake, mention["ts"], 1)
    assert "Key provisions" in _text(reply) or "Ukraine" in _text(reply)
    app.settle()  # the brief's thread is recorded as the bot's (see _brief_root)
    # and a question in that thread is answered from the brief
    _send(app, _question(mention["ts"], "What did Russia demand?"))
    assert "arms deliveries" in _text(_replies(app.fake, mention["ts"], 2)[1])


def test_direct_message_question_is_answered(app: RunningApp) -> None:
    event = _question(None, "When will construction begin?", channel=DM, channel_type="im")
    _send(app, event)
    [reply] = _replies(app.fake, event["ts"], 1)
    assert reply.params["channel"] == DM
    assert "September" in _text(reply)


def test_settle_returns_once_a_question_has_been_answered(app: RunningApp) -> None:
    """What the tests that check for no reply rely on: `settle` waits for the work an event
    started, so a reply that was going to come has come when it returns."""
    root = _brief_root(app, "ukraine")
    event = _question(root, "What did Ukraine demand?")
    _send(app, event)
    app.settle()
    replies = [c for c in app.fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1 and "security guarantees" in _text(replies[0])


def test_channel_message_that_is_not_for_us_is_ignored(app: RunningApp) -> None:
    event = _question(None, "What did Russia demand?")
    _send(app, event)
    app.settle()
    assert not [
        c for c in app.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == event["ts"]
    ]
