"""The real runs of a report's validation, in a process of their own, beside the simulation.

Of ``make report``'s two minutes on 2 cores (quiet), the real runs took about 55 s, nearly all of
it waiting on AimHarder's latency (a sequential invocation of 10 bookings takes 3 s), while the
simulation's stages kept both cores busy for about 65 s: one after the other they cost their
sum, side by side about the longer of the two.

Side by side, the real runs must still measure the scheduler as it runs alone:
- they run in a process of their own, *spawned* (a fork of this process would copy the live
  display's thread and the locks it holds), so nothing of the simulation holds their
  interpreter's lock;
- the simulation's workers run at a lower priority (``SIMULATION_NICENESS``, through
  ``sim.experiments.workers``): when the real scheduler wakes for an answer, the kernel gives it
  a core ahead of them;
- the machinery the model is calibrated with is timed among these same real runs
  (``sim.validation.compare``), so whatever load remains is in both.

The process reports its stages (``commandline.stages``) through a queue; a thread here replays
them on the caller's ``Stages``, which may show them beside the simulation's. It ignores Ctrl-C
(the caller decides); told to end (SIGTERM), or when its parent is gone, it ends after the real
run under way and stops its mock processes.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from commandline.stages import Advance, Stages
from sim.scenario import Scenario
from sim.validation.compare import Comparison, compare

__all__ = ["SIMULATION_NICENESS", "RealRuns", "real_runs_beside"]

SIMULATION_NICENESS = 10  # added to the simulation's workers' while real runs go beside them
PARENT_POLL = 0.25  # seconds between the child's looks at its parent
# Seconds the child has to end once told to: it ends after the real run under way (3.5 s for
# a sequential one at load 10, the platform's limit at most), then stops its mocks.
STOP_GRACE = 30.0
ENDED_AS_TOLD = 128 + signal.SIGTERM  # the child's exit code when it ended as told
POLL = 0.1  # seconds between the relay's looks at a child that may have died


@dataclass(frozen=True, slots=True)
class _Stage:
    description: str
    total: int


@dataclass(frozen=True, slots=True)
class _Advanced:
    done: int


@dataclass(frozen=True, slots=True)
class _Working:
    description: str


@dataclass(frozen=True, slots=True)
class _Ended:
    pass


@dataclass(frozen=True, slots=True)
class _Finished:
    comparison: Comparison | None
    failure: BaseException | None


class _Relayed:
    """``Stages`` in the child: every stage, step and end put on the parent's queue. Told to
    end (``ending``), it raises ``SystemExit`` at the next step: between two real runs, where
    unwinding stops the mocks cleanly. (Raised from the signal handler instead, it landed in
    whatever the event loop of the run under way was doing, which went on running.)"""

    def __init__(self, messages: multiprocessing.Queue[Any], ending: threading.Event) -> None:
        self._messages = messages
        self._ending = ending

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Advance]:
        self._end_if_told()
        self._messages.put(_Stage(description, total))
        try:
            yield self._advance
        finally:
            self._messages.put(_Ended())

    @contextmanager
    def working(self, description: str) -> Iterator[None]:
        self._end_if_told()
        self._messages.put(_Working(description))
        try:
            yield
        finally:
            self._messages.put(_Ended())

    def _advance(self, done: int) -> None:
        self._messages.put(_Advanced(done))
        self._end_if_told()

    def _end_if_told(self) -> None:
        if self._ending.is_set():
            raise SystemExit(ENDED_AS_TOLD)


class RealRuns:
    """The real runs under way; ``result()`` waits for their comparison."""

    def __init__(
        self,
        process: multiprocessing.process.BaseProcess,
        relay: threading.Thread,
        finished: list[_Finished],
    ) -> None:
        self._process = process
        self._relay = relay
        self._finished = finished

    @property
    def exitcode(self) -> int | None:
        """The process's exit code once it ended (143: told to end, it unwound); None before."""
        return self._process.exitcode

    def result(self) -> Comparison:
        """The comparison, once the real runs are done; their failure, raised here."""
        self._relay.join()
        self._process.join()
        if not self._finished:
            raise RuntimeError(
                f"the real runs' process ended with exit code {self._process.exitcode} "
                "and no comparison"
            )
        (finished,) = self._finished
        if finished.failure is not None:
            raise finished.failure
        assert finished.comparison is not None  # one of the two is always set
        return finished.comparison


