"""OAuth distribution end to end over HTTP: install page → redirect with code and state →
installation stored → commands and digests of each workspace use that workspace's token;
forged or replayed state refused; uninstall pauses, `briefbot workspace delete` deletes."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.core import Briefbot
from bot.jobs.digest import run_digest
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack.posting import SlackPoster
from storage import subscriptions as subscription_store
from storage.models import Subscription
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import event_body, post_signed, slash_command_body
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, serve_app, write_articles

CLIENT_ID = "1234.5678"
CLIENT_SECRET = "oauth-client-secret-abcdef"
TEAMS = {"T0AAA": ("xoxb-team-a", "CA001"), "T0BBB": ("xoxb-team-b", "CB001")}


@dataclass
class OAuthApp:
    fake: FakeSlack
    runtime: Runtime
    base: str
    settings: Settings

    @property
    def events(self) -> str:
        return self.base + "/slack/events"


@pytest.fixture
def oauth_app(db: Database, tmp_path: Path) -> Iterator[OAuthApp]:
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
            yield OAuthApp(fake, app.runtime, app.base, settings)


def _install(app: OAuthApp, team_id: str, *, code: str) -> httpx.Response:
    """A browser going through the flow: install page, then Slack's redirect back."""
    token, _ = TEAMS[team_id]
    app.fake.add_installation(code, team_id=team_id, team_name=team_id, bot_token=token)
    with httpx.Client(base_url=app.base, trust_env=False) as browser:
        page = browser.get("/slack/install")
        assert page.status_code == 200
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
        assert link, page.text[:500]
        query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
        assert query["client_id"] == [CLIENT_ID]
        assert "chat:write" in query["scope"][0]
        return _redirect(browser, page, code=code, state=query["state"][0])


def _redirect(
    browser: httpx.Client, page: httpx.Response, *, code: str, state: str
) -> httpx.Response:
    """Slack sending the browser back. The state cookie is `Secure` (the app runs behind
    https), which httpx keeps off plain http: send it as the browser would."""
    cookie = page.headers.get("set-cookie", "").split(";", 1)[0]
    return browser.get(
        "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": cookie} if cookie else {},
    )


def _command(app: OAuthApp, team_id: str, text: str, response: str) -> None:
    _, channel = TEAMS[team_id]
    body = slash_command_body(
        text=text,
        team_id=team_id,
        channel_id=channel,
        user_id="U0001",
        response_url=app.fake.response_url(response),
    )
    assert post_signed(app.events, body, SIGNING_SECRET).status_code == 200


