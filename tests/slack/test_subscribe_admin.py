"""End to end over HTTP (issue 16 item 4): the reply to `/brief <new topic>` carries a
"Subscribe this channel" button that subscribes the channel; `/brief admin
only-admins-subscribe on|off` (Slack users.info is_admin/is_owner) restricts who may
subscribe channels, from `/brief subscribe`, that button and the App Home modal; bad input
is answered with one ephemeral line saying what to type."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import Briefbot
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import (
    block_actions,
    interaction_body,
    post_signed,
    slash_command_body,
)
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, CHANNEL, ADMIN, MEMBER = "T0001", "C0001", "U0ADMIN", "U0001"


class Workspace:
    def __init__(self, app: RunningApp) -> None:
        self.app, self.fake = app, app.fake
        self._ids = itertools.count(1)
        self.fake.set_user(ADMIN, tz="Europe/Berlin", is_admin=True)
        self.fake.set_user(MEMBER, tz="Europe/Berlin", is_admin=False, is_owner=False)

    @property
    def core(self) -> Briefbot:
        return self.app.core

    def command(self, text: str, user: str) -> tuple[str, str]:
        """`/brief <text>`: (the ack's body, the response id its later replies go to)."""
        rid = f"r{next(self._ids)}"
        body = slash_command_body(
            text=text,
            team_id=TEAM,
            channel_id=CHANNEL,
            user_id=user,
            response_url=self.fake.response_url(rid),
        )
        response = post_signed(self.app.url, body, SIGNING_SECRET)
        assert response.status_code == 200
        return response.text, rid

    def replies(self, rid: str, count: int = 1) -> list[dict[str, Any]]:
        deadline = time.monotonic() + 30
        while len(posts := self.fake.response_posts(rid)) < count:
            assert time.monotonic() < deadline, self.fake.describe_calls()
            time.sleep(0.02)
        return posts

    def say(self, text: str, user: str) -> str:
        """The one ephemeral line a quick command answers with (in the ack, or later)."""
        ack, rid = self.command(text, user)
        if ack.strip():
            return ack
        (reply,) = self.replies(rid)
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        return str(reply["text"])

    def click_subscribe(self, reply: dict[str, Any], user: str) -> dict[str, Any]:
        """The reply's "Subscribe this channel" button, clicked (an ephemeral message's
        `block_actions`); what the click's response_url got."""
        actions = next(b for b in reply["blocks"] if b["type"] == "actions")
        (button,) = actions["elements"]
        rid = f"click{next(self._ids)}"
        payload = block_actions(
            {**button, "block_id": actions["block_id"]},
            user_id=user,
            team_id=TEAM,
            channel_id=CHANNEL,
            ephemeral=True,
            response_url=self.fake.response_url(rid),
        )
        response = post_signed(self.app.url, interaction_body(payload), SIGNING_SECRET)
        assert response.status_code == 200
        return self.replies(rid)[0]


@pytest.fixture
def workspace(db: Database, tmp_path: Path) -> Iterator[Workspace]:
    with FakeSlack() as fake:
        settings = settings_for(db.url, fake, FEED_MAX_PAGE_FETCHES="0")
        core = Briefbot(settings, engine=db.engine, migrate=False)
        with serve_app(settings, core, fake) as app:
            yield Workspace(app)


def _new_topic_reply(workspace: Workspace, topic: str, user: str) -> dict[str, Any]:
    _, rid = workspace.command(topic, user)
    replies = workspace.replies(rid)
    return next(r for r in replies if "new topic" in str(r.get("text")))


def test_the_new_topic_reply_subscribes_the_channel(workspace: Workspace) -> None:
    reply = _new_topic_reply(workspace, "glacier melt", MEMBER)
    assert "Subscribe this channel" in str(reply["blocks"])
    done = workspace.click_subscribe(reply, MEMBER)
    assert done["response_type"] == "ephemeral" and done["replace_original"] is False
    assert "Subscribed: a digest of *glacier melt*" in done["text"]
    (sub,) = workspace.core.subscriptions.for_team(TEAM, CHANNEL)
    assert (sub.topic, sub.hour, sub.minute, sub.timezone) == (
        "glacier melt",
        8,
        0,
        "Europe/Berlin",
    )


def test_only_admins_subscribe(workspace: Workspace) -> None:
    refused = workspace.say("admin only-admins-subscribe on", MEMBER)
    assert "Only workspace admins and owners" in refused
    assert "Now only workspace admins" in workspace.say("admin only-admins-subscribe on", ADMIN)

    no = workspace.say("subscribe ukraine at 08:00", MEMBER)
    assert "only admins and owners can subscribe" in no
    reply = _new_topic_reply(workspace, "glacier melt", MEMBER)
    assert "only admins and owners" in workspace.click_subscribe(reply, MEMBER)["text"]
    assert workspace.core.subscriptions.for_team(TEAM) == []

    assert "Subscribed" in workspace.say("subscribe ukraine at 08:00", ADMIN)
    assert "Anyone can subscribe" in workspace.say("admin only-admins-subscribe off", ADMIN)
    assert "Subscribed" in workspace.say("subscribe glacier melt at 09:00", MEMBER)
    assert len(workspace.core.subscriptions.for_team(TEAM)) == 2


@pytest.mark.parametrize(
    "text",
    ["admin", "admin only-admins-subscribe", "admin only-admins-subscribe maybe", "admin x on"],
)
def test_bad_admin_commands_say_what_to_type(workspace: Workspace, text: str) -> None:
    reply = workspace.say(text, ADMIN)
    assert "/brief admin only-admins-subscribe on" in reply and "off" in reply
