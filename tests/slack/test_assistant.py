"""End to end over HTTP: the assistant panel (events shaped as in Slack's SDK tests).

A thread started → a greeting and suggested prompts from the workspace's subscribed topics; a
question in it → the status says what is read, a cited answer in the thread, the status
cleared; "Brief me on <topic>" → the brief in the thread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from testkit.slackfake.server import Call
from testkit.slackfake.signing import event_body, post_signed
from tests.slack.conftest import SIGNING_SECRET, RunningApp

TEAM, USER, DM = "T0001", "U0001", "D0001"
THREAD = "1726133698.626339"


def _send(app: RunningApp, event: dict[str, Any], event_id: str) -> None:
    body = event_body(event, team_id=TEAM, event_id=event_id)
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def _started(app: RunningApp, viewing: str = "C0001") -> None:
    event = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": USER,
            "context": {"channel_id": viewing, "team_id": TEAM, "enterprise_id": None},
            "channel_id": DM,
            "thread_ts": THREAD,
        },
        "event_ts": "1726133698.665188",
    }
    _send(app, event, "EvStart")


def _user_message(app: RunningApp, text: str, ts: str) -> None:
    event = {
        "user": USER,
        "type": "message",
        "ts": ts,
        "text": text,
        "team": TEAM,
        "user_team": TEAM,
        "source_team": TEAM,
        "user_profile": {},
        "thread_ts": THREAD,
        "parent_user_id": USER,
        "channel": DM,
        "event_ts": ts,
        "channel_type": "im",
        "assistant_thread": {"action_token": "10647138185092.960436384805.afce3599"},
    }
    _send(app, event, f"Ev{ts}")


def _subscribe(app: RunningApp, topic: str, channel: str) -> None:
    with transaction(app.core.factory) as session:
        row = topic_store.get_or_create(session, topic)
        subscription_store.upsert(
            session,
            team_id=TEAM,
            channel_id=channel,
            topic=row,
            hour=8,
            minute=0,
            timezone="UTC",
            created_by=USER,
        )


def _thread_replies(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.params.get("channel") == DM and c.params.get("thread_ts")]


def test_thread_started_offers_the_workspace_topics(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    app.core.add_topic("harbour")  # followed, but nobody here subscribes to it
    _subscribe(app, "river plan", "C0002")
    _started(app)
    (prompts,) = fake.wait_for("assistant.threads.setSuggestedPrompts", timeout=30)
    assert prompts.ok
    assert (prompts.params["channel_id"], prompts.params["thread_ts"]) == (DM, THREAD)
    shown = [p["title"] for p in prompts.params["prompts"]]
    assert "Brief me on river plan" in shown and "Open questions on river plan" in shown
    assert not any("harbour" in title for title in shown)
    (greeting,) = fake.wait_for("chat.postMessage", timeout=10)
    assert greeting.params["thread_ts"] == THREAD and "Ask me" in greeting.params["text"]

    # the user moves to a channel that subscribes to harbour: its topic comes first
    _subscribe(app, "harbour", "C0003")
    event = {
        "type": "assistant_thread_context_changed",
        "assistant_thread": {
            "user_id": USER,
            "context": {"channel_id": "C0003", "team_id": TEAM},
            "channel_id": DM,
            "thread_ts": THREAD,
        },
        "event_ts": "1726133698.665189",
    }
    _send(app, event, "EvCtx")
    changed = fake.wait_for("assistant.threads.setSuggestedPrompts", count=2, timeout=30)[1]
    assert changed.params["prompts"][0]["title"] == "Brief me on harbour"
    assert fake.violations == [] and fake.unexpected == []


def test_a_question_is_answered_with_status_set_and_cleared(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    _user_message(app, "When will construction begin?", "1726133700.887259")
    (answer,) = fake.wait_for("chat.postMessage", timeout=30)
    assert answer.ok and answer.params["thread_ts"] == THREAD
    assert "September" in json.dumps(answer.params)
    assert "valley.example.com" in json.dumps(answer.params["blocks"])  # cited, as in threads
    statuses = fake.wait_for("assistant.threads.setStatus", count=2, timeout=10)
    first, last = statuses[0], statuses[-1]
    assert (
        first.params["status"].startswith("is searching") and "articles…" in first.params["status"]
    )
    assert first.at < answer.at < last.at  # set while working, cleared after the answer
    assert last.params["status"] == ""
    assert (first.params["channel_id"], first.params["thread_ts"]) == (DM, THREAD)

    # a follow-up in the same thread is answered there too, once
    _user_message(app, "And how much money does the plan commit?", "1726133710.000100")
    replies = fake.wait_for("chat.postMessage", count=2, timeout=30)
    assert "4 million" in json.dumps(replies[1].params)
    assert len(_thread_replies(fake.calls_to("chat.postMessage"))) == 2
    assert fake.violations == [] and fake.unexpected == []


def test_a_topic_is_answered_with_its_brief(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    _user_message(app, "Brief me on river plan", "1726133720.000100")
    (brief,) = fake.wait_for("chat.postMessage", timeout=30)
    assert brief.params["thread_ts"] == THREAD
    blocks = json.dumps(brief.params["blocks"])
    assert "Key provisions" in blocks and "valley.example.com" in blocks
    first = fake.calls_to("assistant.threads.setStatus")[0]
    assert first.params["status"] == "is reading 2 articles on river plan…"
    fake.wait_for("assistant.threads.setStatus", count=2, timeout=10)
    assert fake.calls_to("assistant.threads.setStatus")[-1].params["status"] == ""
    assert fake.violations == [] and fake.unexpected == []


def test_what_changed_since_the_last_digest(running_app: RunningApp, tmp_path: Path) -> None:
    from bot.jobs.digest import run_digest
    from bot.slack.client import SingleWorkspaceClients
    from bot.slack.posting import SlackPoster

    app, fake = running_app, running_app.fake
    _user_message(app, "What changed since yesterday's digest?", "1726133730.000100")
    (no_digest,) = fake.wait_for("chat.postMessage", timeout=30)
    assert "no digest lately" in no_digest.params["text"]

    _subscribe(app, "river plan", "C0001")
    with app.core.factory() as session:
        (subscription,) = subscription_store.for_team(session, TEAM, "C0001")
    clients = SlackPoster(SingleWorkspaceClients(app.core.settings, app.runtime.client))
    assert run_digest(app.core, clients, subscription.id).status == "sent"
    _started(app)
    prompts = fake.wait_for("assistant.threads.setSuggestedPrompts", timeout=30)[0]
    assert "What changed since the last digest?" in [p["title"] for p in prompts.params["prompts"]]

    _user_message(app, "What changed since yesterday's digest?", "1726133740.000100")
    posts = fake.wait_for("chat.postMessage", count=4, timeout=30)  # + digest, greeting
    assert "Nothing new on *river plan* since its digest" in posts[-1].params["text"]

    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "c.md").write_text(
        f"---\ntitle: Regional government agrees to co-fund river plan\noutlet: Delta Herald\n"
        f"published: {app.core.clock().isoformat()}\nurl: https://delta.example.net/cofund\n---\n"
        "The regional government agreed on Friday to co-fund the second phase of the river "
        "restoration plan with 2 million euros, ending months of uncertainty.\n\n"
        "Work on the second phase will start next spring.\n"
    )
    app.core.ingest([str(tmp_path / "late")], topic="river plan")
    _user_message(app, "What changed since yesterday's digest?", "1726133750.000100")
    posts = fake.wait_for("chat.postMessage", count=5, timeout=30)
    latest = posts[-1]
    assert latest.params["thread_ts"] == THREAD
    blocks = json.dumps(latest.params["blocks"])
    assert "Since the last digest" in blocks and "delta.example.net/cofund" in blocks
    assert "valley.example.com" not in blocks  # what the digest already said is not repeated
    statuses = fake.wait_for("assistant.threads.setStatus", count=6, timeout=10)
    assert statuses[-1].params["status"] == ""
    assert fake.violations == [] and fake.unexpected == []


def test_direct_messages_outside_the_panel_still_work(running_app: RunningApp) -> None:
    """The Assistant middleware takes every DM reply in a thread; a plain DM thread (the
    Messages tab) is still answered, follow-ups with the thread's context."""
    app, fake = running_app, running_app.fake
    question = {
        "type": "message",
        "channel": DM,
        "user": USER,
        "text": "When will construction begin?",
        "ts": "1800000100.000100",
        "event_ts": "1800000100.000100",
        "channel_type": "im",
    }
    _send(app, question, "EvDm1")
    (first,) = fake.wait_for("chat.postMessage", timeout=30)
    assert first.params["thread_ts"] == question["ts"] and "September" in json.dumps(first.params)
    follow_up = {
        **question,
        "text": "And how much money does the plan commit?",
        "ts": "1800000101.000100",
        "event_ts": "1800000101.000100",
        "thread_ts": question["ts"],
        "parent_user_id": USER,
    }
    _send(app, follow_up, "EvDm2")
    second = fake.wait_for("chat.postMessage", count=2, timeout=30)[1]
    assert second.params["thread_ts"] == question["ts"]
    assert "4 million" in json.dumps(second.params)
    assert fake.violations == [] and fake.unexpected == []
