"""The report's recommendation: KN's choice per load and objective, and paired differences.

The sweep's replications are KN's first stage (same seeds, so nothing is run twice); KN asks for
more of the survivors only, up to the plan's ``kn_max_replications``. Each choice names one
strategy, or the ones KN could not separate, with delta and the PCS; beside it, every other
strategy's difference from the choice as a paired-difference interval (common random numbers
make them far narrower than intervals of two independent means). The words are
``sim.report.recommendation``'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass

from sim.experiments.grid import Task
from sim.model.replication import Replication
from sim.model.summary import Summary
from sim.scenario import Scenario
from sim.selection.kn import Selection
from sim.selection.objectives import (
    FAIREST_SAFE,
    FASTEST_SAFE,
    OBJECTIVES,
    UNFAIR_OUTCOMES,
    Objective,
    PairedDifference,
    Replications,
    paired_difference,
    select_strategy,
)

__all__ = ["REPORT_OBJECTIVES", "Choice", "Difference", "answer_reads", "recommend"]

REPORT_OBJECTIVES = (FAIREST_SAFE, UNFAIR_OUTCOMES, FASTEST_SAFE)


def answer_reads(objective: str, *, safe_here: bool) -> bool:
    """Whether the answer (``sim.report.answer``) reads KN's choice on ``objective`` at a load
    where a strategy is safe (``safe_here``) or none is: the fairest safe and the fastest safe
    always, the fewest unfair outcomes only where no strategy is safe."""
    return objective != UNFAIR_OUTCOMES or not safe_here


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """KN's choice at one load for one objective."""

    load: int
    objective: Objective
    selection: Selection
    # KN stopped at the sweep's replications: a quick look's cell the answer does not read.
    cut: bool = False

    @property
    def chosen(self) -> tuple[str, ...]:
        return self.selection.chosen

    @property
    def replications_needed(self) -> int:
        """The most replications any strategy needed for the choice."""
        return max(self.selection.replications.values(), default=0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    """Another strategy minus the chosen one, at one load, on one objective."""

    load: int
    objective: Objective
    difference: PairedDifference

    @property
    def other(self) -> str:
        return self.difference.a

    @property
    def chosen(self) -> str:
        return self.difference.b


def recommend(
    scenario: Scenario,
    sweep: Iterable[tuple[Task, Replication]],
    *,
    executor: Executor | None = None,
    alpha: float = 0.05,
    answer_only: bool = False,
) -> tuple[list[Choice], list[Difference]]:
    """(one choice per load and objective, the paired differences from each single choice).

    ``answer_only`` (a quick look): KN runs to its cap only in the cells the answer reads
    (``sim.report.answer``): the fairest safe at every load, the fastest safe (which costs
    nothing where none is safe), and the fewest unfair outcomes where no strategy is safe. At
    a load where one is, the fewest unfair outcomes is chosen from the sweep's replications
    alone (``Choice.cut``): the most replications a quick look asks for there."""
    plan = scenario.experiment
    known: dict[int, dict[tuple[str, int], Summary]] = defaultdict(dict)
    for task, result in sweep:
        known[task.load][(task.strategy, task.replication)] = result.summary
    choices, differences = [], []
    for load in plan.loads:
        replications = Replications(scenario, load, executor=executor, known=known[load])
        safe_here = True
        for name in REPORT_OBJECTIVES:
            objective = OBJECTIVES[name]
            cut = answer_only and not answer_reads(name, safe_here=safe_here)
            selection = select_strategy(
                replications,
                objective,
                alpha=alpha,
                max_replications=max(2, plan.replications) if cut else plan.kn_max_replications,
            )
            if name == FAIREST_SAFE:
                safe_here = bool(selection.chosen)
            choices.append(Choice(load=load, objective=objective, selection=selection, cut=cut))
            if not selection.chosen or selection.identical:
                continue
            # From the one chosen, every other strategy; from the first of several KN could not
            # separate (the lowest mean, then the name), each of the others.
            best = min(selection.chosen, key=lambda s: (selection.means[s], s))
            others = plan.strategies if len(selection.chosen) == 1 else selection.chosen
            for other in others:
                if other == best or other in selection.ruled_out:
                    continue
                diff = paired_difference(replications, objective, other, best)
                if diff is not None:
                    differences.append(Difference(load=load, objective=objective, difference=diff))
    return choices, differences
