"""Distribution: Slack's OAuth v2 install flow and one bot token per installed workspace.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set, the app runs in OAuth mode:

- Bolt serves `/slack/install` (an "Add to Slack" page that sets a state cookie) and
  `/slack/oauth_redirect` (checks the state, exchanges the code with `oauth.v2.access`, stores
  the installation). State and installations live in the product's own database, in the tables
  slack_sdk's SQLAlchemy stores expect, created by our Alembic migration 0004 (never by
  `create_all` at run time).
- Every request is authorized with its workspace's bot token (Bolt's installation-store
  authorize), and every job resolves its team's token through `InstallationClients`, so a
  scheduled digest posts with the token of the workspace it posts into.
- Token rotation: when the app has it enabled, Slack issues expiring bot tokens with a refresh
  token; Bolt refreshes them for requests and `InstallationClients` for jobs, shortly before
  they expire, saving the new ones.

Why slack_sdk's stores and not our own tables: they are what Bolt's OAuth flow and token
rotation are written against (and tested with); our code only reads them through the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.errors import BriefbotError
from bot.manifest import BOT_SCOPES, REDIRECT_PATH  # one definition with the manifest's
from bot.service.database import Database
from bot.settings import Settings
from bot.slack.client import make_web_client

__all__ = [
    "BOT_SCOPES",
    "INSTALL_PATH",
    "REDIRECT_PATH",
    "InstallationClients",
    "NotInstalledError",
    "installation_store",
    "oauth_settings",
]

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
STATE_EXPIRATION_SECONDS = 600
# Refresh a rotating bot token this long before it expires (Bolt's default too).
ROTATE_MINUTES_BEFORE = 120


class NotInstalledError(BriefbotError):
    """The workspace has no installation (never installed, or uninstalled)."""


def installation_store(settings: Settings, database: Database) -> InstallationStore:
    assert settings.slack_client_id
    return database.installation_store(settings.slack_client_id)


def oauth_settings(settings: Settings, database: Database) -> OAuthSettings:
    assert settings.slack_client_id and settings.slack_client_secret
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store(settings, database),
        state_store=database.oauth_state_store(STATE_EXPIRATION_SECONDS),
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE,
    )


class InstallationClients:
    """ClientForTeam in OAuth mode: the installed bot token of each workspace."""

    def __init__(
        self,
        settings: Settings,
        store: InstallationStore,
        organization_of: Callable[[str], str | None] | None = None,
    ) -> None:
        """`organization_of(team_id)`: the workspace's Enterprise Grid organization, if known;
        an org-wide install's bot is stored under the organization, not the workspace."""
        assert settings.slack_client_id and settings.slack_client_secret
        self._settings = settings
        self._store = store
        self._organization_of = organization_of
        self._rotator = TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            client=WebClient(base_url=settings.slack_api_url),
        )

    def __call__(self, team_id: str) -> WebClient:
        bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None and self._organization_of is not None:
            enterprise_id = self._organization_of(team_id)
            if enterprise_id:
                bot = self._store.find_bot(
                    enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
                )
        if bot is None or not bot.bot_token:
            raise NotInstalledError(f"briefbot is not installed in workspace {team_id}")
        if bot.bot_refresh_token and bot.bot_token_expires_at is not None:
            expires = datetime.fromtimestamp(bot.bot_token_expires_at, UTC)
            log.debug("bot token of %s expires at %s", team_id, expires.isoformat())
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE
            )
            if refreshed is not None:
                self._store.save_bot(refreshed)
                bot = refreshed
        return make_web_client(self._settings, bot.bot_token)