def _wait(condition, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_install_two_workspaces_each_posts_with_its_own_token(oauth_app: OAuthApp) -> None:
    app, fake = oauth_app, oauth_app.fake
    for team_id, code in (("T0AAA", "code-a"), ("T0BBB", "code-b")):
        done = _install(app, team_id, code=code)
        assert done.status_code == 200, done.text[:300]
        assert fake.calls_to("oauth.v2.access")[-1].params["code"] == code
    store = app.runtime.slack.installations
    assert store is not None
    assert store.find_bot(enterprise_id=None, team_id="T0AAA").bot_token == "xoxb-team-a"
    assert store.find_bot(enterprise_id=None, team_id="T0BBB").bot_token == "xoxb-team-b"

    # A slash command from each workspace: the brief is posted with that workspace's token.
    _command(app, "T0AAA", "river plan", "a-brief")
    _command(app, "T0BBB", "river plan", "b-brief")
    _wait(lambda: len([c for c in fake.calls_to("chat.postMessage") if c.ok]) == 2)
    # Each subscribes its channel; each sees only its own.
    _command(app, "T0AAA", "subscribe river plan at 08:00", "a-sub")
    _command(app, "T0BBB", "subscribe river plan at 09:00", "b-sub")
    _wait(lambda: fake.response_posts("a-sub") and fake.response_posts("b-sub"))
    _command(app, "T0BBB", "list", "b-list")
    _wait(lambda: fake.response_posts("b-list"))
    assert "08:00" not in str(fake.response_posts("b-list"))
    with app.runtime.core.factory() as session:
        subs = {s.team_id: s.id for s in session.scalars(select(Subscription))}
    assert set(subs) == {"T0AAA", "T0BBB"}

    # Scheduled digests resolve the installation's token per team, as jobs do.
    for team_id in ("T0AAA", "T0BBB"):
        assert (
            run_digest(app.runtime.core, SlackPoster(app.runtime.clients), subs[team_id]).status
            == "sent"
        )

    posts = [c for c in fake.calls_to("chat.postMessage") if c.ok]
    assert len(posts) == 4
    token_of_channel = {channel: token for token, channel in TEAMS.values()}
    for call in posts:
        assert call.token == token_of_channel[call.params["channel"]], call.brief()


def test_forged_and_replayed_state_is_refused(oauth_app: OAuthApp) -> None:
    app, fake = oauth_app, oauth_app.fake
    fake.add_installation("code-x", team_id="T0AAA", bot_token="xoxb-team-a")
    with httpx.Client(base_url=app.base, trust_env=False) as browser:
        forged = browser.get("/slack/oauth_redirect", params={"code": "code-x", "state": "made-up"})
    assert forged.status_code >= 400
    assert fake.calls_to("oauth.v2.access") == []

    with httpx.Client(base_url=app.base, trust_env=False) as browser:
        page = browser.get("/slack/install")
        state = re.search(r"state=([^&\"]+)", page.text)
        assert state
        first = _redirect(browser, page, code="code-x", state=state.group(1))
        assert first.status_code == 200
        again = _redirect(browser, page, code="code-x", state=state.group(1))
    assert again.status_code >= 400  # a state is good for one redirect
    assert len(fake.calls_to("oauth.v2.access")) == 1


def test_uninstall_pauses_and_workspace_delete_removes(
    oauth_app: OAuthApp, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, fake = oauth_app, oauth_app.fake
    for team_id, code in (("T0AAA", "code-a"), ("T0BBB", "code-b")):
        assert _install(app, team_id, code=code).status_code == 200
        _command(app, team_id, "subscribe river plan at 08:00", f"{team_id}-sub")
    _wait(lambda: fake.response_posts("T0AAA-sub") and fake.response_posts("T0BBB-sub"))

    body = event_body({"type": "app_uninstalled"}, team_id="T0AAA", event_id="EvUninstall")
    assert post_signed(app.events, body, SIGNING_SECRET).status_code == 200
    store = app.runtime.slack.installations
    assert store is not None
    _wait(lambda: store.find_bot(enterprise_id=None, team_id="T0AAA") is None)
    with app.runtime.core.factory() as session:
        _wait(lambda: all(s.paused for s in subscription_store.for_team(session, "T0AAA")))
    with app.runtime.core.factory() as session:
        assert [s.paused for s in subscription_store.for_team(session, "T0AAA")] == [True]
        assert [s.paused for s in subscription_store.for_team(session, "T0BBB")] == [False]
    assert store.find_bot(enterprise_id=None, team_id="T0BBB") is not None

    # The data stays until an admin deletes it.
    monkeypatch.setenv("DATABASE_URL", db.url)
    out = io.StringIO()
    assert main(["workspace", "delete", "T0AAA"], stdout=out) == 0
    assert "1 subscription," in out.getvalue() and "nothing deleted" in out.getvalue()
    out = io.StringIO()
    assert main(["workspace", "delete", "T0AAA", "--yes"], stdout=out) == 0
    assert "deleted workspace T0AAA" in out.getvalue()
    with db.factory() as session:
        teams = list(session.scalars(select(Subscription.team_id)))
        assert teams == ["T0BBB"]
        assert session.scalar(select(func.count()).select_from(Subscription)) == 1
    assert main(["workspace", "delete", "not-a-team"], stdout=io.StringIO()) == 2


def test_requested_scopes_are_the_manifests() -> None:
    import yaml

    from bot.slack.oauth import BOT_SCOPES, REDIRECT_PATH

    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert all(u.endswith(REDIRECT_PATH) for u in manifest["oauth_config"]["redirect_urls"])
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_expiring_bot_tokens_are_rotated_for_jobs(oauth_app: OAuthApp) -> None:
    app, fake = oauth_app, oauth_app.fake
    # The app has token rotation on: the installation comes with a refresh token and a bot
    # token that expires within the rotation margin.
    fake.add_installation(
        "code-r",
        team_id="T0AAA",
        bot_token="xoxb-team-a",
        refresh_token="xoxe-1-first",
        expires_in=600,
    )
    with httpx.Client(base_url=app.base, trust_env=False) as browser:
        page = browser.get("/slack/install")
        state = re.search(r"state=([^&\"]+)", page.text)
        assert state
        assert _redirect(browser, page, code="code-r", state=state.group(1)).status_code == 200
    store = app.runtime.slack.installations
    assert store is not None
    assert store.find_bot(enterprise_id=None, team_id="T0AAA").bot_refresh_token == "xoxe-1-first"

    fake.add_refresh(
        "xoxe-1-first",
        team_id="T0AAA",
        access_token="xoxb-team-a-rotated",
        new_refresh_token="xoxe-1-second",
    )
    client = app.runtime.clients("T0AAA")
    assert client.token == "xoxb-team-a-rotated"
    saved = store.find_bot(enterprise_id=None, team_id="T0AAA")
    assert saved.bot_token == "xoxb-team-a-rotated"
    assert saved.bot_refresh_token == "xoxe-1-second"
    # Fresh for 12 hours now: no second refresh.
    assert app.runtime.clients("T0AAA").token == "xoxb-team-a-rotated"
    refreshes = [
        c for c in fake.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1
