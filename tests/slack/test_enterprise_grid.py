"""Enterprise Grid org-wide installs, end to end against the fake Slack.

With an org-wide install every request's authorization belongs to the organization
(`authorizations[0].team_id` is null, `is_enterprise_install` true) and Bolt's
`context.team_id` is None. Payloads are shaped after Slack's own SDK tests (bolt-python's
tests/scenario_tests/test_events_org_apps.py).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bot.core import Briefbot
from bot.settings import Settings
from storage import subscriptions as subscription_store
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_callback, post_signed, slash_command_body
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, write_articles
from tests.slack.test_oauth import CLIENT_ID, CLIENT_SECRET, _redirect

ORG = "E0GRID1"
GRID_TEAMS = {"T0GRIDA": "CGA01", "T0GRIDB": "CGB01"}
OTHER_TEAM, OTHER_CHANNEL = "T0OTHER", "COT01"
ORG_AUTHORIZATION = {
    "enterprise_id": ORG,
    "team_id": None,
    "user_id": "W0BOT",
    "is_bot": True,
    "is_enterprise_install": True,
}


def _wait(condition: Callable[[], Any], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _org_command(app: RunningApp | Any, team_id: str, channel: str, text: str, rid: str) -> None:
    body = slash_command_body(
        text=text,
        team_id=team_id,
        channel_id=channel,
        user_id="W0USER",
        response_url=app.fake.response_url(rid),
        enterprise_id=ORG,
        enterprise_name="Grid Org",
        is_enterprise_install="true",
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def _org_event(app: RunningApp | Any, event: dict[str, Any], team_id: str | None) -> None:
    envelope = event_callback(event, team_id or ORG, authorizations=[ORG_AUTHORIZATION])
    envelope["enterprise_id"] = ORG
    if team_id is None:  # an org-level event names only the organization
        del envelope["team_id"]
    response = post_signed(app.url, json.dumps(envelope), SIGNING_SECRET)
    assert response.status_code == 200


def _subscribe_everywhere(app: RunningApp) -> None:
    for team_id, channel in GRID_TEAMS.items():
        _org_command(app, team_id, channel, "subscribe river plan at 08:00 UTC", f"sub-{team_id}")
    other = slash_command_body(
        text="subscribe river plan at 08:00 UTC",
        team_id=OTHER_TEAM,
        channel_id=OTHER_CHANNEL,
        response_url=app.fake.response_url("sub-other"),
    )
    assert post_signed(app.url, other, SIGNING_SECRET).status_code == 200
    _wait(lambda: all(app.fake.response_posts(f"sub-{t}") for t in GRID_TEAMS))
    _wait(lambda: app.fake.response_posts("sub-other"))


def _paused(app: RunningApp) -> dict[str, list[bool]]:
    with app.core.factory() as session:
        return {
            team: [s.paused for s in subscription_store.for_team(session, team)]
            for team in (*GRID_TEAMS, OTHER_TEAM)
        }


def test_org_wide_install_home_tab_and_org_uninstall(running_app: RunningApp) -> None:
    app = running_app
    _subscribe_everywhere(app)
    assert _paused(app) == {"T0GRIDA": [False], "T0GRIDB": [False], OTHER_TEAM: [False]}

    # App Home opened in one workspace of the org: published, with that workspace's digests
    _org_event(
        app,
        {"type": "app_home_opened", "user": "W0USER", "channel": "D0HOME", "tab": "home"},
        "T0GRIDA",
    )
    _wait(lambda: app.fake.calls_to("views.publish"))
    publish = app.fake.calls_to("views.publish")[0]
    assert publish.params["user_id"] == "W0USER"
    view = json.dumps(publish.params["view"])
    assert "CGA01" in view and "CGB01" not in view and "COT01" not in view

    # The organization removes the app: every workspace of it paused, nobody else
    _org_event(app, {"type": "app_uninstalled"}, None)
    _wait(lambda: _paused(app)["T0GRIDB"] == [True])
    _wait(lambda: _paused(app)["T0GRIDA"] == [True])
    assert _paused(app)[OTHER_TEAM] == [False]


def test_org_level_bot_token_revoked_pauses_the_org(running_app: RunningApp) -> None:
    app = running_app
    _subscribe_everywhere(app)
    _org_event(app, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["W0BOT"]}}, None)
    _wait(lambda: _paused(app) == {"T0GRIDA": [True], "T0GRIDB": [True], OTHER_TEAM: [False]})


def test_thread_question_in_an_org_workspace_is_answered(running_app: RunningApp) -> None:
    app = running_app
    _org_command(app, "T0GRIDA", "CGA01", "river plan", "brief-a")
    app.fake.wait_for("chat.postMessage", timeout=20)
    root_ts = app.fake.calls_to("chat.postMessage")[0].response["ts"]
    _org_event(
        app,
        {
            "type": "message",
            "user": "W0USER",
            "text": "When will construction begin?",
            "ts": "1800000000.000100",
            "thread_ts": root_ts,
            "channel": "CGA01",
            "team": "T0GRIDA",
            "channel_type": "channel",
        },
        "T0GRIDA",
    )
    app.fake.wait_for("chat.postMessage", count=2, timeout=20)
    reply = app.fake.calls_to("chat.postMessage")[1]
    assert reply.params["thread_ts"] == root_ts and reply.params["channel"] == "CGA01"
    assert "September" in json.dumps(reply.params)


def test_oauth_org_wide_install_serves_every_workspace_with_the_org_token(
    db: Database, tmp_path: Path
) -> None:
    with FakeSlack() as fake:
        settings = Settings.from_env(
            environ={
                "DATABASE_URL": db.url,
                "SLACK_CLIENT_ID": CLIENT_ID,
                "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.base_url,
                "NEWS_SEARCH_FEED_URL": fake.base_url + "nosuchfeed?q={query}",
                "FETCH_ALLOW_PRIVATE": "true",
            },
            dotenv_path=None,
        )
        core = Briefbot(settings, engine=db.engine)
        core.ingest(
            [str(write_articles(tmp_path / "articles", core.clock().isoformat()))],
            topic="river plan",
        )
        with serve_app(settings, core, fake) as app:
            fake.add_installation(
                "code-org",
                team_id="T0GRIDA",
                bot_token="xoxb-org-token",
                enterprise_id=ORG,
                team=None,
                is_enterprise_install=True,
            )
            with httpx.Client(base_url=app.base, trust_env=False) as browser:
                page = browser.get("/slack/install")
                state = re.search(r"state=([^&\"]+)", page.text)
                assert state
                done = _redirect(browser, page, code="code-org", state=state.group(1))
                assert done.status_code == 200, done.text[:300]
            store = app.runtime.slack.installations
            assert store is not None
            bot = store.find_bot(enterprise_id=ORG, team_id=None, is_enterprise_install=True)
            assert bot is not None and bot.bot_token == "xoxb-org-token"

            _subscribe_everywhere(app)
            # jobs (digests) find the org's token for each of its workspaces
            for team_id in GRID_TEAMS:
                assert app.runtime.clients(team_id).token == "xoxb-org-token"
            # a brief in an org workspace is posted with it
            _org_command(app, "T0GRIDB", "CGB01", "river plan", "brief-b")
            _wait(lambda: fake.posted_messages("CGB01"))
            posts = [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == "CGB01"]
            assert posts and posts[0].token == "xoxb-org-token"

            _org_event(app, {"type": "app_uninstalled"}, None)
            _wait(
                lambda: (
                    store.find_bot(enterprise_id=ORG, team_id=None, is_enterprise_install=True)
                    is None
                )
            )
            _wait(lambda: _paused(app)["T0GRIDA"] == [True] and _paused(app)["T0GRIDB"] == [True])


def test_origin_of_org_payloads() -> None:
    from bot.slack.teams import Origin, origin

    org_event = event_callback({"type": "app_home_opened", "user": "W1"}, "T0GRIDA")
    org_event.update(enterprise_id=ORG, authorizations=[ORG_AUTHORIZATION])
    assert origin(org_event) == Origin("T0GRIDA", ORG, True)
    # Bolt's context (None for org installs) does not hide the workspace the payload names
    assert origin(org_event, None, ORG) == Origin("T0GRIDA", ORG, True)
    # an org-level event: no workspace; an E… id in a team field is not a workspace
    org_level = {**org_event, "team_id": ORG}
    assert origin(org_level) == Origin(None, ORG, True)
    # the App Home view names the workspace too
    view_only = {
        "enterprise_id": ORG,
        "authorizations": [ORG_AUTHORIZATION],
        "event": {"type": "app_home_opened", "view": {"team_id": "T0GRIDB"}},
    }
    assert origin(view_only) == Origin("T0GRIDB", ORG, True)
    command = {"team_id": "T0GRIDA", "enterprise_id": ORG, "is_enterprise_install": "true"}
    assert origin(command) == Origin("T0GRIDA", ORG, True)
    plain = event_callback({"type": "message"}, "T0PLAIN")
    assert origin(plain, "T0PLAIN", None) == Origin("T0PLAIN", None, False)
