"""End to end over HTTP with the fake Slack (issue 17 item 4, Must show): 👎 on an outlet's
bullet — a `block_actions` payload shaped as Slack sends it for an overflow menu — is thanked
ephemerally, lowers that outlet in the channel's next brief, and not in another workspace's
channel of the same id; `/brief why` says what changed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import Briefbot
from bot.render.feedback_value import parse
from testkit.slackfake.server import RESPONSE_URL, FakeSlack
from testkit.slackfake.signing import (
    block_actions,
    interaction_body,
    post_signed,
    slash_command_body,
)
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TOPIC = "harbour works"
TEAM, OTHER_TEAM, CHANNEL = "T0001", "T0002", "C0001"
DISLIKED = "Bay Gazette"
ARTICLES = {
    "a.md": (
        "Harbour works approved",
        "Coast Herald",
        "https://coast.example.com/harbour",
        "The port authority approved the harbour works on Monday, committing 12 million euros "
        "to a new breakwater.\n\nIt is unclear whether the fishing fleet will be compensated "
        "during construction.\n\nDredging will begin in April, and the authority will publish "
        "a timetable next week.",
    ),
    "b.md": (
        "Harbour dredging to start",
        DISLIKED,
        "https://bay.example.org/dredging",
        "Dredging of the harbour entrance starts in April under a contract awarded to a Dutch "
        "firm for 3 million euros.\n\nNobody has said where the dredged sand will be dumped.\n\n"
        "The contractor will set up a site office in March.",
    ),
    "c.md": (
        "Ferry routes change for harbour works",
        "Island Daily",
        "https://island.example.net/ferries",
        "Ferry routes to the islands will move to the north quay for eighteen months while the "
        "breakwater is built.\n\nIt is not known whether ticket prices will rise.\n\nThe ferry "
        "company will announce the new timetable in February.",
    ),
}


@pytest.fixture
def harbour_app(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningApp]:
    settings = settings_for(db.url, fake_slack)
    core = Briefbot(settings, engine=db.engine)
    folder = tmp_path / "articles"
    folder.mkdir()
    published = core.clock().isoformat()
    for name, (title, outlet, url, text) in ARTICLES.items():
        (folder / name).write_text(
            f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\nurl: {url}\n---\n"
            f"{text}\n"
        )
    core.ingest([str(folder)], topic=TOPIC)
    with serve_app(settings, core, fake_slack) as app:
        yield app


def _command(app: RunningApp, text: str, team: str, response: str) -> None:
    body = slash_command_body(
        text=text,
        team_id=team,
        channel_id=CHANNEL,
        user_id="U0001",
        response_url=app.fake.response_url(response),
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def _posted_brief(app: RunningApp, team: str, n: int) -> dict[str, Any]:
    _command(app, TOPIC, team, f"brief{n}")
    return app.fake.wait_for("chat.postMessage", count=n, timeout=30)[n - 1].params


def _blocks(posted: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = posted["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _bullet_outlets(posted: dict[str, Any]) -> list[tuple[str, ...]]:
    """Each bullet's outlets, in the order the brief shows them (read from its 👎 option)."""
    out = []
    for block in _blocks(posted):
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "overflow":
            vote = parse(accessory["options"][1]["value"])
            assert vote is not None
            out.append(vote.outlets)
    return out


def _sources_order(posted: dict[str, Any]) -> list[str]:
    text = "\n".join(
        b["text"]["text"]
        for b in _blocks(posted)
        if b["type"] == "section" and "Sources" in b["text"]["text"]
    )
    found = [(text.index(o), o) for o in ("Coast Herald", DISLIKED, "Island Daily") if o in text]
    return [o for _, o in sorted(found)]


def _outlets_of(value: str) -> tuple[str, ...]:
    vote = parse(value)
    return vote.outlets if vote is not None else ()


def _first_index(bullets: list[tuple[str, ...]], outlet: str) -> int:
    return next(i for i, outlets in enumerate(bullets) if outlet in outlets)


def _block_actions(
    posted: dict[str, Any], ts: str, user: str, response: str, fake: FakeSlack
) -> str:
    """The overflow choice "👎 Not useful" on the disliked outlet's bullet, as Slack posts it."""
    block = next(
        b
        for b in _blocks(posted)
        if (b.get("accessory") or {}).get("type") == "overflow"
        and DISLIKED in _outlets_of(b["accessory"]["options"][1]["value"])
    )
    option = block["accessory"]["options"][1]
    overflow = {
        "type": "overflow",
        "action_id": block["accessory"]["action_id"],
        "block_id": block.get("block_id", "b1"),
        "selected_option": option,
    }
    payload = block_actions(
        overflow,
        user_id=user,
        team_id=TEAM,
        channel_id=CHANNEL,
        message={"ts": ts, "text": posted["text"], "blocks": _blocks(posted)},
        response_url=fake.response_url(response),
    )
    return interaction_body(payload)


def test_not_useful_lowers_the_outlet_in_this_channel_only(harbour_app: RunningApp) -> None:
    app, fake = harbour_app, harbour_app.fake
    first = _posted_brief(app, TEAM, 1)
    before = _bullet_outlets(first)
    assert _first_index(before, DISLIKED) == 0  # the disliked outlet leads the brief
    assert _sources_order(first)[0] == DISLIKED
    ts = fake.wait_for("chat.postMessage", timeout=5)[0].response["ts"]

    for n, user in enumerate(("U0001", "U0002"), start=1):
        started = time.perf_counter()
        response = post_signed(
            app.url, _block_actions(first, ts, user, f"fb{n}", fake), SIGNING_SECRET
        )
        assert response.status_code == 200 and time.perf_counter() - started < 3.0
    fake.wait_for(RESPONSE_URL, count=2, timeout=20)
    thanks = fake.response_posts("fb1")[0]
    assert thanks["response_type"] == "ephemeral"
    assert (
        f"Thanks — briefs in <#{CHANNEL}> will show fewer items from *{DISLIKED}*"
        in (thanks["text"])
    )

    # The channel's next brief: the outlet's bullet and its source move down; nothing removed.
    second = _posted_brief(app, TEAM, 2)
    after = _bullet_outlets(second)
    assert _first_index(after, DISLIKED) > _first_index(before, DISLIKED)
    assert _sources_order(second)[-1] == DISLIKED
    assert sorted(after) == sorted(before)

    # The same channel id in another workspace: untouched.
    other = _posted_brief(app, OTHER_TEAM, 3)
    assert _bullet_outlets(other) == before
    assert _sources_order(other) == _sources_order(first)

    # /brief why says what changed, here and (nothing) there.
    _command(app, f"why {TOPIC}", TEAM, "why1")
    _command(app, f"why {TOPIC}", OTHER_TEAM, "why2")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (
        fake.response_posts("why1") and fake.response_posts("why2")
    ):
        time.sleep(0.05)
    why = fake.response_posts("why1")[0]["text"]
    assert f"*{DISLIKED}* ranked down (👎 2;" in why
    assert "No feedback in this channel yet" in fake.response_posts("why2")[0]["text"]
    assert fake.violations == [] and fake.unexpected == []


def test_why_without_a_topic_says_what_to_type(harbour_app: RunningApp) -> None:
    body = slash_command_body(
        text="why",
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id="U0001",
        response_url=harbour_app.fake.response_url("w"),
    )
    response = post_signed(harbour_app.url, body, SIGNING_SECRET)
    assert response.status_code == 200 and "/brief why ukraine" in response.text
