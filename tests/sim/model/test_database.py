"""The model's database trips: calls of one instant go together, and calls that come while the
database is busy wait and leave together when it frees."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy

from mock_aimharder.model.distributions import Fixed
from scheduler.core.domain import InstanceId
from scheduler.core.effects import Claim, FindReady, GetSession, MarkResult
from scheduler.store import MemoryStore
from sim.model.database import StoreTrips
from sim.model.machinery import Client
from sim.model.streams import Streams
from sim.scenario import ClientModel
from tests.scheduler.test_store_concurrency import T0, ready_rows

CLAIM, SESSION = 0.1, 0.04


def trips(store: MemoryStore, env: simpy.Environment) -> StoreTrips:
    streams = Streams(seed=1, load=5, replication=0)
    delays = {
        kind: streams.keyed(f"database.{kind.__name__}", Fixed(value=value))
        for kind, value in (
            (FindReady, 0.1),
            (Claim, CLAIM),
            (GetSession, SESSION),
            (MarkResult, 0.04),
        )
    }
    return StoreTrips(env, store, Client(env, ClientModel(), streams), delays, capacity=1)


def test_claims_asked_while_the_database_is_busy_leave_together_when_it_frees() -> None:
    env = simpy.Environment(initial_time=T0)
    store = MemoryStore()
    rows = store.add(ready_rows()[:5])
    database = trips(store, env)
    answered: dict[str, float] = {}

    def claim(index: int, at: float) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(at)
        prebooking = yield from database.perform(
            Claim(prebooking_id=rows[index].id, instance_id=InstanceId("i"), now=env.now)
        )
        assert prebooking is not None and prebooking.id == rows[index].id
        session = yield from database.perform(GetSession(user=prebooking.user))
        assert session is None  # read with the claim: no trip of its own
        answered[prebooking.id] = env.now - T0

    for index, at in enumerate([0.0, 0.0, 0.0, 0.05, 0.06]):
        env.process(claim(index, at))
    env.run()
    first = CLAIM + SESSION
    # the two late claims wait for the first trip, then go in one (two would end at 3 * first)
    expected = [first] * 3 + [2 * first] * 2
    assert [answered[row.id] for row in rows] == pytest.approx(expected)
