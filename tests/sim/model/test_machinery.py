"""The scheduler's machinery in the model: bursts of new connections, reused connections."""

from __future__ import annotations

import itertools

import pytest

from sim.experiments.seed_tables import one_invocation
from sim.model.replication import run_replication
from sim.scenario import Scenario

QUERIES = ("find_ready", "claim", "get_session", "mark_result")


def arrivals(name: str, client: dict[str, float]) -> list[float]:
    """When each booking reached the server (inbound fixed at 100 ms taken off), in order."""
    scenario = Scenario.from_data(
        {
            "database": {"capacity": 1, **{q: 0.001 for q in QUERIES}},
            "aimharder": {"book": {"inbound": 0.1, "outbound": 0.1}},
            "client": client,
        }
    )
    result = run_replication(one_invocation(scenario, guard=True), name, 5, 0, keep_journal=True)
    return [round(e.received_wall - 0.1, 6) for e in result.journal]


def test_a_burst_of_new_connections_leaves_together_in_one_round() -> None:
    bare = arrivals("parallel", {})
    # the five claims and sessions go in one trip to the database, so the sends leave together
    assert len(set(bare)) == 1
    bunched = arrivals("parallel", {"connect": 0.03, "connect_each": 0.003})
    assert len(set(bunched)) == 1  # one round: 30 ms + 4 x 3 ms after the first asked
    assert bunched[0] == pytest.approx(bare[0] + 0.03 + 4 * 0.003)


def test_a_connection_is_reused_once_answered() -> None:
    bare = arrivals("sequential", {})
    connected = arrivals("sequential", {"connect": 0.03, "receive": 0.002})
    # only the first send opens a connection; each later one waits for the answers before it
    assert connected[0] == pytest.approx(bare[0] + 0.03)
    gaps = [b - a for a, b in itertools.pairwise(bare)]
    later = [b - a for a, b in itertools.pairwise(connected)]
    assert later == pytest.approx([g + 0.002 for g in gaps])


def test_the_flows_steps_take_turns_on_the_one_event_loop() -> None:
    # Five flows ready at once, each with a claim, a session read and a send: with a 10 ms step
    # before each effect, a flow alone would send 4 steps later (with the query's); on one
    # loop the last send waits for the steps of all five (16, less the queries they overlap).
    bare = arrivals("parallel", {})
    stepped = arrivals("parallel", {"turn": 0.01})
    assert stepped[-1] - bare[-1] > 3 * 4 * 0.01
