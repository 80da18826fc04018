"""Two scenarios side by side: the answer under each, load by load, and the paired differences
of its measures, so that a what-if says what it changes and whether the answer moves.

Common random numbers: both scenarios run under BASE's plan (seed, replications, loads,
strategies), so replication j of a point meets the same draws (users, latencies, jitter) in
both, and what differs is what OTHER changes. The difference OTHER - BASE taken replication by
replication (``sim.stats.paired_difference``) then carries the change and only the noise the
two do not share: far narrower than two independent intervals side by side.

The answer at a load is the report's (``sim.report.answer``): the fairest strategy among those
safe in every replication, as KN chose it (``sim.selection.per_load``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from commandline.stages import SILENT, Stages
from sim.experiments.grid import Task, run_tasks, summarise, sweep_tasks
from sim.model.replication import Replication
from sim.model.summary import Measure
from sim.scenario import Scenario
from sim.selection.objectives import FAIREST_SAFE
from sim.selection.per_load import recommend
from sim.selection.rules import safe_point
from sim.stats import Estimate, estimate, paired_difference

__all__ = ["COMPARED", "Comparison", "LoadAnswer", "MeasureChange", "compare_scenarios"]

COMPARED = (
    Measure.BOOK_P95,
    Measure.UNFAIR,
    Measure.INVERSION_RATE,
    Measure.PLACES_WON,
    Measure.KILL_RATE,
    Measure.SKIPPED_PREBOOKINGS,
    Measure.LOST,
)
"""The answer's measures: what it costs in time and fairness, and what makes a strategy unsafe."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """One scenario's answer at one load."""

    chosen: tuple[str, ...]  # KN's fairest safe: one, or several it could not separate
    identical: bool  # several chosen, equal in every replication: a tie
    safe: tuple[str, ...]  # every strategy safe in every replication, by name


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadAnswer:
    load: int
    base: Answer
    other: Answer

    @property
    def changed(self) -> bool:
        """The strategy to use is not the same (a tie and a single choice differ too)."""
        return set(self.base.chosen) != set(self.other.chosen)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureChange:
    """One measure of one strategy at one load, under each scenario, and OTHER - BASE."""

    load: int
    strategy: str
    measure: Measure
    base: Estimate
    other: Estimate
    difference: Estimate | None  # paired; None with fewer than two finite pairs

    @property
    def unchanged(self) -> bool:
        """Equal under both scenarios in every replication."""
        d = self.difference
        return d is not None and d.low == d.high == 0

    @property
    def separated(self) -> bool:
        """The paired interval leaves out 0: the change moved this measure."""
        d = self.difference
        return d is not None and (d.low > 0 or d.high < 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    base: Scenario
    other: Scenario  # as run: under BASE's plan
    plan_replaced: bool  # OTHER's own ``[experiment]`` differed from BASE's and was set aside
    answers: list[LoadAnswer]
    changes: list[MeasureChange]  # every strategy at every load, ``COMPARED`` each

    @property
    def answer_changed(self) -> bool:
        return any(a.changed for a in self.answers)

    def shown(self, answer: LoadAnswer) -> list[MeasureChange]:
        """The changes worth reading at ``answer``'s load: the strategies either answer
        chose (every strategy where neither chose any)."""
        names = set(answer.base.chosen) | set(answer.other.chosen)
        return [
            c for c in self.changes if c.load == answer.load and (not names or c.strategy in names)
        ]


def compare_scenarios(
    base: Scenario,
    other: Scenario,
    *,
    executor: Executor | None = None,
    progress: Stages = SILENT,
) -> Comparison:
    """Both scenarios' sweeps under BASE's plan, the answer under each and the paired
    differences of ``COMPARED``."""
    replaced = other.experiment != base.experiment
    other = other.variant(experiment=base.experiment.model_dump())
    tasks = sweep_tasks(base)
    ran = {
        "base": run_tasks(base, tasks, description="BASE", executor=executor, progress=progress),
        "other": run_tasks(other, tasks, description="OTHER", executor=executor, progress=progress),
    }
    answers: dict[str, dict[int, Answer]] = {}
    for side, scenario in (("base", base), ("other", other)):
        with progress.working(f"choosing per load ({side.upper()}, KN)"):
            # Only the answer is read: the fairest safe at each load.
            choices, _ = recommend(scenario, ran[side], executor=executor, answer_only=True)
        safe = defaultdict(list)
        for row in summarise(ran[side]):
            if safe_point(row):
                safe[row["load"]].append(row["point"])
        answers[side] = {
            c.load: Answer(
                chosen=c.chosen,
                identical=c.selection.identical,
                safe=tuple(sorted(safe[c.load])),
            )
            for c in choices
            if c.objective.name == FAIREST_SAFE
        }
    loads = sorted(base.experiment.loads)
    return Comparison(
        base=base,
        other=other,
        plan_replaced=replaced,
        answers=[
            LoadAnswer(load=n, base=answers["base"][n], other=answers["other"][n]) for n in loads
        ],
        changes=_changes(base, ran["base"], ran["other"]),
    )


def _changes(
    base: Scenario,
    base_runs: Sequence[tuple[Task, Replication]],
    other_runs: Sequence[tuple[Task, Replication]],
) -> list[MeasureChange]:
    found = []
    plan = base.experiment
    by_point: dict[str, dict[tuple[str, int], list[Replication]]] = {}
    for side, runs in (("base", base_runs), ("other", other_runs)):
        points: dict[tuple[str, int], list[Replication]] = defaultdict(list)
        for task, replication in sorted(runs, key=lambda pair: pair[0].replication):
            points[(task.strategy, task.load)].append(replication)
        by_point[side] = points
    for load in sorted(plan.loads):
        for strategy in plan.strategies:
            a = [r.summary for r in by_point["base"][(strategy, load)]]
            b = [r.summary for r in by_point["other"][(strategy, load)]]
            for measure in COMPARED:
                ceiling = 1.0 if measure.is_share else None
                xs = [float(getattr(s, measure)) for s in a]
                ys = [float(getattr(s, measure)) for s in b]
                found.append(
                    MeasureChange(
                        load=load,
                        strategy=strategy,
                        measure=measure,
                        base=estimate(xs, floor=0.0, ceiling=ceiling),
                        other=estimate(ys, floor=0.0, ceiling=ceiling),
                        difference=paired_difference(ys, xs),
                    )
                )
    return found
