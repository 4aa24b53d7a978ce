"""Workspaces and their Enterprise Grid organization (see migration 0005)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import SlackTeam, utcnow


def remember(session: Session, team_id: str, enterprise_id: str | None, org_wide: bool) -> None:
    """Record (or update) the workspace's organization."""
    row = session.get(SlackTeam, team_id)
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    SlackTeam(team_id=team_id, enterprise_id=enterprise_id, org_wide=org_wide)
                )
        except IntegrityError:  # another process recorded it first: update theirs
            row = session.get(SlackTeam, team_id)
    if row is not None:
        row.enterprise_id, row.org_wide, row.seen_at = enterprise_id, org_wide, utcnow()
    session.flush()


def get(session: Session, team_id: str) -> SlackTeam | None:
    return session.get(SlackTeam, team_id)


def teams_of(session: Session, enterprise_id: str) -> list[str]:
    """Every workspace of the organization we have heard from."""
    query = select(SlackTeam.team_id).where(SlackTeam.enterprise_id == enterprise_id)
    return list(session.scalars(query.order_by(SlackTeam.team_id)))


def only_admins_subscribe(session: Session, team_id: str) -> bool:
    row = session.get(SlackTeam, team_id)
    return bool(row is not None and row.only_admins_subscribe)


def set_only_admins_subscribe(session: Session, team_id: str, on: bool) -> None:
    """Set the workspace's restriction (recording the workspace if it is new to us)."""
    row = session.get(SlackTeam, team_id)
    if row is None:
        remember(session, team_id, None, False)
        row = session.get(SlackTeam, team_id)
    assert row is not None
    row.only_admins_subscribe = on
    session.flush()
