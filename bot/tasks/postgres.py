"""The task queue on PostgreSQL: procrastinate (https://procrastinate.readthedocs.io).

Why procrastinate: production already runs PostgreSQL, so the queue needs no new server (no
Redis or RabbitMQ to run, secure, back up and watch); a task is a row, deferred in the same
database as the work it describes; and it has what the workers need ready-made: queueing locks
(a source is not queued twice), locks (the digests of one channel go one at a time), retries
with backoff, heartbeats that find the tasks of a worker that died. Its schema (tables and
functions prefixed `procrastinate_`) is created, or upgraded to the installed procrastinate's
by its migrations, by the first worker or scheduler that starts (`bot.tasks.queue_schema`),
beside ours.

Two procrastinate apps per process, on separate connection pools: a synchronous one that
defers (called from the scheduler's threads) and an asynchronous one that runs the worker
(its own event loop in the worker thread). A worker that stops because the database went
away is started again, with backoff, until told to stop; the tasks it was running are found
by `reap_stalled` once its heartbeat is older than TASK_STALLED_SECONDS and queued again (or
failed, past their attempts).

Dead letters: a task that failed `max_attempts` times keeps its row with status `failed`,
its arguments and its event history (`procrastinate_events`); `failed_tasks()` lists them,
and procrastinate's `retry_failed_job` queues one again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Status

from bot.errors import StorageUnavailable
from bot.tasks import TaskSpec
from bot.tasks.queue_schema import ensure_queue_schema

log = logging.getLogger(__name__)

__all__ = ["FailedTask", "PostgresQueue", "libpq_url"]

_LONGEST_PAUSE = 30.0  # between restarts of a worker whose database is away
_BATCH = 500  # tasks deferred in one statement


def libpq_url(database_url: str) -> str:
    """DATABASE_URL (SQLAlchemy's form, "postgresql+psycopg://…") as libpq takes it."""
    scheme, sep, rest = database_url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


@dataclass(frozen=True)
class FailedTask:
    id: int
    task: str
    args: dict[str, Any]
    attempts: int


class PostgresQueue:
    in_process = False

    def __init__(
        self,
        database_url: str,
        *,
        stalled_seconds: float = 60.0,
        connect_timeout: int = 5,
        pool_timeout: float = 10.0,
    ) -> None:
        conninfo = libpq_url(database_url)
        pool = {
            "conninfo": conninfo,
            "min_size": 1,
            "timeout": pool_timeout,  # waiting for a pooled connection is bounded too
            "kwargs": {"connect_timeout": connect_timeout},
        }
        self._defer_app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(**pool, max_size=4)
        )
        self._pool = pool
        self._specs: dict[str, TaskSpec] = {}
        self.stalled_seconds = stalled_seconds
        self._open = False
        self._open_lock = threading.Lock()

    # -- deferring (any thread) -------------------------------------------------------------

    def register(self, spec: TaskSpec) -> None:
        self._specs[spec.name] = spec

    def _app(self) -> procrastinate.App:
        with self._open_lock:
            if not self._open:
                self._defer_app.open()
                self._open = True
        return self._defer_app

    def defer(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        try:
            self._app().configure_task(name, lock=lock, queueing_lock=queueing_lock).defer(
                **dict(kwargs)
            )
        except queue_errors.AlreadyEnqueued:
            return False
        return True

    def defer_many(self, name: str, many: Sequence[Mapping[str, Any]]) -> int:
        app = self._app()
        for start in range(0, len(many), _BATCH):
            chunk = [dict(k) for k in many[start : start + _BATCH]]
            app.configure_task(name).batch_defer(*chunk)
        return len(many)

    def defer_locked(self, name: str, many: Sequence[tuple[Mapping[str, Any], str, str]]) -> int:
        """Queue many tasks, each with its (lock, queueing lock), `_BATCH` to a statement: a
        digest round of thousands is a few statements, not thousands. A chunk holding a task
        already queued is deferred one by one (the others still go). How many were queued."""
        from procrastinate.jobs import DEFAULT_QUEUE, Job

        app = self._app()
        queued = 0
        for start in range(0, len(many), _BATCH):
            chunk = many[start : start + _BATCH]
            jobs = [
                Job(
                    id=None,
                    queue=DEFAULT_QUEUE,
                    lock=lock,
                    queueing_lock=queueing_lock,
                    task_name=name,
                    task_kwargs=dict(kwargs),
                )
                for kwargs, lock, queueing_lock in chunk
            ]
            try:
                app.job_manager.batch_defer_jobs(jobs)
                queued += len(jobs)
            except queue_errors.AlreadyEnqueued:
                queued += sum(self.defer(name, k, lock=lo, queueing_lock=q) for k, lo, q in chunk)
        return queued

    def pending(self, queueing_locks: Collection[str]) -> set[str]:
        locks = sorted(set(queueing_locks))
        found: set[str] = set()
        for start in range(0, len(locks), _BATCH):
            rows = self._app().connector.execute_query_all(
                "SELECT DISTINCT queueing_lock FROM procrastinate_jobs "
                "WHERE status IN ('todo', 'doing') AND queueing_lock = ANY(%(locks)s)",
                locks=locks[start : start + _BATCH],
            )
            found.update(str(row["queueing_lock"]) for row in rows)
        return found

    def close(self) -> None:
        with self._open_lock:
            if self._open:
                with contextlib.suppress(Exception):
                    self._defer_app.close()
                self._open = False

    # -- the schema -------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create procrastinate's tables and functions, or bring a deployed schema up to the
        installed procrastinate's (its migrations, in order): once, whichever process gets
        there first (`schema_migrations`)."""
        import psycopg

        try:
            with psycopg.connect(self._pool["conninfo"], connect_timeout=10) as connection:
                ensure_queue_schema(connection)
        except psycopg.Error as err:  # one line for the operator, not a traceback
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise StorageUnavailable(f"task queue: {reason}") from err

    def failed_tasks(self, limit: int = 100) -> list[FailedTask]:
        """The dead letters: tasks that failed every attempt, newest first."""
        jobs = self._app().job_manager.list_jobs(status=Status.FAILED.value)
        found = [
            FailedTask(int(j.id or 0), j.task_name, dict(j.task_kwargs), j.attempts) for j in jobs
        ]
        return sorted(found, key=lambda f: -f.id)[:limit]

    # -- consuming (the worker thread) ------------------------------------------------------

    def _worker_app(self) -> procrastinate.App:
        app = procrastinate.App(connector=procrastinate.PsycopgConnector(**self._pool, max_size=8))
        for spec in self._specs.values():
            app.task(
                name=spec.name,
                pass_context=True,
                # procrastinate counts retries (0 would mean "for ever"): n runs = n-1 retries.
                retry=procrastinate.RetryStrategy(
                    max_attempts=spec.max_attempts - 1,
                    exponential_wait=spec.backoff_seconds,
                )
                if spec.max_attempts > 1
                else False,
            )(_runner(spec))
        return app

    def run_worker(self, stop: threading.Event, *, concurrency: int, name: str) -> None:
        """Run tasks until `stop` is set. A worker that ends (its database went away) is
        started again after a pause that doubles up to 30 s; a run that lasted a minute
        resets the pause."""
        self._warm()
        pause = 1.0
        while not stop.is_set():
            started = time.monotonic()
            try:
                asyncio.run(self._work(stop, concurrency=concurrency, name=name))
            except Exception as err:
                log.warning("task worker stopped: %s", _describe(err))
            if stop.is_set():
                break
            if time.monotonic() - started > 60:
                pause = 1.0
            log.warning("task worker: starting again in %.0f s", pause)
            stop.wait(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    def _warm(self) -> None:
        """Each task's one-time loading, before this worker registers and takes tasks: its
        first tasks then run at full speed instead of waiting on imports while the other
        workers could have taken them."""
        done: set[int] = set()
        for spec in self._specs.values():
            if spec.warm is None or id(spec.warm) in done:
                continue
            done.add(id(spec.warm))
            try:
                spec.warm()
            except Exception as err:
                log.warning("task worker: preparing %s failed: %s", spec.name, _describe(err))

    async def _work(self, stop: threading.Event, *, concurrency: int, name: str) -> None:
        app = self._worker_app()
        heartbeat = max(1.0, self.stalled_seconds / 4)
        async with app.open_async():
            worker = asyncio.create_task(
                app.run_worker_async(
                    name=name,
                    concurrency=concurrency,
                    install_signal_handlers=False,
                    # A task freed by its lock (the channel's previous digest done) is only
                    # seen on a poll (no notification): poll often, it is one cheap query.
                    fetch_job_polling_interval=0.5,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=self.stalled_seconds,
                    delete_jobs="successful",
                )
            )
            reaper = asyncio.create_task(self._reap_forever(app))
            try:
                while not stop.is_set() and not worker.done():
                    await asyncio.sleep(0.2)
            finally:
                reaper.cancel()
                if not worker.done():
                    worker.cancel()  # procrastinate: stop fetching, let running tasks end
                with contextlib.suppress(asyncio.CancelledError):
                    await worker  # raises what stopped the worker (the database away)
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reaper

    async def _reap_forever(self, app: procrastinate.App) -> None:
        while True:
            await asyncio.sleep(max(1.0, self.stalled_seconds / 2))
            try:
                await reap_stalled(app, self._specs, self.stalled_seconds)
            except Exception as err:  # the database away: the next round tries again
                log.warning("task queue: looking for stalled tasks failed: %s", _describe(err))


async def reap_stalled(
    app: procrastinate.App, specs: Mapping[str, TaskSpec], stalled_seconds: float
) -> int:
    """Queue again the tasks whose worker stopped sending heartbeats (killed, or cut off from
    the database); past their attempts they fail (dead letters). How many were found."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds))
    for job in stalled:
        spec = specs.get(job.task_name)
        attempts = spec.max_attempts if spec is not None else 1
        if job.attempts + 1 >= attempts:
            log.error(
                "task %s %s: its worker died %d times; failed", job.task_name, job.id, attempts
            )
            await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
        else:
            log.warning("task %s %s: its worker stopped; queued again", job.task_name, job.id)
            await app.job_manager.retry_job(job)
    return len(stalled)


def _runner(spec: TaskSpec) -> Any:
    def run(context: Any, **kwargs: Any) -> Any:
        return spec.func(**kwargs, attempt=int(context.job.attempts or 0))

    run.__name__ = spec.name.rpartition(".")[2]
    return run


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:300]
