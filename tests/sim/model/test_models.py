"""The simulation's models against cases whose answer is known in closed form, and its
distributions and seeds honoured."""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest

from mock_aimharder.model.distributions import Fixed
from scheduler.core.errors import ConfigurationError
from scheduler.core.outcome import Disposition
from sim.experiments.seed_tables import one_invocation
from sim.model.replication import run_replication
from sim.scenario import Scenario, ScenarioError

FIND, CLAIM, SESSION, MARK = 0.1, 0.04, 0.04, 0.04


def fixed(value: float) -> dict[str, Any]:
    return {"kind": "fixed", "value": value}


def scenario(book: dict[str, Any], **sections: Any) -> Scenario:
    data: dict[str, Any] = {
        "database": {
            "find_ready": fixed(FIND),
            "claim": fixed(CLAIM),
            "get_session": fixed(SESSION),
            "mark_result": fixed(MARK),
        },
        "aimharder": {"book": book},
        "workload": {"capacity_ratio": 1.0},
        **sections,
    }
    return Scenario.from_data(data)


def test_sequential_makespan_is_n_times_each_step_plus_the_query() -> None:
    latency = 0.3
    base = scenario({"inbound": fixed(latency / 2), "outbound": fixed(latency / 2)})
    result = run_replication(one_invocation(base, guard=False), "sequential", 5, 0)
    assert result.summary.makespan_max == pytest.approx(
        FIND + 5 * (CLAIM + SESSION + latency + MARK)
    )


