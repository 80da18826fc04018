"""Leases: a claim is held for ``PolicyConfig.lease`` seconds; a prebooking still
``executing`` past it is ready again and a later claim takes it up (``Event.RECLAIM``).

The store rules run against MemoryStore, SQLite and PostgreSQL; the core passes the lease in its
effects; and in SimPy time a killed invocation's claims are taken up by the next invocation
without booking anyone twice (AimHarder's "already booked" counts as booked).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.domain import BookingResult, InstanceId, Prebooking, PrebookingId
from scheduler.core.effects import Claim, FindReady
from scheduler.core.errors import ConfigurationError
from scheduler.core.flows import execute_one, run_invocation
from scheduler.core.rules import CLAIMED, is_claimable, lease_cutoff
from scheduler.core.status import Event, Status, next_status
from scheduler.core.strategies import PolicyConfig, strategy
from scheduler.core.verdict import ALREADY_BOOKED
from scheduler.store import Store
from sim.model.driver import Run
from tests.sim.model.harness import ready_store
from tests.sim.model.world import ScriptedWorld

from .conftest import StoreFactory
from .test_store_contract import T0, A, B, finish, ids, new

LEASE = 15.0


def claimed_by_a(store: Store, count: int = 1) -> None:
    store.add([new(n) for n in range(1, count + 1)])
    for n in range(1, count + 1):
        assert store.claim(PrebookingId(f"p{n:03d}"), A, T0) is not None


# -- the configuration -------------------------------------------------------------------------


def test_the_lease_is_the_budget_plus_the_slack_and_fifteen_seconds_by_default() -> None:
    assert PolicyConfig().lease == 15.0
    assert strategy("parallel", budget=4.0, lease_slack=0.5).lease == 4.5


@pytest.mark.parametrize("slack", [-1.0, math.nan, math.inf, True, "5"])
def test_a_bad_lease_slack_is_refused_naming_it(slack: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"lease_slack=.*expected a number of seconds"):
        PolicyConfig(lease_slack=slack)


def test_claim_and_reclaim_lead_to_the_same_status() -> None:
    assert next_status("p", Status.PENDING, Event.CLAIM) is CLAIMED
    assert next_status("p", Status.EXECUTING, Event.RECLAIM) is CLAIMED


# -- the store rule ----------------------------------------------------------------------------


def test_an_executing_prebooking_is_not_ready_while_its_lease_holds(store: Store) -> None:
    claimed_by_a(store)
    assert store.find_ready(T0 + LEASE - 0.001, limit=10, lease=LEASE) == []
    assert store.claim(PrebookingId("p001"), B, T0 + LEASE - 0.001, lease=LEASE) is None


def test_an_executing_prebooking_is_ready_again_once_its_lease_expired(store: Store) -> None:
    claimed_by_a(store)
    ready = store.find_ready(T0 + LEASE, limit=10, lease=LEASE)  # claimed_at <= now - lease
    assert ids(ready) == ["p001"]
    assert ready[0].status is Status.EXECUTING and ready[0].claimed_by == A


def test_a_claim_takes_up_an_expired_lease_and_the_first_claimer_can_no_longer_record(
    store: Store,
) -> None:
    claimed_by_a(store)
    taken = store.claim(PrebookingId("p001"), B, T0 + LEASE + 1, lease=LEASE)
    assert taken is not None
    assert (taken.status, taken.claimed_by, taken.claimed_at) == (
        Status.EXECUTING,
        B,
        T0 + LEASE + 1,
    )
    assert finish(store, "p001", A, Event.COMPLETE) is False
    assert finish(store, "p001", B, Event.COMPLETE) is True
    assert store.counts()[Status.COMPLETED] == 1


def test_a_taken_up_prebooking_holds_a_fresh_lease(store: Store) -> None:
    claimed_by_a(store)
    assert store.claim(PrebookingId("p001"), B, T0 + LEASE, lease=LEASE) is not None
    assert store.claim(PrebookingId("p001"), A, T0 + LEASE + 1, lease=LEASE) is None
    assert store.find_ready(T0 + 2 * LEASE - 0.001, limit=10, lease=LEASE) == []


def test_without_a_lease_an_executing_prebooking_is_never_ready_again(store: Store) -> None:
    claimed_by_a(store)
    assert store.find_ready(T0 + 1e9, limit=10) == []
    assert store.claim(PrebookingId("p001"), B, T0 + 1e9) is None


def test_a_final_prebooking_is_never_ready_again_whatever_the_lease(store: Store) -> None:
    claimed_by_a(store, count=2)
    finish(store, "p001", A, Event.COMPLETE)
    finish(store, "p002", A, Event.FAIL)
    assert store.find_ready(T0 + 1e9, limit=10, lease=LEASE) == []
    assert store.claim(PrebookingId("p001"), B, T0 + 1e9, lease=LEASE) is None


def test_expired_and_pending_prebookings_come_back_in_created_at_order(store: Store) -> None:
    store.add([new(n) for n in (1, 2, 3)])
    store.claim(PrebookingId("p002"), A, T0)  # the middle one was claimed and abandoned
    assert ids(store.find_ready(T0 + LEASE, limit=10, lease=LEASE)) == ["p001", "p002", "p003"]


@pytest.mark.parametrize("lease", [0, 0.0, -1.0, math.nan, math.inf, True, "15"])
def test_a_bad_lease_is_refused_and_changes_nothing(store: Store, lease: Any) -> None:
    claimed_by_a(store)
    with pytest.raises(ConfigurationError, match=r"lease is .*expected None or a finite number"):
        store.find_ready(T0 + 100, limit=10, lease=lease)
    with pytest.raises(ConfigurationError, match=r"lease is .*expected None or a finite number"):
        store.claim(PrebookingId("p001"), B, T0 + 100, lease=lease)
    assert store.get(PrebookingId("p001")) == store.list()[0]
    assert store.list()[0].claimed_by == A


def test_threads_racing_for_an_expired_lease_take_it_up_once(
    store_factory: StoreFactory,
) -> None:
    store = store_factory()
    claimed_by_a(store)
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def race(n: int) -> None:
        mine = store_factory()
        barrier.wait(timeout=10)
        if mine.claim(PrebookingId("p001"), InstanceId(f"t{n}"), T0 + LEASE, lease=LEASE):
            winners.append(f"t{n}")

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(winners) == 1
    assert store.list()[0].claimed_by == winners[0]


@given(
    status=st.sampled_from(list(Status)),
    claimed_at=st.none() | st.floats(-1e6, 1e6),
    now=st.floats(-1e6, 1e6),
    lease=st.none() | st.floats(0.001, 1e3),
)
def test_the_rule_is_pending_or_executing_or_unknown_past_the_lease(
    status: Status, claimed_at: float | None, now: float, lease: float | None
) -> None:
    expired = lease is not None and claimed_at is not None and claimed_at <= now - lease
    taken_up = status in (Status.EXECUTING, Status.UNKNOWN) and expired
    expected = status is Status.PENDING or taken_up
    assert is_claimable(status, claimed_at, lease_cutoff(now, lease)) is expected


# -- the core passes its lease -----------------------------------------------------------------


def test_an_invocation_finds_and_claims_with_its_lease() -> None:
    config = strategy("sequential", budget=4.0, buffer=1.0, margin=0.5, lease_slack=1.0)
    flow = run_invocation(instance_id=A, config=config, now=10.0)
    assert next(flow) == FindReady(now=10.0, limit=50, lease=5.0)
    prebooking = ready_store(1).list()[0]
    one = execute_one(prebooking, instance_id=A, config=config, deadline=13.0, now=10.0)
    assert next(one) == Claim(prebooking_id=prebooking.id, instance_id=A, now=10.0, lease=5.0)
    flow.close()
    one.close()


# -- in SimPy time: a kill, then the next invocation -------------------------------------------


def once_per_user(places: dict[PrebookingId, int]) -> Any:
    """AimHarder's rule as the mock keeps it: a second booking of the same class by the same
    user is refused with -12 NOPUEDESRESERVAMISMAHORA (mock_aimharder.model.gym)."""

    def answer(prebooking: Prebooking, attempt: int, now: float) -> BookingResult:
        places[prebooking.id] = places.get(prebooking.id, 0) + 1
        if places[prebooking.id] > 1:
            return BookingResult(book_state=-12, message_lang=ALREADY_BOOKED)
        return BookingResult(book_state=1, reservation_id=f"r-{prebooking.id}")

    return answer


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(["sequential", "staggered", "batched", "parallel", "auto"]),
    count=st.integers(1, 8),
    kill_at=st.floats(0.01, 3.0),
)
def test_the_next_invocation_past_the_lease_finishes_what_a_kill_left_without_doubles(
    name: str, count: int, kill_at: float
) -> None:
    config = strategy(name, lease_slack=1.0)
    store = ready_store(count)
    places: dict[PrebookingId, int] = {}
    env = simpy.Environment()
    world = ScriptedWorld(
        env=env, store=store, inbound=lambda p, attempt: 0.3, db=0.02, answer=once_per_user(places)
    )
    first = Run(env, run_invocation(instance_id=A, config=config, now=0.0), world)
    env.run(until=kill_at)
    first.kill()
    env.run(until=kill_at + config.lease)  # what was in flight reaches AimHarder meanwhile
    second = Run(env, run_invocation(instance_id=B, config=config, now=env.now), world)
    env.run(second.process)
    rows = store.list()
    assert [p.status for p in rows] == [Status.COMPLETED] * count
    assert all(places[p.id] in (1, 2) for p in rows)  # sent once, or once more after the kill
    assert len(places) == count  # every one reached AimHarder: none lost
