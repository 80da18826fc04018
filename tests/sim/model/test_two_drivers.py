"""One scheduler, two drivers: the same prebookings, run for real (asyncio, HTTP, SQLite, the mock)
and in SimPy time (the models), with fixed latencies, reach AimHarder in the same order."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import simpy

from harness.gym import CLASS_ID, DAY, enqueue, journal, log_in_all, users
from mock_aimharder.model.accounts import Account
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.model.gym import Gym
from scheduler.core.domain import InstanceId, Session
from scheduler.core.flows import run_invocation
from scheduler.core.strategies import strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import MemoryStore, open_store
from sim.model.driver import drive
from sim.model.streams import Streams
from sim.model.world import SimWorld
from sim.scenario import Scenario
from tests.scheduler.real import mock_gym

COUNT = 7
INBOUND = 0.05
FIXED: dict[str, Any] = {"latency": {"book": {"inbound": {"kind": "fixed", "value": INBOUND}}}}
QUERIES = ("find_ready", "claim", "get_session", "mark_result")


def real_order(name: str, tmp_path: Path) -> list[str]:
    athletes = users(COUNT)
    with open_store(tmp_path / "real.sqlite") as store, mock_gym(COUNT, **FIXED) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        settings = Settings(database_url="unused", aimharder_url=url, policy=strategy(name))
        asyncio.run(invoke(settings, store))
        return [e["user"] for e in journal(url)]


def simulated_order(name: str) -> list[str]:
    athletes = users(COUNT)
    env = simpy.Environment(initial_time=time.time())
    store = MemoryStore()
    enqueue(store, athletes, available_at=env.now - 1)
    accounts = [UserAccount(email=u, password="pw", id=i + 1) for i, u in enumerate(athletes)]
    for user in athletes:
        store.save_session(Session(user=user, cookies={"amhrdrauth": "sim"}), env.now)
    gym = Gym(
        MockConfig(
            users=accounts,
            classes=[ClassSpec(id=CLASS_ID, box=1, day=DAY, time="07:00", capacity=100)],
        )
    )
    scenario = Scenario.from_data(
        {
            "database": {query: {"kind": "fixed", "value": 0} for query in QUERIES},
            "aimharder": {"book": {"inbound": {"kind": "fixed", "value": INBOUND}}},
        }
    )
    world = SimWorld(
        env,
        scenario,
        store=store,
        gym=gym,
        accounts={a.email: Account.of(a) for a in accounts},
        streams=Streams(0, 1, 0),
    )
    flow = run_invocation(instance_id=InstanceId("sim"), config=strategy(name), now=env.now)
    env.run(drive(env, flow, world))
    return [entry.user for entry in gym.journal.since(0)]


@pytest.mark.parametrize("name", ["sequential", "staggered"])
def test_both_drivers_send_the_same_prebookings_in_the_same_order(
    name: str, tmp_path: Path
) -> None:
    simulated = simulated_order(name)
    assert sorted(simulated) == users(COUNT)
    assert real_order(name, tmp_path) == simulated


def test_both_drivers_send_the_same_batches_in_the_same_order(tmp_path: Path) -> None:
    # Within a batch the three requests leave together with equal latencies: their relative
    # order is a tie that neither driver promises to break the same way. The batches are not.
    def batches(order: list[str]) -> list[set[str]]:
        return [set(order[i : i + 3]) for i in range(0, len(order), 3)]

    simulated = simulated_order("batched")
    assert batches(real_order("batched", tmp_path)) == batches(simulated)
