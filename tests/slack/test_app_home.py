"""End to end over HTTP (issue 16 item 6): App Home that manages digests. The tab is opened
(`app_home_opened`), its buttons clicked (`block_actions` from a view) and the modal submitted
(`view_submission`), as Slack sends them (payloads shaped as in bolt-python's tests), signed,
against the running app; the fake Slack records `views.open` and `views.publish`. What a user
would notice: the modal opens filled in, a digest is created and edited from it, a bad field
is named in the modal, and digests are paused, resumed and removed from the tab."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import Briefbot
from bot.service.subscriptions import SubscriptionInfo
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import block_actions, event_body, interaction_body, post_signed
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, CHANNEL, ELSEWHERE, USER, STRANGER = "T0001", "C0001", "C0009", "U0001", "U0999"


class Home:
    def __init__(self, app: RunningApp) -> None:
        self.app, self.fake = app, app.fake
        self._ids = itertools.count(1)
        self.fake.set_user_tz(USER, "Europe/Berlin")
        self.fake.set_members(CHANNEL, ["U0BOT", USER])
        self.fake.set_members(ELSEWHERE, [STRANGER])  # briefbot is not in it, nor the user

    @property
    def core(self) -> Briefbot:
        return self.app.core

    def _post(self, body: str) -> Any:
        response = post_signed(self.app.url, body, SIGNING_SECRET)
        assert response.status_code == 200, response.text
        return response

    def _published(self, count: int) -> dict[str, Any]:
        return self.fake.wait_for("views.publish", count=count, timeout=20)[count - 1].params[
            "view"
        ]

    def open_tab(self) -> dict[str, Any]:
        before = len(self.fake.calls_to("views.publish"))
        event = {"type": "app_home_opened", "user": USER, "channel": "D0001", "tab": "home"}
        self._post(event_body(event, team_id=TEAM))
        return self._published(before + 1)

    def click(self, view: dict[str, Any], action_id: str, value: str, user: str = USER) -> None:
        """A button of the Home tab, clicked: `block_actions` from a view."""
        button = {
            "type": "button",
            "action_id": action_id,
            "block_id": "b",
            "text": {"type": "plain_text", "text": "x"},
            "value": value,
        }
        payload = block_actions(
            button,
            user_id=user,
            team_id=TEAM,
            view={**view, "id": "V0HOME"},
            trigger_id=f"111.222.{next(self._ids)}",
        )
        self._post(interaction_body(payload))

    def press(self, action_id: str, value: str, user: str = USER) -> dict[str, Any]:
        """Press a digest's button on the tab; the tab published after it."""
        before = len(self.fake.calls_to("views.publish"))
        self.click(self.open_tab(), action_id, value, user)
        return self._published(before + 2)

    def open_modal(self, action_id: str = "home_add", value: str = "new") -> dict[str, Any]:
        before = len(self.fake.calls_to("views.open"))
        self.click(self.open_tab(), action_id, value)
        return self.fake.wait_for("views.open", count=before + 1, timeout=20)[before].params["view"]

    def submit(self, modal: dict[str, Any], **changes: Any) -> Any:
        """Submit the modal as filled in, with `changes` (block id → value) made; Slack's
        HTTP response to the submission (empty, or `response_action: errors`)."""
        values = {}
        for block in modal["blocks"]:
            element = block["element"]
            kind = element["type"]
            state: dict[str, Any] = {"type": kind}
            value = changes.get(block["block_id"], _initial(element))
            if kind == "conversations_select":
                state["selected_conversation"] = value
            elif kind == "timepicker":
                state["selected_time"] = value
            elif kind in ("static_select", "radio_buttons"):
                state["selected_option"] = (
                    {"text": {"type": "plain_text", "text": value}, "value": value}
                    if value
                    else None
                )
            else:
                state["value"] = value
            values[block["block_id"]] = {element["action_id"]: state}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "workspace-domain"},
            "user": {"id": USER, "username": "u", "name": "u", "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "verification_token",
            "trigger_id": f"111.222.submit{next(self._ids)}",  # no two bodies alike (replays)
            "view": {
                **modal,
                "id": "V0MODAL",
                "team_id": TEAM,
                "state": {"values": values},
                "hash": "1596530361.3wRYuk3R",
                "previous_view_id": None,
                "root_view_id": "V0MODAL",
                "app_id": "A0001",
                "bot_id": "B0BOT",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return self._post(interaction_body(payload))

    def digests(self) -> list[SubscriptionInfo]:
        return self.core.subscriptions.for_team(TEAM)


def _initial(element: dict[str, Any]) -> Any:
    for key in ("initial_conversation", "initial_value", "initial_time"):
        if key in element:
            return element[key]
    option = element.get("initial_option")
    return option["value"] if option else None


def _text(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


def _wait(condition: Any) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.fixture
def home(db: Database, tmp_path: Path) -> Iterator[Home]:
    with FakeSlack() as fake:
        settings = settings_for(db.url, fake)
        core = Briefbot(settings, engine=db.engine, migrate=False)
        with serve_app(settings, core, fake) as app:
            yield Home(app)


def test_the_modal_creates_and_edits_a_digest(home: Home) -> None:
    tab = home.open_tab()
    assert "Add a digest" in _text(tab) and "None yet." in _text(tab)

    modal = home.open_modal()
    assert modal["type"] == "modal" and modal["title"]["text"] == "New digest"
    zone = next(b for b in modal["blocks"] if b["block_id"] == "timezone")["element"]
    assert zone["initial_option"]["value"] == "Europe/Berlin"  # the user's own time zone
    published = len(home.fake.calls_to("views.publish"))
    response = home.submit(
        modal,
        channel=CHANNEL,
        topic="River Plan",
        time="07:30",
        rhythm="weekly on monday",
        filters="-sport -outlet:example.com",
        length="short",
        language="DE",
    )
    assert not response.content.strip()  # accepted: the modal closes
    tab = home._published(published + 1)  # the tab again, saying what was done
    (digest,) = home.digests()
    assert (digest.topic, digest.channel_id, digest.hour, digest.minute) == (
        "river plan",
        CHANNEL,
        7,
        30,
    )
    assert digest.describe() == "weekly on Monday at 07:30 (Europe/Berlin)"
    assert digest.filters.text == "-sport -outlet:example.com" and digest.length == "short"
    assert digest.language == "de"
    assert "Added: a digest of *river plan*" in _text(tab)
    assert "lang:de" in _text(tab)

    # Edit: the modal opens with the digest's settings; change the rhythm to twice a day.
    edit = home.open_modal("home_edit", str(digest.id))
    assert edit["title"]["text"] == "Edit digest"
    initial = {b["block_id"]: _initial(b["element"]) for b in edit["blocks"]}
    assert initial["topic"] == "river plan" and initial["time"] == "07:30"
    assert initial["filters"] == "-sport -outlet:example.com" and initial["length"] == "short"
    assert initial["language"] == "de"
    home.submit(edit, rhythm="twice daily", second_time="17:00", filters="", language="")
    _wait(lambda: home.digests()[0].rhythm.kind == "twice_daily")
    (edited,) = home.digests()
    assert edited.id == digest.id
    assert edited.describe() == "twice a day at 07:30 and 17:00 (Europe/Berlin)"
    assert edited.filters.is_empty and edited.language is None
    assert home.fake.violations == [] and home.fake.unexpected == []


def test_invalid_submissions_name_the_field(home: Home) -> None:
    modal = home.open_modal()

    def errors(**changes: Any) -> dict[str, str]:
        body = home.submit(modal, **{"channel": CHANNEL, "topic": "ukraine", **changes}).json()
        assert body["response_action"] == "errors"
        return body["errors"]

    assert "plain words" in errors(topic="<!here> news")["topic"]
    assert "Which topic" in errors(topic="")["topic"]
    assert "second time" in errors(rhythm="twice daily", second_time=None)["second_time"]
    assert "filters" not in errors(topic="")  # a valid field is not named
    assert "outlet" in errors(filters="-outlet:not a domain")["filters"]
    assert "two-letter language code" in errors(language="german")["language"]
    assert "channels you are in" in errors(channel=ELSEWHERE)["channel"]
    home.fake.set_members(ELSEWHERE, [STRANGER, USER])
    assert "Invite me" in errors(channel=ELSEWHERE)["channel"]  # briefbot is not in it
    assert home.digests() == []


def test_pause_resume_and_remove_from_the_tab(home: Home) -> None:
    saved, _ = home.core.subscriptions.subscribe(
        team_id=TEAM,
        channel_id=CHANNEL,
        topic="river plan",
        hour=8,
        minute=0,
        timezone="Europe/Berlin",
        user_id=USER,
    )
    tab = home.open_tab()
    assert "home_pause" in _text(tab) and "Sources of these topics" in _text(tab)
    assert "found by a news search" in _text(tab)  # the topic has no sources of its own

    refused = home.press("home_pause", str(saved.id), user=STRANGER)
    assert "Only members of" in _text(refused)
    assert not home.digests()[0].paused

    paused = home.press("home_pause", str(saved.id))
    assert "Paused the digest" in _text(paused) and "home_resume" in _text(paused)
    assert home.digests()[0].paused

    resumed = home.press("home_resume", str(saved.id))
    assert "Resumed the digest" in _text(resumed)
    assert not home.digests()[0].paused

    removed = home.press("home_remove", str(saved.id))
    assert "Removed the digest" in _text(removed)
    assert home.digests() == []
    # A digest of another workspace, named by a forged value: not found here.
    assert "That digest is gone" in _text(home.press("home_remove", "999"))
