"""Worker processes that die with the process that started them.

A ``ProcessPoolExecutor``'s workers wait on a queue whose pipe they themselves hold open, so
when their parent is killed (SIGKILL, the OOM killer, a closed terminal) they never see it
end: a busy one runs its chunk to the end, an idle one waits forever. Each worker here watches
its parent's pid and exits as soon as it changes (the orphan is adopted by init or a
subreaper). Workers also ignore Ctrl-C: the terminal sends SIGINT to the whole process group,
and the parent alone decides what an interrupt ends, instead of every worker printing its own
traceback.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

__all__ = ["PARENT_POLL", "WorkerPool", "worker_pool"]

PARENT_POLL = 0.25  # seconds between looks at the parent's pid: how long an orphan outlives it


class WorkerPool(ProcessPoolExecutor):
    """``workers`` processes, each ending within ``PARENT_POLL`` s of its parent; says how many
    it runs at once (``parallelism``), as every executor of ``sim.executors`` does."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers, initializer=_watch_parent, initargs=(os.getpid(),))
        self.parallelism = workers


def worker_pool(workers: int) -> WorkerPool:
    """A pool of ``workers`` processes, each ending within ``PARENT_POLL`` s of its parent."""
    return WorkerPool(workers)


def _watch_parent(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)  # no cleanup: the parent that wanted the results is gone
