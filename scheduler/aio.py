"""The asyncio driver: runs the scheduler's flows in real time, with SQL and HTTP.

Like the SimPy driver (``sim.model.driver``), it decides nothing. It interprets ``Sleep``, ``Spawn``
and ``WaitAny`` with asyncio, hands every other effect to a ``RealWorld`` (the store through its
threads, AimHarder through its client, ``scheduler.client``), and throws failures back into the
flow that asked.

Children run in a ``TaskGroup``: cancelling the invocation (the ``maxDuration`` kill) cancels
every request in flight with it, and runs no cleanup, exactly like a platform killing the
function: the rows it claimed stay ``executing``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from typing import Any, TypeVar, assert_never

import uvloop

from scheduler.client import AimHarderClient
from scheduler.core.domain import BookingResult, PrebookingId
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
from scheduler.core.errors import Failure, TransportError
from scheduler.core.exchange import Heard, Request, heard_note, sent_note
from scheduler.core.verdict import judge, judge_place
from scheduler.gathering import StoreCalls
from scheduler.history import History
from scheduler.store import Store
from scheduler.tracing import EffectAnswered, EffectAsked, Tracer

__all__ = ["RealWorld", "drive", "run"]

Clock = Callable[[], float]
T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on a new event loop of the kind the served scheduler runs on (uvloop)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


class RealWorld:
    """AimHarder through ``client``; the store through ``threads`` (``store.concurrency`` of
    them), its calls gathered in batches (``scheduler.gathering``); what is sent to AimHarder
    and heard back noted in ``history``, if one is kept. ``on_found`` is told how many
    prebookings were found ready (the invocation opens connections for them meanwhile);
    ``tracer`` of every effect asked and answered, and every batch of store calls run
    (``scheduler.tracing``)."""

    def __init__(
        self,
        *,
        store: Store,
        client: AimHarderClient,
        threads: Executor,
        clock: Clock = time.time,
        history: History | None = None,
        on_found: Callable[[int], None] | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.calls = StoreCalls(store, threads, concurrency=store.concurrency, tracer=tracer)
        self.clock = clock
        self.history = history
        self.on_found = on_found
        self.tracer = tracer

    async def perform(
        self, effect: FindReady | Claim | GetSession | Book | ReadPlace | MarkResult
    ) -> Any:
        if self.tracer is None:
            return await self._perform(effect)
        flow = id(asyncio.current_task())
        self.tracer(EffectAsked(effect=effect, flow=flow, at=time.time()))
        try:
            return await self._perform(effect)
        finally:
            self.tracer(EffectAnswered(effect=effect, flow=flow, at=time.time()))

    async def _perform(
        self, effect: FindReady | Claim | GetSession | Book | ReadPlace | MarkResult
    ) -> Any:
        if isinstance(effect, Book | ReadPlace):
            return await self._ask_aimharder(effect)
        value = await self.calls.perform(effect)
        if isinstance(effect, FindReady) and value and self.on_found is not None:
            self.on_found(len(value))  # before the claims are asked: they take a trip
        return value

    async def _ask_aimharder(self, effect: Book | ReadPlace) -> Any:
        """Send the request; with a history, note it as sent, then as answered or not.

        A request cancelled by the cut gets no second note: sent and never heard of again.
        """
        p = effect.prebooking
        asked: Coroutine[Any, Any, BookingResult | int | None]
        if isinstance(effect, Book):
            request = Request.BOOK
            asked = self.client.book(p, effect.session, timeout=effect.timeout)
        else:
            request = Request.LISTING
            asked = self.client.place(p, effect.session, timeout=effect.timeout)
        history = self.history
        if history is None:
            return await asked
        key = history.key()
        history.note(
            sent_note(
                key,
                prebooking_id=p.id,
                user=p.user,
                class_id=p.class_id,
                request=request,
                at=self.clock(),
            )
        )
        try:
            value = await asked
        except Failure as exc:
            heard = Heard.NO_ANSWER if isinstance(exc, TransportError) else Heard.ANSWERED
            history.note(
                heard_note(key, heard=heard, holds_place=False, detail=str(exc), at=self.clock())
            )
            raise
        if isinstance(value, BookingResult):
            verdict = judge(value)
            holds, detail = verdict.holds_spot, verdict.message
        else:
            holds, detail = judge_place(value) is not None, None
        history.note(
            heard_note(key, heard=Heard.ANSWERED, holds_place=holds, detail=detail, at=self.clock())
        )
        return value


async def drive(flow: Flow[Any], world: RealWorld, *, clock: Clock = time.time) -> Any:
    """Run ``flow`` to its end and return its value."""
    async with asyncio.TaskGroup() as group:
        return await _interpret(flow, world, clock, group)


async def _interpret(
    flow: Flow[Any], world: RealWorld, clock: Clock, group: asyncio.TaskGroup
) -> Any:
    children: dict[PrebookingId, asyncio.Task[Any]] = {}
    reply: Reply[Any] | None = None
    failure: Exception | None = None
    while True:
        try:
            if failure is not None:
                effect: Effect = flow.throw(failure)
            else:
                effect = next(flow) if reply is None else flow.send(reply)
        except StopIteration as stop:
            return stop.value
        failure = None
        value: Any = None
        match effect:
            case Sleep(until=until):
                await asyncio.sleep(max(0.0, until - clock()))
            case Spawn(key=key, flow=child):
                children[key] = group.create_task(_interpret(child, world, clock, group))
            case WaitAny(among=among, until=until):
                value = await _wait_any(children, among, until, clock)
            case FindReady() | Claim() | GetSession() | Book() | ReadPlace() | MarkResult():
                try:
                    value = await world.perform(effect)
                except Failure as exc:  # the world's failure goes back into the flow, stamped
                    failure = exc.at(clock())
                except Exception as exc:  # not a domain error: the flow lets it propagate
                    failure = exc
            case _:
                assert_never(effect)
        reply = Reply(value=value, now=clock()) if failure is None else None


async def _wait_any(
    children: dict[PrebookingId, asyncio.Task[Any]],
    among: frozenset[PrebookingId],
    until: float | None,
    clock: Clock,
) -> tuple[Finished, ...]:
    """The children in ``among`` that finished; waits for one, or for ``until``, if none has."""
    waiting = {task for key, task in children.items() if key in among}
    if not any(task.done() for task in waiting):
        timeout = None if until is None else max(0.0, until - clock())
        if waiting:
            await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        elif timeout is not None:
            await asyncio.sleep(timeout)
        else:
            raise RuntimeError("WaitAny with no child running and no time to wait for")
    finished = tuple(
        Finished(key=key, value=task.result())
        for key, task in children.items()
        if key in among and task.done()
    )
    return finished
