"""The serverless platform: containers that start cold or are reused warm, and the hard kill.

A call takes an idle container that was used within ``warm_for`` seconds, or pays a cold start.
The function then runs the scheduler's real invocation flow (``scheduler.core.flows``) through the
SimPy driver; at ``max_duration`` after it started, whatever is still running is killed
(``sim.model.driver.Run.kill``): no cleanup, claimed prebookings stay ``executing``.

A call carries the trigger's delivery id, and the invocation is named after it. As the cron
endpoint does (``scheduler.invoke``), it first notes the id in the store: a second delivery of
it within the limit runs nothing and answers that it was a duplicate. (That one insert's time
is not modelled: a few ms beside a cold start.)
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from mock_aimharder.model.latency import Sampler
from scheduler.core.domain import InstanceId
from scheduler.core.flows import run_invocation
from scheduler.core.outcome import InvocationReport
from scheduler.core.strategies import PolicyConfig
from scheduler.store import Store
from sim.model.driver import Run, World
from sim.model.faults import Faults
from sim.model.history import History
from sim.model.invocation import InvocationWorld
from sim.scenario import PlatformModel

__all__ = ["InvocationRecord", "Platform"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InvocationRecord:
    instance_id: str  # the delivery id it was called with
    requested_at: float  # the cron's request reached the platform
    started_at: float  # the function began (after any cold start)
    ended_at: float  # it answered, or was killed
    cold: bool
    killed: bool
    report: InvocationReport | None  # None when killed, or a duplicate
    duplicate: bool = False  # a second delivery of an id: nothing run

    @property
    def status(self) -> int:
        """The HTTP status the trigger sees: 504 when cut, 503 when the invocation failed."""
        if self.killed:
            return 504
        return 503 if self.report is not None and self.report.error is not None else 200

    @property
    def makespan(self) -> float:
        """From request to response, as the cron sees it."""
        return self.ended_at - self.requested_at


class Platform:
    def __init__(
        self,
        env: simpy.Environment,
        model: PlatformModel,
        *,
        policy: PolicyConfig,
        world: World,
        store: Store,
        cold_start: Sampler,
        faults: Faults | None = None,
        history: History | None = None,
    ) -> None:
        self.env = env
        self.model = model
        self.policy = policy
        self.world = world
        self.store = store
        self.records: list[InvocationRecord] = []
        self._cold_start = cold_start
        self._faults = faults
        self._history = history
        self._idle_since: list[float] = []  # containers waiting for a call, by when they freed
        self._ids = itertools.count(1)
        self._runs = itertools.count(1)  # one per invocation run: a delivery id may run twice

    def call(self, delivery_id: str | None = None) -> simpy.Process:
        """One request to the function; the process's value is its ``InvocationRecord``."""
        instance = delivery_id if delivery_id is not None else f"inv{next(self._ids):04d}"
        return self.env.process(self._invocation(InstanceId(instance), delivery_id is not None))

    def _take_warm_container(self) -> bool:
        now, warm_for = self.env.now, self.model.warm_for
        self._idle_since = [t for t in self._idle_since if now - t <= warm_for]
        if self._idle_since:
            self._idle_since.pop()  # the most recently freed one, the warmest
            return True
        return False

    def _invocation(
        self, instance_id: InstanceId, delivered: bool
    ) -> Generator[simpy.Event, Any, InvocationRecord]:
        env = self.env
        requested = env.now
        cold = not self._take_warm_container()
        if cold:
            yield env.timeout(self._cold_start.sample())
        started = env.now
        hold = self.model.max_duration
        duplicate = delivered and not self.store.begin_delivery(instance_id, started, hold=hold)
        killed, report = False, None
        if not duplicate:
            skew = self._clock_skew(instance_id)
            flow = run_invocation(instance_id=instance_id, config=self.policy, now=started + skew)
            world = self.world
            if self._faults is not None or self._history is not None:
                world = InvocationWorld(
                    env,
                    world,
                    instance_id=f"{instance_id}#{next(self._runs)}",
                    faults=self._faults,
                    history=self._history,
                    skew=skew,
                )
            run = Run(env, flow, world, skew=skew)
            if isinstance(world, InvocationWorld):
                world.run = run
            yield run.process | env.timeout(self.model.max_duration)
            if not run.process.triggered:
                run.kill()
                yield run.process
            killed = run.killed
            report = run.process.value
            failed = isinstance(report, InvocationReport) and report.error is not None
            if delivered and failed:  # as the cron endpoint does: its retry is no duplicate
                self.store.forget_delivery(instance_id)
        self._idle_since.append(env.now)
        record = InvocationRecord(
            instance_id=instance_id,
            requested_at=requested,
            started_at=started,
            ended_at=env.now,
            cold=cold,
            killed=killed,
            report=report if isinstance(report, InvocationReport) else None,
            duplicate=duplicate,
        )
        self.records.append(record)
        return record

    def _clock_skew(self, instance_id: str) -> float:
        """How far this invocation's clock is off the model's: 0 unless a jump struck it."""
        faults = self._faults
        if faults is None or not faults.strikes("clock_jump"):
            return 0.0
        size = faults.delay("clock_jump", faults.model.clock_jump_size)
        skew = faults.direction("clock_jump") * size
        faults.note("clock_jump", instance_id, f"{skew:+.3f} s")
        return skew
