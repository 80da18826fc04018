"""Where each strategy stands after KN: its mean with an interval, and its paired difference
from the choice (``sim.selection.standing``), from constructed replications."""

from __future__ import annotations

import dataclasses

import pytest

from sim.scenario import Scenario
from sim.selection.kn import Selection
from sim.selection.objectives import OBJECTIVES, Replications
from sim.selection.standing import Outcome, reference, standings
from tests.sim.selection.test_rules import CLEAN

P95 = {  # strategy -> its p95 time to book in replications 0, 1, 2
    "parallel": (1.0, 1.2, 1.1),
    "staggered": (1.5, 1.8, 1.6),
    "sequential": (3.0, 3.1, 3.2),
}


def _replications() -> Replications:
    known = {
        (name, j): dataclasses.replace(CLEAN, strategy=name, replication=j, book_p95=value)
        for name, values in P95.items()
        for j, value in enumerate(values)
    }
    # ``sequential`` killed an invocation in its last replication: not safe.
    last = known[("sequential", 2)]
    known[("sequential", 2)] = dataclasses.replace(last, killed=1, kill_rate=0.5)
    return Replications(Scenario.from_data({}), 5, known=known)


def _selection(chosen: tuple[str, ...]) -> Selection:
    return Selection(
        chosen=chosen,
        delta=0.5,
        alpha=0.05,
        n0=3,
        replications={"parallel": 3, "sequential": 3, "staggered": 3},
        means={"parallel": 1.1, "staggered": 1.6333},
        identical=False,
        bounded=len(chosen) > 1,
        ruled_out=("sequential",),
    )


def test_each_strategy_gets_its_mean_and_its_paired_difference_from_the_choice() -> None:
    found = standings(_replications(), OBJECTIVES["fastest-safe"], _selection(("parallel",)))
    by_name = {s.strategy: s for s in found}
    assert [s.strategy for s in found] == ["parallel", "sequential", "staggered"]
    assert by_name["parallel"].outcome is Outcome.CHOSEN
    assert by_name["parallel"].difference is None
    staggered = by_name["staggered"]
    assert staggered.outcome is Outcome.ELIMINATED
    assert staggered.mean is not None and staggered.mean.mean == pytest.approx(4.9 / 3)
    assert staggered.mean.n == 3 and staggered.mean.low < staggered.mean.mean
    difference = staggered.difference
    assert difference is not None and (difference.a, difference.b) == ("staggered", "parallel")
    assert difference.mean == pytest.approx(0.5333, abs=1e-3)
    # Paired: the differences are 0.5, 0.6, 0.5, far narrower than the means' spread.
    assert 0.3 < difference.low < difference.high < 0.8


def test_a_strategy_the_objective_ruled_out_shows_no_numbers() -> None:
    found = standings(_replications(), OBJECTIVES["fastest-safe"], _selection(("parallel",)))
    [sequential] = [s for s in found if s.strategy == "sequential"]
    assert (sequential.outcome, sequential.mean, sequential.difference) == (
        Outcome.RULED_OUT,
        None,
        None,
    )


def test_of_several_chosen_the_lowest_mean_is_the_reference() -> None:
    selection = _selection(("parallel", "staggered"))
    assert reference(selection) == "parallel"
    assert reference(dataclasses.replace(selection, chosen=())) is None
