"""The serverless platform: containers that start cold or are reused warm, and the hard kill.

A call takes an idle container that was used within ``warm_for`` seconds, or pays a cold start.
The function then runs the scheduler's real invocation flow (``scheduler.core.flows``) through the
SimPy driver; at ``max_duration`` after it started, whatever is still running is killed
(``sim.driver.Run.kill``): no cleanup, claimed prebookings stay ``executing``.
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
from sim.driver import Run, World
from sim.scenario import PlatformModel

__all__ = ["InvocationRecord", "Platform"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InvocationRecord:
    instance_id: str
    requested_at: float  # the cron's request reached the platform
    started_at: float  # the function began (after any cold start)
    ended_at: float  # it answered, or was killed
    cold: bool
    killed: bool
    report: InvocationReport | None  # None when killed

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
        cold_start: Sampler,
    ) -> None:
        self.env = env
        self.model = model
        self.policy = policy
        self.world = world
        self.records: list[InvocationRecord] = []
        self._cold_start = cold_start
        self._idle_since: list[float] = []  # containers waiting for a call, by when they freed
        self._ids = itertools.count(1)

    def call(self) -> simpy.Process:
        """One request to the function; the process's value is its ``InvocationRecord``."""
        return self.env.process(self._invocation(InstanceId(f"inv{next(self._ids):04d}")))

    def _take_warm_container(self) -> bool:
        now, warm_for = self.env.now, self.model.warm_for
        self._idle_since = [t for t in self._idle_since if now - t <= warm_for]
        if self._idle_since:
            self._idle_since.pop()  # the most recently freed one, the warmest
            return True
        return False

    def _invocation(self, instance_id: InstanceId) -> Generator[simpy.Event, Any, InvocationRecord]:
        env = self.env
        requested = env.now
        cold = not self._take_warm_container()
        if cold:
            yield env.timeout(self._cold_start.sample())
        started = env.now
        flow = run_invocation(instance_id=instance_id, config=self.policy, now=started)
        run = Run(env, flow, self.world)
        yield run.process | env.timeout(self.model.max_duration)
        killed = not run.process.triggered
        if killed:
            run.kill()
            yield run.process
        self._idle_since.append(env.now)
        report = run.process.value
        record = InvocationRecord(
            instance_id=instance_id,
            requested_at=requested,
            started_at=started,
            ended_at=env.now,
            cold=cold,
            killed=killed,
            report=report if isinstance(report, InvocationReport) else None,
        )
        self.records.append(record)
        return record
