"""Which strategy is best at a load, with a stated guarantee: KN (``sim.selection.kn``) over
replications.

Observation ``j`` of every strategy is replication ``j`` (the same users, jitter and latencies:
common random numbers), so KN eliminates on the variance of paired differences. Objectives
(smaller is better) read one replication's summary:

- ``p95-time-to-book``: the p95 over every booking of the replication, seconds;
- ``inversion-rate``: the share of same-class pairs processed out of ``created_at`` order;
- ``unfair-outcomes``: users without a place while a later asker got one, a count;
- ``places-lost``: the share of our prebookings that got no place (1 - places won; outside
  members take places too, so this is what speed buys);
- ``fastest-safe``: p95 time to book among the safe (``sim.selection.rules.SAFE``): a
  replication that is not safe rules its strategy out;
- ``fairest-safe``: the inversion rate among the safe.

Replications are run as KN asks for them, through ``sim.experiments.grid.run_tasks`` (any executor),
and kept in a ``Replications`` cache, so the objectives at one load share them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from sim import stats
from sim.experiments.executors import parallelism
from sim.experiments.grid import Task, run_tasks
from sim.model.summary import Measure, Summary
from sim.scenario import Scenario
from sim.selection import rules
from sim.selection.kn import Selection, select_best

__all__ = [
    "OBJECTIVES",
    "Objective",
    "PairedDifference",
    "Replications",
    "paired_difference",
    "select_strategy",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Objective:
    name: str
    label: str  # how the report names it
    quantity: Measure  # what its numbers are counted in: ``quantity.unit``
    delta: float  # the default indifference zone: differences smaller than this do not matter
    measure: Callable[[Summary], float | None]

    @property
    def unit(self) -> str:
        """The symbol after one of its numbers in a phrase: ``s`` for seconds, none for a share
        or a count (``Measure.column`` ends with its unit's suffix)."""
        return "s" if self.quantity.column.endswith("_s") else ""

    @property
    def digits(self) -> int:
        """Decimals its numbers are shown with: a share's differences are small."""
        return 3 if self.quantity.is_share else 2


def _p95(summary: Summary) -> float:
    value = summary.book_p95
    # Nobody placed in the whole replication: as slow as the run was long (never chosen).
    return math.inf if math.isnan(value) else value


def _safe_p95(summary: Summary) -> float | None:
    return _p95(summary) if rules.safe(summary) else None


def _inversion_rate(summary: Summary) -> float:
    return summary.inversion_rate


def _unfair(summary: Summary) -> float:
    return float(summary.unfair)


def _places_lost(summary: Summary) -> float:
    return 1.0 - summary.places_won


def _safe_inversions(summary: Summary) -> float | None:
    return summary.inversion_rate if rules.safe(summary) else None


FAIREST_SAFE = "fairest-safe"
"""The answer's objective: the lowest inversion rate among the strategies safe in every
replication."""
FASTEST_SAFE = "fastest-safe"
UNFAIR_OUTCOMES = "unfair-outcomes"

OBJECTIVES: dict[str, Objective] = {
    name: Objective(name=name, label=label, quantity=quantity, delta=delta, measure=measure)
    for name, label, quantity, delta, measure in (
        ("p95-time-to-book", "p95 time to book", Measure.BOOK_P95, 0.5, _p95),
        ("inversion-rate", "inversion rate", Measure.INVERSION_RATE, 0.01, _inversion_rate),
        (UNFAIR_OUTCOMES, "unfair outcomes", Measure.UNFAIR, 0.5, _unfair),
        # 1 - places won: a share of our prebookings, as places won is.
        ("places-lost", "places lost", Measure.PLACES_WON, 0.05, _places_lost),
        (FASTEST_SAFE, "p95 time to book among the safe", Measure.BOOK_P95, 0.5, _safe_p95),
        (
            FAIREST_SAFE,
            "inversion rate among the safe",
            Measure.INVERSION_RATE,
            0.01,
            _safe_inversions,
        ),
    )
}


class Replications:
    """Summaries of replications at one load, run on demand and kept: (strategy, j) -> summary."""

    def __init__(
        self,
        scenario: Scenario,
        load: int,
        *,
        executor: Executor | None = None,
        known: Mapping[tuple[str, int], Summary] | None = None,
    ) -> None:
        self.scenario, self.load, self.executor = scenario, load, executor
        self.summaries: dict[tuple[str, int], Summary] = dict(known or {})

    def want(self, wanted: Mapping[str, range]) -> None:
        """Run each strategy's replications in its range not run yet, all in one call."""
        missing = [
            Task(strategy=s, load=self.load, replication=j)
            for s, js in wanted.items()
            for j in js
            if (s, j) not in self.summaries
        ]
        if missing:
            done = run_tasks(self.scenario, missing, executor=self.executor)
            for task, result in done:
                self.summaries[(task.strategy, task.replication)] = result.summary

    def values(self, strategy: str, objective: Objective, count: int) -> list[float | None]:
        return [objective.measure(self.summaries[(strategy, j)]) for j in range(count)]

    def count(self, strategy: str) -> int:
        return sum(1 for s, _ in self.summaries if s == strategy)


def select_strategy(
    replications: Replications,
    objective: Objective,
    *,
    delta: float | None = None,
    alpha: float = 0.05,
    max_replications: int = 200,
) -> Selection:
    """KN over the scenario's strategies at ``replications.load``; n0 = the scenario's first
    stage (``kn_first_stage``, else its replication count), at most ``max_replications``.

    Only what KN reads is run: a strategy a replication already run rules out (not safe, say)
    gets none of the later replications of the stage it would leave in, and after the first
    stage each call asks for about two replications per core of the executor (a whole block of
    stages per call ran replications KN never read: up to nine per survivor)."""

    def observe(systems: Sequence[str], start: int, stop: int) -> dict[str, list[float | None]]:
        wanted = {s: _until_ruled_out(s, start, stop) for s in systems}
        replications.want({s: range(start, until) for s, until in wanted.items()})
        return {
            s: [objective.measure(replications.summaries[(s, j)]) for j in range(start, until)]
            for s, until in wanted.items()
        }

    def _until_ruled_out(strategy: str, start: int, stop: int) -> int:
        """Where ``strategy``'s observations can stop: after the first replication already
        run that rules it out (KN reads nothing of it after that one), else at ``stop``."""
        for j in range(start, stop):
            known = replications.summaries.get((strategy, j))
            if known is not None and objective.measure(known) is None:
                return j + 1
        return stop

    plan = replications.scenario.experiment
    return select_best(
        observe,
        plan.strategies,
        delta=objective.delta if delta is None else delta,
        alpha=alpha,
        n0=max(2, min(plan.kn_first_stage or plan.replications, max_replications)),
        max_replications=max_replications,
        batch=2 * parallelism(replications.executor),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PairedDifference:
    """``a - b`` over the replications both ran, with its 95% Student-t interval (in words:
    ``phrase("difference", d, label, unit)``, ``sim.report.rendering``)."""

    a: str
    b: str
    mean: float
    low: float
    high: float
    n: int


def paired_difference(
    replications: Replications, objective: Objective, a: str, b: str
) -> PairedDifference | None:
    """None when fewer than two replications of both give a value (e.g. not safe)."""
    n = min(replications.count(a), replications.count(b))
    diff = stats.paired_difference(
        replications.values(a, objective, n), replications.values(b, objective, n)
    )
    if diff is None:
        return None
    return PairedDifference(a=a, b=b, mean=diff.mean, low=diff.low, high=diff.high, n=diff.n)