def test_parallel_queues_at_the_servers_capacity() -> None:
    service, capacity, n = 0.5, 2, 5
    base = scenario({"service": fixed(service), "capacity": capacity})
    result = run_replication(one_invocation(base, guard=False), "parallel", n, 0)
    rounds = math.ceil(n / capacity)
    assert result.summary.makespan_max == pytest.approx(
        FIND + CLAIM + SESSION + rounds * service + MARK
    )
    (measures,) = result.classes
    start = 0.001 + FIND + CLAIM + SESSION  # triggered 1 ms after the opening
    expected = sorted(start + service * (1 + k // capacity) for k in range(n))
    assert sorted(measures.times_to_book) == pytest.approx(expected)


@pytest.mark.parametrize(("name", "in_flight"), [("sequential", 1), ("parallel", 3)])
def test_a_kill_leaves_exactly_the_in_flight_prebookings_executing(
    name: str, in_flight: int
) -> None:
    # The guard bounds every request by budget - buffer (8 s), but not the store: a result
    # write that takes 20 s is still under way when the platform cuts at 10 s.
    base = scenario({"inbound": fixed(0.1)})
    slow_store = base.variant(database={"mark_result": Fixed(value=20.0)})
    killed = one_invocation(slow_store, guard=True)
    result = run_replication(killed, name, 3, 0)
    assert result.summary.killed == 1
    assert result.summary.executing == in_flight
    assert result.summary.lost == 3  # the others were never claimed: still pending
    # the requests already sent still reach AimHarder after the kill, as real ones would
    assert result.classes[0].processed == in_flight


@pytest.mark.parametrize(("way", "completed"), [(0.1, 3), (5.0, 0)])
def test_a_request_answered_after_its_deadline_fails_but_still_books_at_the_server(
    way: float, completed: int
) -> None:
    # An unlimited server, no client model: a request's time is known when it is sent. Back in
    # 0.2 s it books within the flow; back in 10 s it outlives the guard's 8 s deadline: the
    # flow gives up (unknown: sent, never answered; nothing killed) and the server books it
    # all the same.
    base = scenario({"inbound": fixed(way), "outbound": fixed(way)})
    result = run_replication(one_invocation(base, guard=True), "parallel", 3, 0)
    (invocation,) = result.invocations
    assert not invocation.killed and invocation.report is not None
    assert invocation.report.completed == completed
    assert invocation.report.count(Disposition.UNKNOWN) == 3 - completed
    assert result.classes[0].processed == result.summary.placed == 3


def test_the_same_seed_gives_the_same_run_and_another_a_different_one() -> None:
    base = Scenario()
    first = run_replication(base, "staggered", 10, 3)
    again = run_replication(base, "staggered", 10, 3)
    other = run_replication(base, "staggered", 10, 4)
    assert first == again
    assert first.summary != other.summary


def test_strategies_meet_the_same_world_at_the_same_replication() -> None:
    a = run_replication(Scenario(), "sequential", 5, 2)
    b = run_replication(Scenario(), "parallel", 5, 2)
    assert [i.requested_at for i in a.invocations] == [i.requested_at for i in b.invocations]


def test_cron_jitter_and_cold_starts_follow_their_distributions() -> None:
    base = Scenario.from_data(
        {
            "cron": {"jitter": {"kind": "uniform", "low": 0.0, "high": 2.0}},
            "platform": {
                "cold_start": {"kind": "lognormal", "median": 0.4, "p99": 1.5},
                "warm_for": 0.0,  # every call is cold
            },
            "workload": {"minutes": 120},
        }
    )
    result = run_replication(base, "sequential", 1, 0)
    offsets = [i.requested_at % 60.0 for i in result.invocations]
    colds = [i.started_at - i.requested_at for i in result.invocations]
    assert len(offsets) >= 120
    # uniform(0, 2): mean 1, sd 0.577; 4 standard errors of the mean
    assert statistics.mean(offsets) == pytest.approx(1.0, abs=4 * 0.577 / math.sqrt(len(offsets)))
    assert all(i.cold for i in result.invocations)
    assert statistics.median(colds) == pytest.approx(0.4, rel=0.2)


def test_a_bad_scenario_names_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"workload\.minutes"):
        Scenario.from_data({"workload": {"minutes": 0}})
    with pytest.raises(ConfigurationError, match="unknown strategy 'fifo'"):
        Scenario.from_data({"experiment": {"strategies": ["fifo"]}})


@pytest.mark.parametrize("n", [1, 4, 10])
def test_the_claims_of_one_instant_cost_one_trip_to_the_database(n: int) -> None:
    # One connection: were the claims, sessions or results queued one by one, the last booking
    # would be sent after n claims and n session reads, and its result written after n others.
    base = scenario({"inbound": fixed(0.1)}, database={
        "capacity": 1,
        "find_ready": fixed(FIND), "claim": fixed(CLAIM),
        "get_session": fixed(SESSION), "mark_result": fixed(MARK),
    })  # fmt: skip
    result = run_replication(one_invocation(base, guard=False), "parallel", n, 0)
    assert result.summary.makespan_max == pytest.approx(FIND + CLAIM + SESSION + 0.1 + MARK)
    (measures,) = result.classes
    assert measures.times_to_book == pytest.approx([0.001 + FIND + CLAIM + SESSION + 0.1] * n)


@pytest.mark.parametrize(
    ("mode", "exact", "cron"), [("cron", 0, 5), ("exact", 2, 0), ("both", 2, 5)]
)
def test_the_trigger_fires_at_openings_at_ticks_or_both(mode: str, exact: int, cron: int) -> None:
    base = Scenario.from_data(
        {
            "cron": {"mode": mode, "jitter": fixed(0.5), "exact_delay": 0.03},
            "workload": {"minutes": 2},
            "experiment": {"drain_minutes": 3},
        }
    )
    requested = [
        round(i.requested_at, 6) for i in run_replication(base, "parallel", 2, 0).invocations
    ]
    assert sorted(t for t in requested if t % 60 == pytest.approx(0.03)) == [60.03, 120.03][:exact]
    assert (
        len([t for t in requested if t % 60 == pytest.approx(0.5)]) == cron
    )  # ticks at 0.5 .. 240.5 s; 300.5 is past the end


def test_a_workload_waitlist_takes_the_bookings_a_full_class_turns_away() -> None:
    """The bot books with insist=0; the simulated AimHarder waitlists it when there is room
    (sim/model/replication.py), so ``workload.waitlist`` is the waitlist it says."""
    base = one_invocation(scenario({"service": fixed(0.1)}), guard=False)
    scarce = base.variant(workload={"capacity_ratio": 0.5, "waitlist": 1})
    result = run_replication(scarce, "sequential", 4, 0, keep_journal=True)
    states = sorted(entry.book_state for entry in result.journal if entry.book_state is not None)
    assert states == [-1, 0, 1, 1]
