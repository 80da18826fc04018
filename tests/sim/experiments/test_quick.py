"""A what-if's quick look (``sim.experiments.quick``): its sizes never exceed the scenario's,
and the price
it states in interval width is Student's t."""

from __future__ import annotations

import pytest

from sim.experiments.quick import GAPS, REPLICATIONS, quick_look
from sim.experiments.quick import LOADS as LOADS_TRIED
from sim.scenario import ExperimentPlan, Scenario

REPORT_MAX_REPLICATIONS = ExperimentPlan().kn_max_replications

LOADS = [1, 5, 10, 15, 20, 30, 40, 50]


def _scenario(replications: int, gaps: list[float], loads: list[int] = LOADS) -> Scenario:
    plan = {"replications": replications, "stagger_gaps": gaps, "loads": loads}
    return Scenario.model_validate({"experiment": {**plan, "world_replications": 6}})


def test_the_quick_look_cuts_replications_kn_loads_and_gaps_keeping_the_ends_of_each() -> None:
    gaps = [0.0, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4]
    scenario, look = quick_look(_scenario(10, gaps))
    plan = scenario.experiment
    assert (plan.replications, plan.world_replications) == (REPLICATIONS, REPLICATIONS)
    assert plan.stagger_gaps == [0.0, 0.025, 0.1, 0.2, 0.4]
    assert plan.loads == [1, 10, 20, 30, 50]
    assert (len(plan.stagger_gaps), len(plan.loads)) == (GAPS, LOADS_TRIED)
    # KN decides as in the full report: from the full count up to the full cap.
    assert (look.kn_first_stage, look.kn_most) == (10, REPORT_MAX_REPLICATIONS)
    assert (plan.kn_first_stage, plan.kn_max_replications) == (10, REPORT_MAX_REPLICATIONS)
    assert (look.full_replications, look.full_gaps) == (10, tuple(gaps))


def test_a_scenario_already_smaller_than_the_quick_look_keeps_its_sizes() -> None:
    scenario, look = quick_look(_scenario(2, [0.0, 0.1], [3, 1]))
    plan = scenario.experiment
    assert (plan.replications, plan.stagger_gaps, plan.loads) == (2, [0.0, 0.1], [1, 3])
    assert look.width == 1.0


def test_replications_the_operator_asked_for_are_kept_and_kn_starts_from_the_larger() -> None:
    scenario, look = quick_look(_scenario(10, [0.0]), replications=7)
    assert (scenario.experiment.replications, look.kn_first_stage) == (7, 10)
    more, many = quick_look(_scenario(10, [0.0]), replications=40)
    assert (more.experiment.replications, many.kn_first_stage) == (40, 40)
    _, most = quick_look(_scenario(10, [0.0]), replications=400)
    assert most.kn_first_stage == REPORT_MAX_REPLICATIONS  # KN's own bound stays


def test_three_replications_make_intervals_about_three_and_a_half_times_as_wide_as_ten() -> None:
    # t(0.975, 2) / sqrt(3) = 2.484; t(0.975, 9) / sqrt(10) = 0.715
    _, look = quick_look(_scenario(10, [0.0]))
    assert look.width == pytest.approx(2.484 / 0.7153, rel=1e-3)
