"""Builds a store of ready prebookings and runs one invocation of the real flows in SimPy time."""

from __future__ import annotations

from typing import Any, cast

import simpy

from scheduler.core.domain import InstanceId, Prebooking, PrebookingId, Session, UserId
from scheduler.core.flows import run_invocation
from scheduler.core.outcome import InvocationReport
from scheduler.core.strategies import PolicyConfig
from scheduler.store import MemoryStore, NewPrebooking
from sim.model.driver import drive
from tests.sim.model.world import ScriptedWorld

__all__ = ["invoke", "invoke_together", "ready_store"]


def ready_store(
    count: int, *, with_sessions: bool = True, available_at: float = 0.0
) -> MemoryStore:
    """``count`` prebookings ``p00``, ``p01`` ... asked for in that order, all ready at 0."""
    store = MemoryStore()
    store.add(
        NewPrebooking(
            id=PrebookingId(f"p{i:02d}"),
            user=UserId(f"user{i}@example.com"),
            class_id=100,
            day="20261130",
            box=1,
            available_at=available_at,
            created_at=-1000.0 + i,
        )
        for i in range(count)
    )
    if with_sessions:
        for i in range(count):
            user = UserId(f"user{i}@example.com")
            store.save_session(Session(user=user, cookies={"amhrdrauth": f"c{i}"}), 0.0)
    return store


def invoke(
    config: PolicyConfig, store: MemoryStore, *, instance: str = "i1", **world: Any
) -> tuple[InvocationReport, ScriptedWorld]:
    """One invocation starting at t=0; ``world`` sets the scripted latencies and answers."""
    (report,), scripted = invoke_together(config, store, instances=[instance], **world)
    return report, scripted


def invoke_together(
    config: PolicyConfig, store: MemoryStore, *, instances: list[str], **world: Any
) -> tuple[list[InvocationReport], ScriptedWorld]:
    """Several invocations started at t=0 on the same store and the same AimHarder."""
    env = simpy.Environment()
    scripted = ScriptedWorld(env=env, store=store, **world)
    processes = [
        drive(env, run_invocation(instance_id=InstanceId(i), config=config, now=env.now), scripted)
        for i in instances
    ]
    env.run(env.all_of(processes))
    reports = [cast(InvocationReport, p.value) for p in processes]
    return reports, scripted


def ids(prebookings: list[Prebooking]) -> list[str]:
    return [p.id for p in prebookings]
