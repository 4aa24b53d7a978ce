"""Which workspace an LLM call is made for, and the tokens a piece of work used: a context
variable set around the work (a brief for a workspace), read by the call recorder. No
argument threading through the summarizer and the client, and nothing shared between
threads: each brief runs in its own context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Meter:
    team_id: str | None
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out

    def add(self, tokens_in: int | None, tokens_out: int | None) -> None:
        self.tokens_in += tokens_in or 0
        self.tokens_out += tokens_out or 0


_current: ContextVar[Meter | None] = ContextVar("briefbot_llm_meter", default=None)


@contextmanager
def metered(team_id: str | None) -> Iterator[Meter]:
    """LLM calls made inside are charged to `team_id` and counted on the meter yielded."""
    meter = Meter(team_id)
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def current() -> Meter | None:
    return _current.get()  # bounded: a context-variable read, not a wait
