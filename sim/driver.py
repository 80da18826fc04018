"""The SimPy driver: runs the scheduler's own flows in simulated time.

It holds no decision about prebookings. It interprets each effect: ``Sleep``, ``Spawn`` and
``WaitAny`` with SimPy's own events, and the rest by asking a ``World`` (the models of the
database, the network and AimHarder), which answers after the simulated time the effect takes.
Errors the world raises are thrown into the flow, as SimPy throws a failed event into a process.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol, assert_never

import simpy

from scheduler.domain import PrebookingId
from scheduler.effects import (
    Book,
    Claim,
    Effect,
    FindReady,
    Finished,
    Flow,
    GetSession,
    MarkResult,
    Reply,
    Sleep,
    Spawn,
    WaitAny,
)

__all__ = ["World", "drive"]

WorldEffect = FindReady | Claim | GetSession | Book | MarkResult


class World(Protocol):
    """What the flows touch, modelled: each call is a SimPy process body returning the value."""

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]: ...


def drive(env: simpy.Environment, flow: Flow[Any], world: World) -> simpy.Process:
    """Start ``flow`` as a SimPy process; the process's value is what the flow returns."""
    return env.process(_interpret(env, flow, world))


def _interpret(
    env: simpy.Environment, flow: Flow[Any], world: World
) -> Generator[simpy.Event, Any, Any]:
    children: dict[PrebookingId, simpy.Process] = {}
    reported: set[PrebookingId] = set()
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
        match effect:
            case Sleep(until=until):
                yield env.timeout(max(0.0, until - env.now))
                value: Any = None
            case Spawn(key=key, flow=child):
                children[key] = drive(env, child, world)
                value = None
            case WaitAny(until=until):
                value = yield from _wait_any(env, children, reported, until)
            case FindReady() | Claim() | GetSession() | Book() | MarkResult():
                value = yield env.process(_captured(world.perform(effect)))
                if isinstance(value, _Failure):
                    failure = value.error
            case _:
                assert_never(effect)
        reply = Reply(value=value, now=env.now) if failure is None else None


def _wait_any(
    env: simpy.Environment,
    children: dict[PrebookingId, simpy.Process],
    reported: set[PrebookingId],
    until: float | None,
) -> Generator[simpy.Event, Any, tuple[Finished, ...]]:
    """Children finished and not yet reported; waits for one, or for ``until``, if none has."""
    waiting: list[simpy.Event] = [p for k, p in children.items() if k not in reported]
    if not any(p.triggered for p in waiting):
        if until is not None:
            waiting.append(env.timeout(max(0.0, until - env.now)))
        if not waiting:
            raise RuntimeError("WaitAny with no child running and no time to wait for")
        yield env.any_of(waiting)
    finished = tuple(
        Finished(key=k, value=p.value)
        for k, p in children.items()
        if k not in reported and p.triggered
    )
    reported.update(f.key for f in finished)
    return finished


@dataclass(frozen=True, slots=True)
class _Failure:
    error: Exception


def _captured(
    body: Generator[simpy.Event, Any, Any],
) -> Generator[simpy.Event, Any, Any]:
    """Runs ``body``, returning its exception instead of failing the SimPy process.

    SimPy rebuilds an exception from its ``args`` before throwing it into a waiting process,
    which loses keyword-only fields such as ``DriverError.now``; handing it over as a value keeps
    the very object the world raised.
    """
    try:
        return (yield from body)
    except Exception as exc:  # every failure of the world goes back into the flow
        return _Failure(exc)
