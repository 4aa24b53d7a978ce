"""Workspace-level events: the App Home tab, the Enterprise Grid organization a workspace
belongs to, and the app being removed from a workspace or an organization."""

from __future__ import annotations

import logging
from typing import Any

from bot.core import Briefbot
from bot.errors import NotFoundError
from bot.service.topics import SourceInfo
from bot.slack.brief_command import SubscriptionHooks
from bot.slack.client import ClientForTeam
from bot.slack.home import MAX_TOPICS, HomeDigest, home_view
from bot.slack.teams import Origin

log = logging.getLogger(__name__)


class WorkspaceEvents:
    def __init__(
        self,
        core: Briefbot,
        clients: ClientForTeam,
        hooks: SubscriptionHooks | None = None,
        installations: Any | None = None,
    ) -> None:
        self.core = core
        self.clients = clients
        self.hooks = hooks
        # OAuth mode: where workspaces' installations live (None with a single bot token); a
        # slack_sdk InstallationStore.
        self.installations = installations
        # Workspaces already recorded with their organization by this process (see remember_team).
        self._teams_seen: set[Origin] = set()

    # -- the app removed from a workspace ------------------------------------------------------

    def workspace_uninstalled(self, *, team_id: str, enterprise_id: str | None) -> int:
        """Forget the workspace's tokens and pause its subscriptions; keep its data until an
        admin runs `briefbot workspace delete TEAM_ID`. Returns how many were paused."""
        if self.installations is not None:
            self.installations.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        paused = self.core.subscriptions.pause_team(team_id)
        if self.hooks is not None:
            for subscription_id in paused:
                self.hooks.unscheduled(subscription_id)
        log.info("workspace %s uninstalled: %d subscriptions paused", team_id, len(paused))
        return len(paused)

    # -- Enterprise Grid ------------------------------------------------------------------------

    def remember_team(self, origin: Origin) -> None:
        """Record which organization a workspace belongs to, once per process per workspace:
        an org-level uninstall names only the organization."""
        if origin.team_id is None or origin in self._teams_seen:
            return
        self.core.workspaces.remember(origin.team_id, origin.enterprise_id, origin.org_wide)
        self._teams_seen.add(origin)

    def organization_uninstalled(self, enterprise_id: str) -> int:
        """An org-wide install removed (or its bot token revoked): forget the organization's
        tokens and pause the subscriptions of every workspace of it we know. Returns how many
        were paused."""
        if self.installations is not None:
            self.installations.delete_all(enterprise_id=enterprise_id, team_id=None)
        teams = self.core.workspaces.teams_of(enterprise_id)
        paused = sum(
            self.workspace_uninstalled(team_id=team, enterprise_id=enterprise_id) for team in teams
        )
        self._teams_seen.clear()
        log.info(
            "organization %s uninstalled: %d subscriptions paused in %d workspaces",
            enterprise_id,
            paused,
            len(teams),
        )
        return paused

    # -- App Home ----------------------------------------------------------------------------

    def publish_home(self, *, team_id: str, user_id: str, notice: str | None = None) -> None:
        """The App Home tab of `user_id`: the workspace's digests with their buttons, the
        health of their topics' sources, the latest briefs; `notice` shown first."""
        home = self.core.workspaces.home(team_id)
        now = self.core.clock()
        digests = [
            HomeDigest(
                id=s.id,
                topic=s.topic,
                channel_id=s.channel_id,
                when=s.describe(),
                length=s.length,
                filters=s.filters.text,
                paused=s.pause_text(now),
                language=s.language,
            )
            for s in home.subscriptions
        ]
        topics = list(dict.fromkeys(s.topic for s in home.subscriptions))[:MAX_TOPICS]
        sources = [(topic, self._sources(topic)) for topic in topics]
        latest = [(p.topic, p.kind, p.channel_id, p.sent_at) for p in home.latest]
        self.clients(team_id).views_publish(
            user_id=user_id, view=home_view(digests, latest, sources, notice=notice)
        )

    def _sources(self, topic: str) -> list[SourceInfo]:
        try:
            return self.core.topic_sources(topic)
        except NotFoundError:
            return []
