"""The served invocations' own event loop, in a thread of its own, cut from outside at the limit.

A platform (Vercel, Lambda) decides the limit outside the function it runs: whatever the
function is doing (a synchronous call, a CPU-bound step, a flood of work), the 504 leaves at
the limit. The served process does the same with two event loops. The front, uvicorn's loop,
only admits calls and answers them; every invocation runs as a task on the worker's loop
(``Worker.answer``). The front waits for the task's answer with a timer of its own: at the
limit it cancels the task (thread-safe: the task ends at its next await) and answers what
``cut_short`` gives, whatever the worker's loop is doing (``scheduler.invoke.Invocation``
stops the invocation's store cut there, so nothing commits after the 504).

What it cannot do: both loops share the interpreter's lock. A worker thread running Python
gives it up every ``sys.getswitchinterval()`` (5 ms), so the front's timer fires within a few
milliseconds of its instant even then; a C call that held the lock for seconds would hold the
front up too. The scheduler's own blocking calls (SQL drivers, sockets, files) release it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import uvloop

__all__ = ["Worker"]

T = TypeVar("T")
log = logging.getLogger("scheduler.worker")


class Worker:
    """An event loop running in a thread of its own, between ``start`` and ``stop``."""

    def __init__(self, name: str = "invocations") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # The kind of loop uvicorn's ``auto`` gives the front (uvicorn[standard] brings uvloop).
        loop = uvloop.new_event_loop()
        # A daemon: a loop stuck past ``stop``'s bound does not keep the process alive.
        thread = threading.Thread(target=_run, args=(loop,), name=self._name, daemon=True)
        self._loop, self._thread = loop, thread
        thread.start()

    async def answer(
        self,
        work: Coroutine[Any, Any, T],
        *,
        by: float,
        cut_short: Callable[[], T],
        clock: Callable[[], float] = time.time,
    ) -> T:
        """``work``'s value, run on the worker's loop, if it comes by the instant ``by`` (on
        ``clock``); else its task is cancelled and the value is ``cut_short()``.

        Waited for on the caller's loop: its timer does not depend on the worker's loop.
        """
        if self._loop is None:
            work.close()
            raise RuntimeError("the invocations' worker loop was not started")
        front = asyncio.get_running_loop()
        finished = asyncio.Event()
        task: Future[T] = asyncio.run_coroutine_threadsafe(work, self._loop)
        # Called in the worker's thread (or here, on a cancel): only a thread-safe hand-over.
        task.add_done_callback(lambda _: front.call_soon_threadsafe(finished.set))
        try:
            await asyncio.wait_for(finished.wait(), timeout=max(0.0, by - clock()))
        except TimeoutError:
            pass
        except BaseException:  # the front's own call is cancelled: so is the invocation
            task.cancel()
            raise
        # ``cancel`` refuses a task that has finished: its answer came in time after all.
        if task.cancel():
            return cut_short()
        return task.result()

    def stop(self, *, within: float = 5.0) -> bool:
        """Cancel what still runs there and end the loop; whether it ended within ``within``
        seconds (a loop stuck in a call is left to the process's exit)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return True
        if thread.is_alive():  # queued even if the loop has not started running yet
            asyncio.run_coroutine_threadsafe(_wind_down(within), loop)
        thread.join(within)
        if thread.is_alive():
            log.warning("the invocations' loop is still busy after %.1f s; left running", within)
            return False
        return True


def _run(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.close()


async def _wind_down(within: float) -> None:
    """Cancel every other task on this loop, give them ``within`` seconds, stop the loop."""
    here = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not here]
    for task in others:
        task.cancel()
    if others:
        await asyncio.wait(others, timeout=within)
    asyncio.get_running_loop().stop()
