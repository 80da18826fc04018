"""``auto`` against the best fixed strategy: per load of the main sweep, the paired difference
(same replication, same random numbers: ``sim.selection.objectives.paired_difference``) between
``auto`` and the fixed strategy with the best mean, on places lost and on inversions, against
the scenario's δ (``python -m sim select --objective places-lost`` runs KN on the same measure).
Between fixed strategies with the same mean, the best is the one first by name.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sim.experiments.grid import Task
from sim.model.replication import Replication
from sim.model.summary import Summary
from sim.scenario import Scenario
from sim.selection.objectives import OBJECTIVES, Objective, Replications, paired_difference

__all__ = ["AUTO", "auto_against_best"]

AUTO = "auto"


def auto_against_best(
    scenario: Scenario, results: Sequence[tuple[Task, Replication]]
) -> list[dict[str, Any]]:
    """Per load: auto minus the best fixed strategy, paired by replication, with 95% intervals.

    The best is the fixed strategy with the best mean; within δ on places won
    (``auto_delta_places``): the whole interval of (auto - best) on places lost lies below +δ;
    on inversions (``auto_delta_inversions``): the whole interval lies below +δ.
    """
    plan = scenario.experiment
    known: dict[int, dict[tuple[str, int], Summary]] = defaultdict(dict)
    for task, replication in results:
        known[task.load][(task.strategy, task.replication)] = replication.summary
    rows = []
    for load, summaries in sorted(known.items()):
        runs = Replications(scenario, load, known=summaries)
        fixed = sorted({s for s, _ in summaries if s != AUTO})
        if AUTO not in {s for s, _ in summaries} or not fixed:
            continue
        row: dict[str, Any] = {"load": load}
        for name, objective, delta in (
            ("places_lost", OBJECTIVES["places-lost"], plan.auto_delta_places),
            ("inversion_rate", OBJECTIVES["inversion-rate"], plan.auto_delta_inversions),
        ):
            means = {s: _mean(runs, s, objective) for s in fixed}
            best = min(fixed, key=lambda s: (means[s], s))
            diff = paired_difference(runs, objective, AUTO, best)
            row.update(
                {
                    f"{name}_best": best,
                    # Others with the very same mean: the best is first of them by name.
                    f"{name}_tied_with": " ".join(
                        s for s in fixed if s != best and means[s] == means[best]
                    ),
                    f"{name}_best_mean": means[best],
                    f"{name}_auto_mean": _mean(runs, AUTO, objective),
                    f"{name}_diff": math.nan if diff is None else diff.mean,
                    f"{name}_diff_low": math.nan if diff is None else diff.low,
                    f"{name}_diff_high": math.nan if diff is None else diff.high,
                    f"{name}_within": diff is not None and diff.high <= delta,
                }
            )
        rows.append(row)
    return rows


def _mean(runs: Replications, strategy: str, objective: Objective) -> float:
    values = [v for v in runs.values(strategy, objective, runs.count(strategy)) if v is not None]
    return sum(values) / len(values) if values else math.nan
