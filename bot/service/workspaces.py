"""Workspaces: which Enterprise Grid organization a workspace belongs to, what App Home shows
it, and deleting its data once the app is gone (`briefbot workspace delete`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.service.deliveries import Deliveries, PostedMessage
from bot.service.subscriptions import SubscriptionInfo, Subscriptions
from storage import teams as team_store
from storage import workspaces as workspace_store
from storage.db import transaction


@dataclass(frozen=True)
class HomeData:
    """What the App Home tab shows a workspace."""

    subscriptions: tuple[SubscriptionInfo, ...]
    latest: tuple[PostedMessage, ...]


class Workspaces:
    def __init__(
        self,
        factory: sessionmaker[Session],
        subscriptions: Subscriptions,
        deliveries: Deliveries,
    ) -> None:
        self._factory = factory
        self._subscriptions = subscriptions
        self._deliveries = deliveries

    def remember(self, team_id: str, enterprise_id: str | None, org_wide: bool) -> None:
        """Record (or update) which organization a workspace belongs to."""
        with transaction(self._factory) as session:
            team_store.remember(session, team_id, enterprise_id, org_wide)

    def teams_of(self, enterprise_id: str) -> list[str]:
        """Every workspace of the organization we have heard from."""
        with self._factory() as session:
            return team_store.teams_of(session, enterprise_id)

    def organization_of(self, team_id: str) -> str | None:
        """The organization whose org-wide install covers the workspace (None otherwise)."""
        with self._factory() as session:
            row = team_store.get(session, team_id)
            return row.enterprise_id if row is not None and row.org_wide else None

    def only_admins_subscribe(self, team_id: str) -> bool:
        """Whether only the workspace's admins and owners may subscribe its channels."""
        with self._factory() as session:
            return team_store.only_admins_subscribe(session, team_id)

    def set_only_admins_subscribe(self, team_id: str, on: bool) -> None:
        with transaction(self._factory) as session:
            team_store.set_only_admins_subscribe(session, team_id, on)

    def home(self, team_id: str, *, latest: int = 10) -> HomeData:
        return HomeData(
            tuple(self._subscriptions.for_team(team_id)),
            tuple(self._deliveries.latest_for_team(team_id, limit=latest)),
        )

    def counts(self, team_id: str) -> dict[str, int]:
        """How many rows of each kind the workspace has."""
        with self._factory() as session:
            return workspace_store.counts(session, team_id)

    def delete(self, team_id: str) -> dict[str, int]:
        """Delete everything of the workspace; the counts deleted."""
        with transaction(self._factory) as session:
            return workspace_store.delete_team(session, team_id)
