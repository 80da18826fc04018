"""What the report answers, as typed values: the scenario's setting and, per range of loads, the
strategy to use, why, its price in time and fairness, and the confidence KN gives.

The answer follows the recommendation's rule (``sim.selection.per_load``): at each load, the fairest
strategy (fewest inversions) among those that were safe in every replication, as KN chose it.
Consecutive loads with the same choice form one range. Its price is read at the range's heaviest
load, beside the fastest safe strategy there: the time the fair one costs and the unfair outcomes
the fast one would cause. Ties stay ties: when KN could not separate strategies, all are named.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.settings import DEFAULT_STRATEGY
from sim.report.rendering import phrase
from sim.scenario import Scenario
from sim.selection.binding import Lifted
from sim.selection.objectives import FAIREST_SAFE, FASTEST_SAFE, UNFAIR_OUTCOMES
from sim.selection.per_load import Choice, Difference, answer_reads
from sim.selection.rules import unsafe_because
from sim.selection.triggers import FIRED_AND_CRON, PresetChoice, preset_choices, slower_when_longer
from sim.stats import Estimate

__all__ = [
    "Advice",
    "Price",
    "RangeAnswer",
    "Setting",
    "advice",
    "all_zero",
    "answers",
    "recommended_points",
    "setting",
]

FAIR, FAST, LEAST_UNFAIR = FAIREST_SAFE, FASTEST_SAFE, UNFAIR_OUTCOMES


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """The scenario as the report's sentences need it."""

    name: str
    description: str
    classes_per_minute: int
    minutes: int
    capacity_ratio: float
    limit: float  # the platform's maxDuration, s
    budget: float  # the guard's budget, s
    budget_set: bool  # set in [policy] rather than taken from the limit
    deadline_after: float
    cutoff_after: float
    cron_mode: str
    cron_period: float
    replications: int
    seed: int
    loads: tuple[int, ...]
    drain_minutes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Price:
    """One strategy at one load: time to book (p95) and fairness, each with its interval."""

    strategy: str
    book_p95: Estimate
    unfair: Estimate
    inversion_rate: Estimate


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeAnswer:
    """The answer for consecutive loads where the choice is the same."""

    loads: tuple[int, ...]
    safe: bool  # some strategy was safe in every replication at every load of the range
    chosen: tuple[str, ...]  # the fairest safe (one, or the ones KN could not separate)
    identical: bool  # the chosen were equal in every replication: a tie
    pcs: float
    delta: float
    replications: int  # the most any strategy needed at any load of the range
    prices: tuple[Price, ...]  # the chosen, at the heaviest load
    fastest: tuple[str, ...]  # the fastest safe at the heaviest load
    fastest_prices: tuple[Price, ...]
    extra_time: Estimate | None  # chosen - fastest p95 (paired), when both are single
    least_unfair: tuple[str, ...]  # when nothing is safe: the fewest unfair outcomes
    least_unfair_identical: bool
    apart: tuple[str, ...]  # several chosen, not a tie: their paired differences, in words
    lifts: tuple[Lifted, ...] = ()  # none safe: what binds at each load, and what lifting gives
    # Some safe: the others, at the heaviest load, with why each is not safe there.
    unsafe: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def low(self) -> int:
        return self.loads[0]

    @property
    def high(self) -> int:
        return self.loads[-1]

    @property
    def tie(self) -> bool:
        """Several chosen, identical in every replication (``sim.selection.rules.TIE``)."""
        return len(self.chosen) > 1 and self.identical

    @property
    def unseparated(self) -> bool:
        """Several chosen that KN could not tell apart, yet not identical: never a tie."""
        return len(self.chosen) > 1 and not self.identical

    @property
    def shared_price(self) -> Price | None:
        """The price every chosen strategy pays, when it is the same for all (else None)."""
        first = self.prices[0] if self.prices else None
        same = all(
            (p.book_p95, p.unfair, p.inversion_rate)
            == (first.book_p95, first.unfair, first.inversion_rate)
            for p in self.prices
            if first is not None
        )
        return first if first is not None and same else None

    @property
    def shared_fairness(self) -> Price | None:
        """The chosen's fairness (unfair outcomes, inversions), when it is the same for all:
        then only their times differ."""
        first = self.prices[0] if self.prices else None
        if first is None or any(
            (p.unfair, p.inversion_rate) != (first.unfair, first.inversion_rate)
            for p in self.prices
        ):
            return None
        return first

    @property
    def trade_off(self) -> bool:
        """The fastest safe is not (among) the chosen."""
        return bool(self.fastest) and not set(self.fastest) & set(self.chosen)


def setting(scenario: Scenario) -> Setting:
    plan, work = scenario.experiment, scenario.workload
    guard = scenario.policy_for(plan.strategies[0])
    return Setting(
        name=scenario.name,
        description=scenario.description,
        classes_per_minute=work.classes_per_minute,
        minutes=work.minutes,
        capacity_ratio=work.capacity_ratio,
        limit=scenario.platform.max_duration,
        budget=guard.budget,
        budget_set="budget" in scenario.policy,
        deadline_after=guard.deadline_after,
        cutoff_after=guard.cutoff_after,
        cron_mode=scenario.cron.mode,
        cron_period=scenario.cron.period,
        replications=plan.replications,
        seed=plan.seed,
        loads=tuple(sorted(plan.loads)),
        drain_minutes=plan.drain_minutes,
    )


def _price(sweep: Sequence[dict[str, Any]], strategy: str, load: int) -> Price:
    row = next(r for r in sweep if r["point"] == strategy and r["load"] == load)
    return Price(
        strategy=strategy,
        book_p95=Estimate.from_row(row, "book_p95"),
        unfair=Estimate.from_row(row, "unfair"),
        inversion_rate=Estimate.from_row(row, "inversion_rate"),
    )


