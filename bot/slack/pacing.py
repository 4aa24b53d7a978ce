"""Posting pace per channel: Slack allows about one message per second per channel.

Without pacing, a digest round where several subscriptions share a channel (or a digest
and a retry) bursts into that channel and Slack answers 429; the retry handlers then recover,
but every 429 costs a Retry-After wait and counts against the app. Reserving a slot per
channel before posting keeps the round inside the limit instead.

One pacer per process, owned by the job runtime. With digests on the task queue (many worker
processes post them) the runtime hands the poster the database-backed pacer instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["DEFAULT_INTERVAL", "ChannelPacer", "Pacer"]


class Pacer(Protocol):
    """What the poster needs of a pacer: this process's `ChannelPacer`, or one shared by every
    worker through the database (`bot.service.pacing.SharedChannelPacer`, handed in)."""

    def wait(self, team_id: str, channel_id: str) -> float: ...

    def done(self, team_id: str, channel_id: str) -> None: ...


DEFAULT_INTERVAL = 1.0
# Forget channels idle this long (the map stays small however many channels a round covers).
_FORGET_AFTER = 60.0


class ChannelPacer:
    """`wait(team, channel)` returns once a post to that channel keeps `interval` seconds
    from the previous one made through this pacer; `done(team, channel)` after the post is
    answered. Thread-safe; slots are handed out in call order, so concurrent posters to one
    channel queue up instead of racing."""

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def wait(self, team_id: str, channel_id: str) -> float:
        """Block until this channel's next slot; returns the seconds waited."""
        key = (team_id, channel_id)
        with self._lock:
            now = self._clock()
            if len(self._next) > 1024:
                self._next = {k: t for k, t in self._next.items() if t > now - _FORGET_AFTER}
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def done(self, team_id: str, channel_id: str) -> None:
        """The post to this channel has been answered: the next one keeps `interval` from
        now. Slack times posts on arrival, and a post slowed on its way (a retry, a busy
        network) would otherwise arrive closer to the next one than the slots say."""
        key = (team_id, channel_id)
        with self._lock:
            self._next[key] = max(self._next.get(key, 0.0), self._clock() + self.interval)
