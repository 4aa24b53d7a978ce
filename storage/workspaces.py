"""A workspace's data, for an admin deleting it after the app was uninstalled.

Topics and articles are public news shared by every workspace and stay; what belongs to the
workspace goes: its subscriptions, deliveries (digests and briefs posted, thread roots),
processed event ids, questions asked in its threads, its channels' feedback on briefs, and
its installation rows in slack_sdk's OAuth tables.
"""

from __future__ import annotations

from sqlalchemy import column, delete, func, inspect, select, table
from sqlalchemy.orm import Session

from storage.models import (
    ChannelFeedback,
    Delivery,
    ProcessedEvent,
    Subscription,
    ThreadQuestion,
)

# slack_sdk's OAuth store tables (created by migration 0004), keyed by team_id, and the
# workspace's Enterprise Grid organization (0005).
_INSTALLATION_TABLES = ("slack_installations", "slack_bots", "slack_teams")


def counts(session: Session, team_id: str) -> dict[str, int]:
    """How many rows of each kind the workspace has."""
    out = {
        "subscriptions": _count(session, Subscription, Subscription.team_id, team_id),
        "deliveries": _count(session, Delivery, Delivery.team_id, team_id),
        "processed events": _count(session, ProcessedEvent, ProcessedEvent.team_id, team_id),
        "thread questions": _count(session, ThreadQuestion, ThreadQuestion.team_id, team_id),
        "feedback": _count(session, ChannelFeedback, ChannelFeedback.team_id, team_id),
    }
    existing = set(inspect(session.connection()).get_table_names())
    for name in _INSTALLATION_TABLES:
        if name in existing:
            t = table(name, column("team_id"))
            out[name] = int(
                session.scalar(select(func.count()).select_from(t).where(t.c.team_id == team_id))
                or 0
            )
    return out


def delete_team(session: Session, team_id: str) -> dict[str, int]:
    """Delete everything of the workspace; returns the counts deleted."""
    deleted = counts(session, team_id)
    session.execute(delete(Delivery).where(Delivery.team_id == team_id))
    session.execute(delete(ProcessedEvent).where(ProcessedEvent.team_id == team_id))
    session.execute(delete(Subscription).where(Subscription.team_id == team_id))
    session.execute(delete(ThreadQuestion).where(ThreadQuestion.team_id == team_id))
    session.execute(delete(ChannelFeedback).where(ChannelFeedback.team_id == team_id))
    for name in _INSTALLATION_TABLES:
        if name in deleted:
            t = table(name, column("team_id"))
            session.execute(delete(t).where(t.c.team_id == team_id))
    return deleted


def _count(session: Session, model: type, attribute: object, team_id: str) -> int:
    return int(
        session.scalar(select(func.count()).select_from(model).where(attribute == team_id)) or 0
    )
