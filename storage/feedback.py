"""Readers' 👍/👎 on outlets and stories, per channel of a workspace. Every query names the
workspace (team_id) and the channel: one workspace's feedback never ranks another's briefs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage.models import ChannelFeedback, utcnow

KINDS = ("outlet", "story")
MAX_TARGET = 200
# A channel's tally reads at most this many targets (the most voted first): ranking is bounded
# whatever a channel does.
MAX_TARGETS = 500


@dataclass(frozen=True)
class Tally:
    kind: str
    target: str
    label: str
    up: int
    down: int


def record(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    kind: str,
    target: str,
    label: str,
    vote: int,
    now: datetime | None = None,
) -> bool:
    """Store a person's vote on a target, replacing their earlier one. True if it is new or
    changed the vote."""
    if kind not in KINDS or vote not in (1, -1):
        raise ValueError(f"bad feedback {kind!r} {vote!r}")
    row = session.scalar(
        select(ChannelFeedback).where(
            ChannelFeedback.team_id == team_id,
            ChannelFeedback.channel_id == channel_id,
            ChannelFeedback.user_id == user_id,
            ChannelFeedback.kind == kind,
            ChannelFeedback.target == target[:MAX_TARGET],
        )
    )
    when = now or utcnow()
    if row is None:
        session.add(
            ChannelFeedback(
                team_id=team_id,
                channel_id=channel_id,
                user_id=user_id,
                kind=kind,
                target=target[:MAX_TARGET],
                label=label[:MAX_TARGET],
                vote=vote,
                updated_at=when,
            )
        )
        session.flush()
        return True
    changed = row.vote != vote
    row.vote, row.label, row.updated_at = vote, label[:MAX_TARGET], when
    return changed


def tally(session: Session, *, team_id: str, channel_id: str) -> list[Tally]:
    """A channel's votes per target: how many up and down, most voted first."""
    up = func.sum(case((ChannelFeedback.vote > 0, 1), else_=0))
    down = func.sum(case((ChannelFeedback.vote < 0, 1), else_=0))
    rows = session.execute(
        select(
            ChannelFeedback.kind,
            ChannelFeedback.target,
            func.max(ChannelFeedback.label),
            up,
            down,
        )
        .where(ChannelFeedback.team_id == team_id, ChannelFeedback.channel_id == channel_id)
        .group_by(ChannelFeedback.kind, ChannelFeedback.target)
        .order_by(func.count().desc(), ChannelFeedback.target)
        .limit(MAX_TARGETS)
    ).all()
    return [Tally(k, t, str(lbl), int(u or 0), int(d or 0)) for k, t, lbl, u, d in rows]
