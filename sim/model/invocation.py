"""The world as one invocation reaches it: its process's pauses, its kill at an effect, and
its history.

One function instance runs one invocation, so what happens to the process happens to every
flow of it at once. A pause (``sim.faults``) stands the whole invocation still: no flow of it
asks or hears anything until it resumes, while the requests it sent go on, and answers that
came meanwhile are heard at the resume (a timer that fell due meanwhile fires then too). A kill
at an effect is the platform's kill (``sim.model.driver.Run.kill``), only sooner. The history
notes each request to AimHarder as the real driver notes it (``sim.model.history``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from scheduler.core.domain import PrebookingId
from scheduler.core.effects import Book, Claim, ReadPlace
from scheduler.core.errors import Failure, TransportError
from scheduler.core.exchange import Heard
from scheduler.core.verdict import judge, judge_place
from sim.model.driver import Run, World, WorldEffect
from sim.model.faults import Faults
from sim.model.history import History

__all__ = ["InvocationWorld"]


class InvocationWorld:
    """``world`` as invocation ``instance_id`` sees it; ``run`` is set once it is running."""

    def __init__(
        self,
        env: simpy.Environment,
        world: World,
        *,
        instance_id: str,
        faults: Faults | None,
        history: History | None,
        skew: float = 0.0,
    ) -> None:
        self._env = env
        self._world = world
        self._instance = instance_id
        self._faults = faults
        self._history = history
        self._skew = skew
        self._paused_until = -math.inf
        self._started: dict[PrebookingId, float] = {}
        self.run: Run | None = None

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]:
        yield from self._paused()
        faults = self._faults
        if faults is not None and self.run is not None and faults.strikes("kill"):
            faults.note("kill", self._instance, f"at {type(effect).__name__}")
            yield from self._killed(self.run)
        if type(effect) is Claim:  # asked when the policy started it, on the invocation's clock
            self._started[effect.prebooking_id] = effect.now - self._skew
            if self._history is not None:
                self._history.started(self._instance, effect.prebooking_id, effect.now - self._skew)
        if type(effect) is not Book and type(effect) is not ReadPlace:
            value = yield from self._world.perform(effect)
            yield from self._paused()
            return value
        if type(effect) is Book and faults is not None and faults.strikes("pause"):
            in_flight = faults.direction("pause") > 0
            duration = faults.delay("pause", faults.model.pause_duration)
            self._paused_until = self._env.now + duration
            where = "in flight" if in_flight else "before the send"
            faults.note(
                "pause", self._instance, f"{duration:.3f} s {where} of {effect.prebooking.id}"
            )
            if not in_flight:  # between the claim and the send
                yield from self._paused()
        return (yield from self._request(effect))

    def _request(self, effect: Book | ReadPlace) -> Generator[simpy.Event, Any, Any]:
        history, env = self._history, self._env
        key = None
        if history is not None:
            started = self._started.get(effect.prebooking.id, env.now)
            key = history.sent(effect, instance_id=self._instance, started_at=started, at=env.now)
        try:
            value = yield from self._world.perform(effect)
        except Failure as exc:
            yield from self._paused()
            if history is not None and key is not None:
                heard = Heard.NO_ANSWER if isinstance(exc, TransportError) else Heard.ANSWERED
                history.heard(key, heard=heard, holds_place=False, detail=str(exc), at=env.now)
            raise
        yield from self._paused()
        if history is not None and key is not None:
            if type(effect) is Book:
                verdict = judge(value)
                holds, detail = verdict.holds_spot, verdict.message
            else:
                holds, detail = judge_place(value) is not None, None
            history.heard(key, heard=Heard.ANSWERED, holds_place=holds, detail=detail, at=env.now)
        return value

    def _paused(self) -> Generator[simpy.Event, Any, None]:
        if self._env.now < self._paused_until:
            yield self._env.timeout(self._paused_until - self._env.now)

    def _killed(self, run: Run) -> Generator[simpy.Event, Any, None]:
        """The platform kills the whole invocation now: this flow waits for it, as the others."""
        kill = self._env.event()
        kill.callbacks.append(lambda _: run.kill())
        kill.succeed()
        yield self._env.event()  # never comes: the kill interrupts this wait
