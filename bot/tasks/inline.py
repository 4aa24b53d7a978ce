"""The embedded default: a deferred task runs at once in the caller's thread (the scheduler's
job thread), exactly as the leader ran its work before there was a queue. Its failures are
logged, not raised: the jobs' own retries (the digest sweep, the next ingest round) apply."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.tasks import RetryLater, TaskSpec

log = logging.getLogger(__name__)


class InlineQueue:
    in_process = True

    def __init__(self) -> None:
        self._tasks: dict[str, TaskSpec] = {}

    def register(self, spec: TaskSpec) -> None:
        self._tasks[spec.name] = spec

    def defer(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        try:
            self._tasks[name].func(**kwargs, attempt=0)
        except RetryLater as err:
            log.info("task %s: %s (retried by its job later)", name, err)
        except Exception:
            log.exception("task %s failed", name)
        return True

    def defer_many(self, name: str, many: Sequence[Mapping[str, Any]]) -> int:
        for kwargs in many:
            self.defer(name, kwargs)
        return len(many)

    def defer_locked(self, name: str, many: Sequence[tuple[Mapping[str, Any], str, str]]) -> int:
        for kwargs, _, _ in many:
            self.defer(name, kwargs)
        return len(many)

    def pending(self, queueing_locks: Collection[str]) -> set[str]:
        return set()  # a task has run by the time `defer` returns: none ever waits

    def close(self) -> None:
        pass
