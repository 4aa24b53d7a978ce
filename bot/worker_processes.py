"""Process pools for CPU-bound work (page extraction, offline briefs) that would otherwise hold
the GIL of the process serving Slack.

Workers start from a fork server that imported the pool's modules once (a new worker costs a
fork, not a second of imports), never from a fork of the caller's threads. A task cannot be
cancelled once running, so a worker that dies or overruns its deadline is dealt with by
discarding the whole pool: its processes are killed and the next call starts a fresh one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

# How long closing a pool waits for its running tasks before it kills their processes.
CLOSE_WAIT_S = 5.0


class WorkerProcesses:
    """A lazily started `ProcessPoolExecutor` that can be thrown away and restarted."""

    # Modules the fork server imports once, so each worker starts with them loaded.
    preload: tuple[str, ...] = ()
    # How much lower than the caller's the workers' CPU priority is (`os.nice`): work that
    # waits anyway lets the process answering Slack have the CPU first.
    nice: int = 0

    def __init__(self, processes: int, *, deadline_s: float) -> None:
        self.processes = max(0, processes)
        self.deadline_s = deadline_s
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context(
                    "forkserver" if "forkserver" in methods else "spawn"
                )
                if context.get_start_method() == "forkserver" and self.preload:
                    context.set_forkserver_preload(list(self.preload))
                self._pool = ProcessPoolExecutor(
                    self.processes,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(self.nice,),
                )
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Stop `pool`'s processes (one of them is stuck or dead) so the next call starts anew."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self, timeout: float = CLOSE_WAIT_S) -> None:
        """Stop the workers: queued tasks are dropped, a running one gets `timeout` seconds to
        end, then its process is killed (what it was doing is redone later: an analysis is
        caught up, a page fetched again). Waiting for it unbounded kept a stopped `briefbot
        worker` alive for as long as a pool worker took to load the NLP model."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.kill()


def _start_worker(nice: int) -> None:
    """In a worker, as it starts: a lower CPU priority (where the platform has one), and a
    watch on the process that started the pool.

    A worker blocks reading its task queue, whose write end it holds itself, so it never sees
    the end of a parent that was killed (SIGKILL, the OOM killer, a test's timeout): without
    the watch the workers, and the fork server their inherited descriptors keep alive, lived
    on with their loaded models for as long as the machine did."""
    if nice > 0:
        with contextlib.suppress(AttributeError, OSError):
            os.nice(nice)
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch(sentinel: int) -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(0)  # the parent is gone: nobody will read a result or shut this pool down

    watcher = threading.Thread(target=watch, args=(parent.sentinel,), name="parent-watch")
    watcher.daemon = True
    watcher.start()


PoolT = TypeVar("PoolT", bound=WorkerProcesses)

_shared: dict[tuple[type[WorkerProcesses], int], WorkerProcesses] = {}
_shared_lock = threading.Lock()


def shared(kind: type[PoolT], processes: int) -> PoolT:
    """One pool of each kind and size per process, kept across calls (workers start once)."""
    with _shared_lock:
        pool = _shared.get((kind, processes))
        if pool is None:
            pool = _shared[(kind, processes)] = kind(processes)
        assert isinstance(pool, kind)
        return pool


def close_shared() -> None:
    """Stop every shared pool's processes (they would outlive a process that ends without
    running its exit handlers, as a test worker does); the next `shared` call starts anew."""
    with _shared_lock:
        pools = list(_shared.values())
        _shared.clear()
    for pool in pools:
        pool.close()