@contextmanager
def real_runs_beside(
    scenario: Scenario,
    *,
    strategies: Sequence[str],
    load: int,
    replications: int,
    calibrate: int,
    progress: Stages,
) -> Iterator[RealRuns]:
    """``sim.validation.compare``'s arguments; its real runs start now, in a spawned process,
    and go on while the block runs. Left early (an exception, Ctrl-C), the process is told to
    end and waited for (it stops its mocks)."""
    context = multiprocessing.get_context("spawn")
    messages: multiprocessing.Queue[Any] = context.Queue()
    arguments = {
        "strategies": list(strategies),
        "load": load,
        "replications": replications,
        "calibrate": calibrate,
    }
    process = context.Process(
        target=_run, args=(messages, os.getpid(), scenario, arguments), name="real runs"
    )
    finished: list[_Finished] = []
    with _born_ignoring_ctrl_c():
        process.start()
    relay = threading.Thread(
        target=_relay, args=(messages, process, progress, finished), name="real runs' stages"
    )
    relay.start()
    try:
        yield RealRuns(process, relay, finished)
    finally:
        if process.is_alive():
            process.terminate()  # SIGTERM: after its run under way, the child stops its mocks
            process.join(STOP_GRACE)
            if process.is_alive():
                process.kill()
                process.join()
        relay.join()
        messages.close()


@contextmanager
def _born_ignoring_ctrl_c() -> Iterator[None]:
    """The process started in the block ignores SIGINT from its first instruction: an ignored
    signal stays ignored across ``exec``, and Python then installs no ``KeyboardInterrupt``
    for it (else a Ctrl-C while the child still imports would print its traceback). The
    report's own Ctrl-C is ignored for those few milliseconds too."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; the child then sets SIG_IGN itself
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _relay(
    messages: multiprocessing.Queue[Any],
    process: multiprocessing.process.BaseProcess,
    progress: Stages,
    finished: list[_Finished],
) -> None:
    """Replays the child's stages on ``progress`` until it finishes or dies. Stages nest: the
    one that ends is the one opened last."""
    opened: list[tuple[ExitStack, Advance]] = []
    try:
        while True:
            try:
                message = messages.get(timeout=POLL)
            except queue.Empty:
                if process.is_alive():
                    continue
                return  # died without a word: ``result`` says so
            match message:
                case _Stage(description, total):
                    stack = ExitStack()
                    opened.append((stack, stack.enter_context(progress.stage(description, total))))
                case _Working(description):
                    stack = ExitStack()
                    stack.enter_context(progress.working(description))
                    opened.append((stack, lambda _done: None))
                case _Advanced(done):
                    opened[-1][1](done)
                case _Ended():
                    opened.pop()[0].close()
                case _Finished():
                    finished.append(message)
                    return
    finally:
        while opened:
            opened.pop()[0].close()


def _run(
    messages: multiprocessing.Queue[Any],
    parent: int,
    scenario: Scenario,
    arguments: dict[str, Any],
) -> None:
    """The child: the comparison, or its failure, put on ``messages``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C ends (again:
    # started from a thread other than the parent's main one, it was not born ignoring it)
    ending = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: ending.set())
    threading.Thread(target=_end_when_orphaned, args=(parent, ending), daemon=True).start()
    try:
        comparison = compare(scenario, progress=_Relayed(messages, ending), **arguments)
    except Exception as exc:  # any failure goes to the parent, which raises it
        messages.put(_Finished(comparison=None, failure=exc))
    else:
        messages.put(_Finished(comparison=comparison, failure=None))


def _end_when_orphaned(parent: int, ending: threading.Event) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    ending.set()  # as if told: the run under way ends, then the mocks are stopped
