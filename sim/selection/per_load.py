"""The report's recommendation: KN's choice per load and objective, and paired differences.

The sweep's replications are KN's first stage (same seeds, so nothing is run twice); KN asks for
more of the survivors only, up to ``REPORT_MAX_REPLICATIONS``. Each cell names the choice, or
"any of ..." when KN could not separate them, with delta and the PCS; under it, every other
strategy's difference from the choice as a paired-difference interval (common random numbers
make them far narrower than intervals of two independent means).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

from sim.experiments.grid import Task
from sim.model.replication import Replication
from sim.model.summary import Summary
from sim.report.rendering import phrase, render_markdown
from sim.scenario import Scenario
from sim.selection.objectives import OBJECTIVES, Replications, paired_difference, select_strategy

__all__ = [
    "REPORT_MAX_REPLICATIONS",
    "REPORT_OBJECTIVES",
    "recommend",
    "recommendation_markdown",
    "replications_needed",
]

REPORT_OBJECTIVES = ("fairest-safe", "unfair-outcomes", "fastest-safe")
REPORT_MAX_REPLICATIONS = 50  # per strategy and load: keeps `make report` near a minute


def recommend(
    scenario: Scenario,
    sweep: Iterable[tuple[Task, Replication]],
    *,
    executor: Executor | None = None,
    alpha: float = 0.05,
    most: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(one row per load and objective, one row per paired difference from each choice);
    ``most``: the replications per strategy and load KN may take in all (None: the report's
    ``REPORT_MAX_REPLICATIONS``)."""
    most = REPORT_MAX_REPLICATIONS if most is None else most
    known: dict[int, dict[tuple[str, int], Summary]] = defaultdict(dict)
    for task, result in sweep:
        known[task.load][(task.strategy, task.replication)] = result.summary
    rows, differences = [], []
    for load in scenario.experiment.loads:
        replications = Replications(scenario, load, executor=executor, known=known[load])
        for name in REPORT_OBJECTIVES:
            objective = OBJECTIVES[name]
            selection = select_strategy(replications, objective, alpha=alpha, max_replications=most)
            rows.append(
                {
                    "load": load,
                    "objective": name,
                    "verdict": phrase("verdict", selection),
                    "chosen": " ".join(selection.chosen),
                    "delta": selection.delta,
                    "pcs": selection.pcs,
                    "bounded": selection.bounded,
                    "identical": selection.identical,
                    "ruled_out": " ".join(selection.ruled_out),
                    **{f"n_{s}": n for s, n in selection.replications.items()},
                }
            )
            if len(selection.chosen) != 1:
                continue
            (best,) = selection.chosen
            for other in scenario.experiment.strategies:
                if other == best or other in selection.ruled_out:
                    continue
                diff = paired_difference(replications, objective, other, best)
                if diff is not None:
                    differences.append(
                        {
                            "load": load,
                            "objective": name,
                            "other": other,
                            "chosen": best,
                            "text": phrase("difference", diff, objective.label, objective.unit),
                            "mean": diff.mean,
                            "low": diff.low,
                            "high": diff.high,
                            "n": diff.n,
                        }
                    )
    return rows, differences


def recommendation_markdown(
    rows: Sequence[dict[str, Any]],
    differences: Sequence[dict[str, Any]],
    *,
    most: int | None = None,
) -> str:
    """The table of KN's choices and the differences from them (``recommendation.md.j2``);
    ``most``: the replications KN could take (``recommend``)."""
    return render_markdown(
        "recommendation",
        objectives=[OBJECTIVES[o] for o in REPORT_OBJECTIVES],
        loads=sorted({r["load"] for r in rows}),
        cell={(r["load"], r["objective"]): r for r in rows},
        needed=replications_needed,
        most=REPORT_MAX_REPLICATIONS if most is None else most,
        differences=differences,
    )


def replications_needed(row: dict[str, Any]) -> int:
    """The most replications any strategy needed for the choice in ``row``."""
    return max((v for k, v in row.items() if k.startswith("n_")), default=0)