def answers(
    sweep: Sequence[dict[str, Any]],
    selections: Sequence[Choice],
    differences: Sequence[Difference],
    lifts: Sequence[Lifted] = (),
) -> list[RangeAnswer]:
    """One answer per range of consecutive loads with the same choice, lightest first;
    ``lifts``: where none is safe, what binds (``sim.selection.binding``)."""
    cell = {(c.load, c.objective.name): c for c in selections}
    loads = sorted({c.load for c in selections})
    groups: list[list[int]] = []
    for load in loads:
        if groups and _key(cell, load) == _key(cell, groups[-1][-1]):
            groups[-1].append(load)
        else:
            groups.append([load])
    at = {lift.binding.load: lift for lift in lifts}
    return [
        dataclasses.replace(
            _answer(sweep, cell, differences, group),
            lifts=tuple(at[n] for n in group if n in at),
        )
        for group in groups
    ]


def _key(cell: dict[tuple[int, str], Choice], load: int) -> tuple[tuple[str, ...], ...]:
    """What the answer names at ``load``: the fairest safe, or, with none safe, the least unfair."""
    fair = cell[(load, FAIR)].chosen
    least_unfair = cell[(load, LEAST_UNFAIR)].chosen
    return fair, least_unfair if answer_reads(LEAST_UNFAIR, safe_here=bool(fair)) else ()


def _answer(
    sweep: Sequence[dict[str, Any]],
    cell: dict[tuple[int, str], Choice],
    differences: Sequence[Difference],
    group: list[int],
) -> RangeAnswer:
    top = group[-1]
    fair, fast = cell[(top, FAIR)], cell[(top, FAST)]
    chosen, fastest = fair.chosen, fast.chosen
    extra = None
    if len(chosen) == 1 and len(fastest) == 1 and chosen != fastest:
        extra = next(
            (
                Estimate(
                    mean=d.difference.mean,
                    low=d.difference.low,
                    high=d.difference.high,
                    n=d.difference.n,
                )
                for d in differences
                if d.load == top and d.objective.name == FAST and d.other == chosen[0]
            ),
            None,
        )
    return RangeAnswer(
        loads=tuple(group),
        safe=bool(chosen),
        chosen=chosen,
        identical=fair.selection.identical,
        pcs=min(cell[(n, FAIR)].selection.pcs for n in group),
        delta=fair.selection.delta,
        replications=max(cell[(n, FAIR)].replications_needed for n in group),
        prices=tuple(_price(sweep, s, top) for s in chosen),
        fastest=fastest,
        fastest_prices=tuple(_price(sweep, s, top) for s in fastest),
        extra_time=extra,
        least_unfair=cell[(top, LEAST_UNFAIR)].chosen,
        least_unfair_identical=cell[(top, LEAST_UNFAIR)].selection.identical,
        apart=tuple(
            phrase("difference", d.difference, d.objective.label, d.objective.unit)
            for d in differences
            if d.load == top and d.objective.name == FAIR and d.other in chosen
        ),
        unsafe=tuple(
            (row["point"], because)
            for row in sorted(sweep, key=lambda r: r["point"])
            if row["load"] == top and chosen and (because := unsafe_because(row))
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Advice:
    """How to apply the answer: one strategy for every load where one is safe (None: the
    ranges name different ones), and what firing at the opening saves with it."""

    strategy: str | None
    limit: float
    fire_load: int
    cron: Estimate | None  # its p95 time to book fired by the cron alone
    both: Estimate | None  # fired at each opening, the cron kept for leftovers
    # What the platform limit changes, read from the trigger presets (when they ran) for the
    # way of firing the advice gives (at the opening, the cron kept): one choice per limit.
    limits: tuple[PresetChoice, ...] = ()
    slower_when_longer: bool = False  # auto books later at the longer limit, in order
    default_strategy: str = DEFAULT_STRATEGY  # what the scheduler runs unless told otherwise


def advice(
    scenario: Scenario,
    ranges: Sequence[RangeAnswer],
    triggers: Sequence[dict[str, Any]],
    presets: Sequence[dict[str, Any]] = (),
) -> Advice:
    """The strategy every safe range names (the first by name when several do), the cron
    against firing at the opening for it (``triggers``: the report's rows of both), and what
    the platform limit changes (``presets``: the trigger presets' rows, when they ran)."""
    named = [set(a.chosen) for a in ranges if a.safe]
    common = sorted(set.intersection(*named)) if named else []
    strategy = common[0] if common else None
    at = {r["point"]: r for r in triggers}

    def p95(mode: str) -> Estimate | None:
        row = at.get(f"{strategy} ({mode})")
        return None if row is None else Estimate.from_row(row, "book_p95")

    fired = [c for c in preset_choices(presets) if c.preset == FIRED_AND_CRON]
    return Advice(
        strategy=strategy,
        limit=scenario.platform.max_duration,
        fire_load=scenario.experiment.gap_load,
        cron=p95("cron"),
        both=p95("both"),
        limits=tuple(sorted(fired, key=lambda c: c.limit)),
        slower_when_longer=bool(slower_when_longer(fired)),
    )


def recommended_points(ranges: Sequence[RangeAnswer]) -> set[tuple[str, int]]:
    """(strategy, load) for every strategy the answer names at every load of its range."""
    return {
        (strategy, load)
        for answer in ranges
        for load in answer.loads
        for strategy in (answer.chosen or answer.least_unfair)
    }


def all_zero(rows: Sequence[dict[str, Any]], metric: str) -> bool:
    """True when ``metric`` is 0 in every row, interval included: nothing to plot."""
    return all(
        not math.isnan(r[metric]) and r[metric] == 0 and r[f"{metric}_high"] == 0 for r in rows
    )
