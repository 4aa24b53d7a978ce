"""Feedback on brief bullets (issue 17 item 4), the use cases: record a reader's 👍/👎, read a
channel's preferences, rank a brief for a channel and say why. Returns dataclasses; every call
names the workspace and the channel, so feedback never crosses workspaces."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.render.feedback_value import Vote
from bot.service.ranking import NO_PREFERENCES, Preference, Preferences, Ranking, key, rank
from bot.summarize.model import Brief
from storage import feedback as feedback_store
from storage.db import transaction
from storage.errors import StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    """A vote stored: on which outlets and story, and whether anything changed."""

    vote: int
    outlets: tuple[str, ...]
    story: str | None
    changed: bool


class Feedback:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def record(self, *, team_id: str, channel_id: str, user_id: str, vote: Vote) -> Recorded:
        changed = False
        with transaction(self._factory) as session:
            targets = [("outlet", o) for o in vote.outlets]
            if vote.story:
                targets.append(("story", vote.story))
            for kind, label in targets:
                changed |= feedback_store.record(
                    session,
                    team_id=team_id,
                    channel_id=channel_id,
                    user_id=user_id,
                    kind=kind,
                    target=key(label),
                    label=label,
                    vote=vote.vote,
                )
        return Recorded(vote.vote, vote.outlets, vote.story, changed)

    def preferences(self, *, team_id: str, channel_id: str) -> Preferences:
        with self._factory() as session:
            tallies = feedback_store.tally(session, team_id=team_id, channel_id=channel_id)
        if not tallies:
            return NO_PREFERENCES
        return Preferences.of(Preference(t.kind, t.label, t.up, t.down) for t in tallies)

    def rank(self, brief: Brief, *, team_id: str, channel_id: str) -> Ranking:
        """The brief as this channel's feedback orders it (unchanged without feedback, or when
        the database cannot say: feedback only orders a brief, it never stops one)."""
        try:
            prefs = self.preferences(team_id=team_id, channel_id=channel_id)
        except StorageError:
            log.warning("feedback of %s/%s unavailable; brief not ranked", team_id, channel_id)
            prefs = NO_PREFERENCES
        return rank(brief, prefs)
