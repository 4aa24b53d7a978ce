"""End to end over HTTP (issue 16 item 7): a digest posted by the digest job carries "Pause",
"Unsubscribe" (behind a confirm dialog) and "Sources" buttons; clicking them sends signed
`block_actions` payloads shaped as Slack sends them (as in bolt-python's tests). Only members
of the channel (Slack `conversations.members`, answered by the fake) change anything; a button
naming another channel's digest finds nothing."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core import Briefbot
from bot.jobs.digest import run_digest
from bot.render.digest_actions import (
    PAUSE_ACTION_ID,
    SOURCES_ACTION_ID,
    UNSUBSCRIBE_ACTION_ID,
)
from bot.slack.client import SingleWorkspaceClients
from bot.slack.posting import SlackPoster
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import (
    block_actions,
    interaction_body,
    post_signed,
    slash_command_body,
)
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, CHANNEL, OTHER = "T0001", "C0001", "C0002"
MEMBER, STRANGER = "U0001", "U0999"
TOPIC = "river plan"
TEXT = (
    "Engineers found cracks in the river plan's old weir on Monday, the authority said. "
    "Repairs will cost 2 million euros and close the towpath for a month.\n\n"
    "It is unclear whether the insurer will pay for the damage.\n\n"
    "The council will review the timetable at its next meeting."
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Digests:
    def __init__(self, app: RunningApp, clock: Clock, tmp: Path) -> None:
        self.app, self.fake, self.clock = app, app.fake, clock
        self.poster = SlackPoster(SingleWorkspaceClients(app.core.settings, app.runtime.client))
        self._ids = itertools.count(1)
        folder = tmp / "articles"
        folder.mkdir()
        (folder / "a.md").write_text(
            "---\ntitle: River plan weir cracks\noutlet: Riverside Post\n"
            "published: 2026-03-10T05:00:00+00:00\nurl: https://riverside.example.org/weir\n"
            f"---\n{TEXT}\n"
        )
        self.core.ingest([str(folder)], topic=TOPIC)
        self.fake.set_members(CHANNEL, ["U0BOT", MEMBER])
        self.fake.set_members(OTHER, ["U0BOT", MEMBER, STRANGER])

    @property
    def core(self) -> Briefbot:
        return self.app.core

    def say(self, text: str, channel: str = CHANNEL) -> str:
        rid = f"cmd{next(self._ids)}"
        body = slash_command_body(
            text=text,
            team_id=TEAM,
            channel_id=channel,
            user_id=MEMBER,
            response_url=self.fake.response_url(rid),
        )
        assert post_signed(self.app.url, body, SIGNING_SECRET).status_code == 200
        return str(self._reply(rid)["text"])

    def _reply(self, rid: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while not (posts := self.fake.response_posts(rid)):
            assert time.monotonic() < deadline, self.fake.describe_calls()
            time.sleep(0.02)
        return posts[-1]

    def subscription_id(self, channel: str = CHANNEL) -> int:
        (sub,) = self.core.subscriptions.for_team(TEAM, channel)
        return sub.id

    def digest(self, channel: str = CHANNEL) -> dict[str, Any]:
        """The digest job at 08:00 Berlin; the message it posted."""
        self.clock.now = datetime(2026, 3, 10, 7, 0, 5, tzinfo=UTC)
        assert run_digest(self.core, self.poster, self.subscription_id(channel)).status == "sent"
        return self.fake.posted_messages(channel)[-1]

    def click(
        self, posted: dict[str, Any], action_id: str, user: str, *, channel: str = CHANNEL
    ) -> dict[str, Any]:
        """Press one of the digest's buttons as `user`; what the click's response_url got."""
        blocks = posted["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        actions = next(b for b in blocks if b["type"] == "actions")
        button = next(e for e in actions["elements"] if e["action_id"] == action_id)
        rid = f"click{next(self._ids)}"
        payload = block_actions(
            {**button, "block_id": actions["block_id"]},
            user_id=user,
            team_id=TEAM,
            channel_id=channel,
            message={"ts": "1700000001.000100", "blocks": blocks},
            response_url=self.fake.response_url(rid),
        )
        response = post_signed(self.app.url, interaction_body(payload), SIGNING_SECRET)
        assert response.status_code == 200
        return self._reply(rid)


@pytest.fixture
def digests(db: Database, tmp_path: Path) -> Iterator[Digests]:
    clock = Clock(datetime(2026, 3, 10, 6, tzinfo=UTC))
    with FakeSlack() as fake:
        fake.set_user_tz(MEMBER, "Europe/Berlin")
        settings = settings_for(db.url, fake, SUMMARIZER="extractive", FEED_MAX_PAGE_FETCHES="0")
        core = Briefbot(settings, engine=db.engine, clock=clock, migrate=False)
        with serve_app(settings, core, fake) as app:
            yield Digests(app, clock, tmp_path)


def _buttons(posted: dict[str, Any]) -> dict[str, dict[str, Any]]:
    blocks = posted["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    return {e["text"]["text"]: e for e in actions["elements"]}


def test_a_digest_has_pause_unsubscribe_and_sources_buttons(digests: Digests) -> None:
    digests.say(f"subscribe {TOPIC} at 08:00")
    buttons = _buttons(digests.digest())
    assert list(buttons) == ["Pause", "Unsubscribe", "Sources"]
    confirm = buttons["Unsubscribe"]["confirm"]  # Slack asks before it sends the click
    assert confirm["confirm"]["text"] == "Unsubscribe" and "River Plan" in confirm["text"]["text"]
    assert digests.fake.violations == []


def test_pause_from_the_digest_by_a_member_and_not_by_a_stranger(digests: Digests) -> None:
    digests.say(f"subscribe {TOPIC} at 08:00")
    posted = digests.digest()

    refused = digests.click(posted, PAUSE_ACTION_ID, STRANGER)
    assert refused["response_type"] == "ephemeral"
    assert f"Only members of <#{CHANNEL}>" in refused["text"]
    assert "paused" not in digests.say("list")

    done = digests.click(posted, PAUSE_ACTION_ID, MEMBER)
    assert done["response_type"] == "in_channel" and done["replace_original"] is False
    assert f"<@{MEMBER}> paused the digest of *river plan*" in done["text"]
    assert "until you resume it" in digests.say("list")
    assert digests.fake.calls_to("conversations.members")


def test_unsubscribe_and_sources_from_the_digest(digests: Digests) -> None:
    digests.say(f"subscribe {TOPIC} at 08:00")
    posted = digests.digest()

    sources = digests.click(posted, SOURCES_ACTION_ID, MEMBER)
    assert sources["response_type"] == "ephemeral"
    assert "Sources of *river plan*" in sources["text"] and "local file" in sources["text"]

    gone = digests.click(posted, UNSUBSCRIBE_ACTION_ID, MEMBER)
    assert "unsubscribed this channel from the digest of *river plan*" in gone["text"]
    assert "No digests in this channel" in digests.say("list")
    # The button again: the digest is gone, said to the clicker only.
    again = digests.click(posted, UNSUBSCRIBE_ACTION_ID, MEMBER)
    assert again["response_type"] == "ephemeral" and "no longer subscribed" in again["text"]


def test_a_button_cannot_reach_another_channels_digest(digests: Digests) -> None:
    """The digest of C0001, its buttons clicked in C0002 (a forged or copied message): the
    subscription is looked up in the channel of the click, so nothing changes."""
    digests.say(f"subscribe {TOPIC} at 08:00")
    posted = digests.digest()
    reply = digests.click(posted, UNSUBSCRIBE_ACTION_ID, STRANGER, channel=OTHER)
    assert "no longer subscribed" in reply["text"]
    assert TOPIC in digests.say("list")
