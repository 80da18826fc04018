"""The world sections' rules: where a strategy starts losing places, and auto against the best."""

from __future__ import annotations

from typing import Any

from sim.experiments.grid import Task, run_tasks
from sim.experiments.outside_demand import losing_from
from sim.scenario import Scenario
from sim.selection.auto import AUTO, auto_against_best


def _row(strategy: str, burst: int, won: float, high: float) -> dict[str, Any]:
    return {"trigger": "both", "point": strategy, "burst": burst, "places_won": won,
            "places_won_high": high}  # fmt: skip


def test_a_strategy_starts_losing_at_the_first_burst_whose_interval_lies_below_no_outsiders() -> (
    None
):
    rows = [
        _row("parallel", 0, 0.8, 0.8),
        _row("parallel", 5, 0.79, 0.81),  # within reach of 0.8: not yet
        _row("parallel", 10, 0.7, 0.75),
        _row("sequential", 0, 0.8, 0.8),
        _row("sequential", 5, 0.5, 0.55),
        _row("staggered", 0, 0.8, 0.8),
        _row("staggered", 10, 0.8, 0.8),
    ]
    assert [(r["strategy"], r["losing_from"]) for r in losing_from(rows, margin=0.0)] == [
        ("parallel", 10),
        ("sequential", 5),
        ("staggered", None),
    ]


def test_a_loss_within_the_margin_is_not_yet_losing() -> None:
    rows = [
        _row("parallel", 0, 0.8, 0.8),
        _row("parallel", 1, 0.78, 0.79),  # below 0.8, but by less than the margin
        _row("parallel", 5, 0.72, 0.76),  # its interval reaches within 0.05 of 0.8
        _row("parallel", 10, 0.7, 0.74),
    ]
    assert [r["losing_from"] for r in losing_from(rows, margin=0.0)] == [1]
    assert [r["losing_from"] for r in losing_from(rows, margin=0.05)] == [10]


def test_auto_is_compared_with_the_best_fixed_strategy_by_paired_replications() -> None:
    scenario = Scenario.from_data(
        {"workload": {"minutes": 1}, "experiment": {"loads": [12], "drain_minutes": 1}}
    )
    tasks = [
        Task(strategy=s, load=12, replication=r)
        for s in ("auto", "parallel", "sequential")
        for r in range(3)
    ]
    (row,) = auto_against_best(scenario, run_tasks(scenario, tasks))
    assert row["load"] == 12
    assert row["inversion_rate_best"] == "sequential"  # it never inverts
    assert row["inversion_rate_best_mean"] == 0.0
    assert row["inversion_rate_diff"] == row["inversion_rate_auto_mean"]
    assert row["places_lost_best"] in ("parallel", "sequential")
    assert AUTO not in (row["places_lost_best"], row["inversion_rate_best"])
    assert row["inversion_rate_within"] == (row["inversion_rate_diff_high"] <= 0.01)


def test_a_best_tied_with_others_names_them_and_is_first_by_name() -> None:
    # One prebooking per class: every strategy sends it alone, alike in every replication.
    scenario = Scenario.from_data(
        {"workload": {"minutes": 1}, "experiment": {"loads": [1], "drain_minutes": 1}}
    )
    tasks = [
        Task(strategy=s, load=1, replication=r)
        for s in ("auto", "sequential", "parallel", "staggered")
        for r in range(2)
    ]
    (row,) = auto_against_best(scenario, run_tasks(scenario, tasks))
    assert row["places_lost_best"] == "parallel"
    assert row["places_lost_tied_with"] == "sequential staggered"
