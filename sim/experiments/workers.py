"""Worker processes that die with the process that started them.

A ``ProcessPoolExecutor``'s workers wait on a queue whose pipe they themselves hold open, so
when their parent is killed (SIGKILL, the OOM killer, a closed terminal) they never see it
end: a busy one runs its chunk to the end, an idle one waits forever. Each worker here watches
its parent's pid and exits as soon as it changes (the orphan is adopted by init or a
subreaper). Workers also ignore Ctrl-C: the terminal sends SIGINT to the whole process group,
and the parent alone decides what an interrupt ends, instead of every worker printing its own
traceback. A pool left by an exception (Ctrl-C included) cancels what is queued and stops its
workers at once, instead of waiting, as ``ProcessPoolExecutor`` does, for all the queued work.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import ParamSpec, TypeVar

from commandline.signals import signals_held

__all__ = ["PARENT_POLL", "WorkerPool", "worker_pool"]

P = ParamSpec("P")
T = TypeVar("T")

PARENT_POLL = 0.25  # seconds between looks at the parent's pid: how long an orphan outlives it


class WorkerPool(ProcessPoolExecutor):
    """``workers`` processes, each ending within ``PARENT_POLL`` s of its parent; says how many
    it runs at once (``parallelism``), as every executor of ``sim.experiments.executors`` does.
    Its ``with``
    block, left by an exception, stops the workers at once."""

    def __init__(self, workers: int, *, niceness: int = 0) -> None:
        super().__init__(
            max_workers=workers, initializer=_start_worker, initargs=(os.getpid(), niceness)
        )
        self.parallelism = workers
        self._others = {p.pid for p in multiprocessing.active_children()}  # not ours to stop

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        # The first submit forks the workers, and an interrupt raised in the parent while the
        # fork handlers run is printed and dropped by Python: the report would go on.
        with signals_held(signal.SIGINT):
            return super().submit(fn, *args, **kwargs)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        if exc_type is None:
            return super().__exit__(exc_type, exc, traceback)
        self.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():
            if worker.pid not in self._others:
                worker.terminate()
        return None


def worker_pool(workers: int, *, niceness: int = 0) -> WorkerPool:
    """A pool of ``workers`` processes, each ending within ``PARENT_POLL`` s of its parent;
    ``niceness`` added to theirs (lower priority: ``sim.validation.beside``)."""
    return WorkerPool(workers, niceness=niceness)


def _start_worker(parent: int, niceness: int) -> None:
    if niceness:
        os.nice(niceness)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)  # no cleanup: the parent that wanted the results is gone
