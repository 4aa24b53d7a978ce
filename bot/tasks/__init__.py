"""The task queue: where scheduled work runs.

The leader's scheduler (APScheduler, `bot.jobs.scheduler`) is the clock; its jobs *defer*
tasks (one per source to refresh, one per digest delivery) onto a queue, and the workers
consume them. Two queues with one interface (`TaskQueue`):

- `InlineQueue` (TASK_QUEUE=inline, the default): a deferred task runs at once, in the
  caller's thread. What `briefbot serve` on SQLite does: nothing new to install or run.
- `PostgresQueue` (TASK_QUEUE=postgres): procrastinate on the PostgreSQL database production
  already runs (no broker to operate). Every `briefbot worker` consumes; queueing locks keep a
  task from being queued twice, locks keep tasks sharing one (a channel) one at a time,
  failed tasks are retried with exponential backoff, and a task that keeps failing stays in
  `procrastinate_jobs` with status `failed` (the dead letters: `bot.tasks.postgres`).

The task functions themselves live with the jobs (`bot.jobs.tasks`); this package only moves
them. A task is a name, a function taking JSON keyword arguments (plus `attempt`, how many
times it ran before), and its retry budget.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["RetryLater", "TaskQueue", "TaskSpec"]


class RetryLater(Exception):
    """A task failed in a way a later run can heal, already logged where it failed: the queue
    retries it with backoff (the in-process queue leaves it to the job's own retries)."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    # Called with the deferred keyword arguments and `attempt` (0 the first time). Raising
    # asks for a retry (with backoff) until `max_attempts` runs in all.
    func: Callable[..., Any]
    max_attempts: int = 5
    # Retry n waits about backoff_seconds ** n seconds (2: 2, 4, 8, 16 s).
    backoff_seconds: int = 2
    # Run once by a worker process before it takes its first task (one-time loading the task
    # would otherwise do inside its first runs); a failure is logged, the worker starts.
    warm: Callable[[], None] | None = None


class TaskQueue(Protocol):
    """Where deferred tasks go. `in_process`: a deferred task has run when `defer` returns."""

    in_process: bool

    def register(self, spec: TaskSpec) -> None: ...

    def defer(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        """Queue one task; False when `queueing_lock` says the same task is already queued."""
        ...

    def defer_many(self, name: str, many: Sequence[Mapping[str, Any]]) -> int:
        """Queue many tasks of one kind (no locks) in one go; how many were queued."""
        ...

    def defer_locked(self, name: str, many: Sequence[tuple[Mapping[str, Any], str, str]]) -> int:
        """Queue many tasks, each with its own (lock, queueing lock); how many were queued."""
        ...

    def pending(self, queueing_locks: Collection[str]) -> set[str]:
        """Those of `queueing_locks` whose task is waiting or running (a periodic sweep asks
        before queueing again: a queueing lock alone stops a second waiting task, not a
        second task beside a running one)."""
        ...

    def close(self) -> None: ...
