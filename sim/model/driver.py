"""The SimPy driver: runs the scheduler's own flows in simulated time.

It holds no decision about prebookings. It interprets each effect: ``Sleep``, ``Spawn`` and
``WaitAny`` with SimPy's own events, and the rest by asking a ``World`` (the models of the
database, the network and AimHarder), which answers after the simulated time the effect takes.
Errors the world raises are thrown into the flow, as SimPy throws a failed event into a process.

The flows' clock is the model's, or off from it by a fixed ``skew`` (a host whose clock
stepped, ``sim.faults``): every ``now`` told to a flow is ``env.now + skew``, and the instants a
flow waits for are read back on the model's clock.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol, assert_never

import simpy

from scheduler.core.domain import PrebookingId
from scheduler.core.effects import (
    Book,
    Claim,
    Effect,
    FindReady,
    Finished,
    Flow,
    GetSession,
    MarkResult,
    ReadPlace,
    Reply,
    Sleep,
    Spawn,
    WaitAny,
)
from scheduler.core.errors import Failure

__all__ = ["KILLED", "Killed", "Run", "World", "drive"]

WorldEffect = FindReady | Claim | GetSession | Book | ReadPlace | MarkResult


class World(Protocol):
    """What the flows touch, modelled: each call is a SimPy process body returning the value."""

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]: ...


class Killed:
    """What a flow's process returns when the platform killed it (the ``maxDuration`` cut)."""

    def __repr__(self) -> str:
        return "KILLED"


KILLED = Killed()


class Run:
    """A flow running as a SimPy process, with every child flow it spawns.

    ``kill`` interrupts all of them at once, as a platform kills a function: no flow gets to run
    cleanup, and requests already handed to the world (the network, AimHarder) go on without
    anyone to hear the answer.
    """

    def __init__(
        self, env: simpy.Environment, flow: Flow[Any], world: World, *, skew: float = 0.0
    ) -> None:
        self._env = env
        self._world = world
        self._skew = skew
        self._processes: list[simpy.Process] = []
        self.killed = False
        self.process = self._start(flow)

    def _start(self, flow: Flow[Any]) -> simpy.Process:
        process = self._env.process(self._interpret(flow))
        self._processes.append(process)
        return process

    def kill(self) -> None:
        self.killed = True
        for process in self._processes:
            if process.is_alive:
                process.interrupt("killed at maxDuration")

    def _interpret(self, flow: Flow[Any]) -> Generator[simpy.Event, Any, Any]:
        try:
            return (yield from self._steps(flow))
        except simpy.Interrupt:
            return KILLED

    def _steps(self, flow: Flow[Any]) -> Generator[simpy.Event, Any, Any]:
        children: dict[PrebookingId, simpy.Process] = {}
        reply: Reply[Any] | None = None
        failure: BaseException | None = None
        while True:
            try:
                if failure is not None:
                    effect: Effect = flow.throw(failure)
                else:
                    effect = next(flow) if reply is None else flow.send(reply)
            except StopIteration as stop:
                return stop.value
            failure = None
            woken: float | None = None  # the instant a wait asked for, on the flow's clock
            match effect:
                case Sleep(until=until):
                    yield self._env.timeout(max(0.0, until - self._skew - self._env.now))
                    value: Any = None
                    woken = until
                case Spawn(key=key, flow=child):
                    children[key] = self._start(child)
                    value = None
                case WaitAny(among=among, until=until):
                    on_model = None if until is None else until - self._skew
                    value = yield from _wait_any(self._env, children, among, on_model)
                    woken = until
                case FindReady() | Claim() | GetSession() | Book() | ReadPlace() | MarkResult():
                    # Run inline (no process of its own: half the events); what the world raises
                    # is the very object thrown into the flow, except the kill, which goes on up.
                    try:
                        value = yield from self._world.perform(effect)
                    except simpy.Interrupt:
                        raise
                    except Failure as exc:
                        failure = exc.at(self._env.now + self._skew)
                    except Exception as exc:
                        failure = exc
                case _:
                    assert_never(effect)
            reply = Reply(value=value, now=self._now(woken)) if failure is None else None

    def _now(self, woken: float | None) -> float:
        """The flow's clock: the model's plus the skew, and at least ``woken`` (the instant a
        wait asked for): read back through a skew, an instant may round a hair before the one
        asked for, and a flow that saw it not reached would ask again, forever."""
        now = self._env.now + self._skew
        return woken if self._skew and woken is not None and now < woken else now


def drive(env: simpy.Environment, flow: Flow[Any], world: World) -> simpy.Process:
    """Start ``flow`` as a SimPy process; the process's value is what the flow returns."""
    return Run(env, flow, world).process


def _wait_any(
    env: simpy.Environment,
    children: dict[PrebookingId, simpy.Process],
    among: frozenset[PrebookingId],
    until: float | None,
) -> Generator[simpy.Event, Any, tuple[Finished, ...]]:
    """The children in ``among`` that finished; waits for one, or for ``until``, if none has."""
    waiting: list[simpy.Event] = [p for k, p in children.items() if k in among]
    if not any(p.triggered for p in waiting):
        if until is not None:
            waiting.append(env.timeout(max(0.0, until - env.now)))
        if not waiting:
            raise RuntimeError("WaitAny with no child running and no time to wait for")
        yield env.any_of(waiting)
    finished = tuple(
        Finished(key=k, value=p.value) for k, p in children.items() if k in among and p.triggered
    )
    return finished
