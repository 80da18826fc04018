"""The ordering promises of each strategy, for any latencies, as AimHarder processes the
bookings (the scripted world's journal), and what a kill leaves behind.

The world sends every booking ``inbound(prebooking)`` seconds to reach AimHarder; hypothesis
chooses those latencies freely, including "later requests faster" ones.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import measures
from scheduler.core.domain import InstanceId, Prebooking
from scheduler.core.flows import run_invocation
from scheduler.core.status import Status
from scheduler.core.strategies import strategy
from sim.model.driver import KILLED, Run
from tests.sim.model.harness import invoke, ready_store
from tests.sim.model.world import ScriptedWorld

latencies = st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12)


def inbound_of(values: list[float]) -> Callable[[Prebooking, int], float]:
    def inbound(p: Prebooking, attempt: int) -> float:
        return values[int(p.id[1:])]

    return inbound


def processed(values: list[float], name: str, **overrides: float) -> list[int]:
    store = ready_store(len(values))
    _, world = invoke(strategy(name, **overrides), store, inbound=inbound_of(values))
    return [int(pid[1:]) for _, pid in world.journal]


@settings(max_examples=150, deadline=None)
@given(latencies)
def test_sequential_never_lets_a_later_prebooking_be_processed_first(values: list[float]) -> None:
    assert processed(values, "sequential") == sorted(processed(values, "sequential"))


@settings(max_examples=150, deadline=None)
@given(latencies)
def test_batched_never_inverts_across_batches(values: list[float]) -> None:
    batches = [index // 3 for index in processed(values, "batched")]
    assert batches == sorted(batches)


@settings(max_examples=150, deadline=None)
@given(latencies, st.sampled_from([0.05, 0.1, 0.2]))
def test_staggered_never_inverts_when_the_spread_is_below_the_gap(
    values: list[float], gap: float
) -> None:
    low = min(values)
    narrow = [low + (v - low) * (gap * 0.99) / max(1.0, max(values) - low) for v in values]
    assert max(narrow) - min(narrow) < gap
    order = processed(narrow, "staggered", gap=gap)
    assert order == sorted(order)


def test_staggered_does_invert_when_the_spread_exceeds_the_gap() -> None:
    order = processed([0.5, 0.1], "staggered", gap=0.05)
    assert order == [1, 0]


@settings(max_examples=100, deadline=None)
@given(
    latencies,
    st.sampled_from(["sequential", "staggered", "batched", "parallel", "auto"]),
    st.floats(0.001, 4.0),
)
def test_a_kill_leaves_claimed_prebookings_executing_and_nothing_else(
    values: list[float], name: str, kill_at: float
) -> None:
    store = ready_store(len(values))
    env = simpy.Environment()
    world = ScriptedWorld(env=env, store=store, inbound=inbound_of(values), db=0.02)
    flow = run_invocation(instance_id=InstanceId("i1"), config=strategy(name), now=0.0)
    run = Run(env, flow, world)
    env.run(until=min(kill_at, 100.0))
    killed = run.process.is_alive
    if killed:
        run.kill()
    env.run()  # the requests already sent still reach AimHarder; nothing else happens
    rows = store.list()
    executing = {p.id for p in rows if measures.stuck(p)}
    if not killed:
        assert executing == set()
        assert run.process.value is not KILLED
        assert not any(measures.lost(p) for p in rows)
    for row in rows:
        # final exactly once (a status), or still claimed only because of the kill,
        # or never claimed (pending): nothing else
        assert row.status.is_final or row.id in executing or row.status is Status.PENDING
        assert (row.claimed_by is None) == (row.status is Status.PENDING)
