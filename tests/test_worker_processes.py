"""Worker processes end with the process that started them, however it ends."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

# A process that starts a pool of two workers, prints their pids, then is killed outright
# (no exit handlers, no pool shutdown), as the OOM killer or a deploy's SIGKILL would.
_KILLED_PARENT = textwrap.dedent(
    """
    import os, signal
    from bot.worker_processes import WorkerProcesses

    pool = WorkerProcesses(2, deadline_s=30)
    executor = pool._executor()
    pids = {f.result(30) for f in [executor.submit(os.getpid) for _ in range(4)]}
    print(" ".join(str(p) for p in sorted(pids)), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its (fork-server) parent to reap it is gone for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_workers_end_when_the_process_that_started_them_is_killed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_PARENT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -9, done.stderr[-2000:]
    pids = [int(p) for p in done.stdout.split()]
    assert pids, "the pool ran its tasks"
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for pid in left:  # don't leave them behind if the watch is broken
        os.kill(pid, 9)
    assert not left, f"workers {left} outlived their killed parent"


def test_closing_a_pool_stops_a_running_task_at_its_deadline() -> None:
    """A stopped `briefbot worker` waited for its pool workers' running tasks (loading the NLP
    model, a long analysis) for as long as they took: closing now waits a bounded time, then
    kills what is still running."""
    from bot.worker_processes import WorkerProcesses

    pool = WorkerProcesses(1, deadline_s=30)
    executor = pool._executor()
    pid = executor.submit(os.getpid).result(30)
    executor.submit(time.sleep, 120)  # a task that would run long past any shutdown
    time.sleep(0.2)  # it is running in the worker now
    started = time.monotonic()
    pool.close(timeout=0.5)
    assert time.monotonic() - started < 10  # not the task's 120 s
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
