"""Slack's one-message-per-second-per-channel pace, kept across every worker process.

With digests posted by many workers, an in-process pacer (`bot.slack.pacing.ChannelPacer`)
sees only its own posts: two workers posting to one channel would each think it idle. This
one keeps the pace in the database (`storage.pacing`): each post reserves the channel's next
slot in one statement and sleeps until it, so concurrent workers queue up per channel. Same
interface as the in-process pacer (`wait`, `done`), so the poster takes either.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from storage import pacing as pace_store
from storage.db import transaction

__all__ = ["PAST_SLOT_KEPT_SECONDS", "SharedChannelPacer", "forget_past_slots"]

# Never sleep longer than this for one slot: a wildly wrong row (a clock jump) must not park
# a worker; Slack's own 429 handling covers whatever is left.
_MAX_WAIT = 30.0
# A channel's row is deleted once its next slot is this far in the past: far longer than any
# post takes between its slot and its answer (`done` pushes the slot of a row it finds), so
# pruning never races a post in flight.
PAST_SLOT_KEPT_SECONDS = 3600.0


class SharedChannelPacer:
    def __init__(
        self,
        factory: sessionmaker[Session],
        interval: float = 1.0,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._factory = factory
        self.interval = interval
        self._sleep = sleep

    def wait(self, team_id: str, channel_id: str) -> float:
        """Block until this channel's next slot (shared by all workers); the seconds waited."""
        with transaction(self._factory) as session:
            delay = pace_store.reserve(session, team_id, channel_id, self.interval)
        delay = min(delay, _MAX_WAIT)
        if delay > 0:
            self._sleep(delay)
        return delay

    def done(self, team_id: str, channel_id: str) -> None:
        with transaction(self._factory) as session:
            pace_store.answered(session, team_id, channel_id, self.interval)


def forget_past_slots(
    factory: sessionmaker[Session], older_than: float = PAST_SLOT_KEPT_SECONDS
) -> int:
    """Delete the pace rows of channels that have not posted for `older_than` seconds (one row
    per channel ever posted to would otherwise stay for ever); how many were deleted. A
    deleted channel posts at once next time, as a row in the past would let it."""
    with transaction(factory) as session:
        return pace_store.forget_past(session, older_than)
