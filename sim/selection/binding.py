"""What binds at a load where no strategy is safe, and the change that would lift it.

Read from the load's summary rows (means over replications), by the measures of the one rule
set (``sim.selection.rules``):

- ``policy.limit``: one invocation looks at no more than ``limit`` prebookings while more open
  in one trigger period, so the rest wait for the next call and the backlog is still there when
  the run ends. Lifted by a limit of the prebookings that open in one period.
- ``platform.max_duration``: the guard skipped what it could not finish within its budget, or
  the platform killed the function. Lifted by the next longer platform limit of ``LIMITS``.
- anything else (a request sent twice, prebookings left although neither limit binds): no
  setting of the scenario lifts it; the answer names it as such.

``binding`` says what to try; the study runs it (``sim.study``) and ``lifted`` reads the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sim.model.summary import Measure
from sim.scenario import Scenario
from sim.selection.rules import fairest_key, safe_point
from sim.stats import Estimate

__all__ = ["LIMITS", "Binding", "Bound", "Lifted", "binding", "lifted"]

LIMITS = (10.0, 60.0, 300.0, 900.0)  # platform limits offered today, seconds (Vercel, Lambda)


class Bound(StrEnum):
    """What keeps every strategy from being safe at a load."""

    FETCH_LIMIT = "policy.limit"
    PLATFORM_LIMIT = "platform.max_duration"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    """At ``load``: what binds, its value, and the value to try (None: no setting lifts it)."""

    load: int
    bound: Bound
    value: float
    ready: int  # prebookings that open in one trigger period
    lift: float | None

    def applied(self, scenario: Scenario) -> Scenario:
        """``scenario`` at this load alone, with the lift (as it is when none lifts it)."""
        at_load = scenario.variant(experiment={"loads": [self.load]})
        if self.lift is None:
            return at_load
        if self.bound is Bound.FETCH_LIMIT:
            return at_load.variant(policy={**scenario.policy, "limit": int(self.lift)})
        return at_load.at_limit(self.lift)


def binding(scenario: Scenario, load: int, rows: Sequence[Mapping[str, Any]]) -> Binding:
    """What binds at ``load``, from its rows (every strategy's means there)."""
    work, period = scenario.workload, scenario.cron.period
    ready = math.ceil(work.classes_per_minute * load * period / 60.0)
    limit = min(scenario.policy_for(s).limit for s in scenario.experiment.strategies)
    cut = any(r[Measure.SKIPPED] > 0 or r[Measure.KILL_RATE] > 0 for r in rows)
    left = all(r[Measure.LOST] > 0 for r in rows)
    if left and ready > limit:
        return Binding(
            load=load, bound=Bound.FETCH_LIMIT, value=limit, ready=ready, lift=float(ready)
        )
    max_duration = scenario.platform.max_duration
    if cut:
        longer = next((x for x in LIMITS if x > max_duration), None)
        return Binding(
            load=load, bound=Bound.PLATFORM_LIMIT, value=max_duration, ready=ready, lift=longer
        )
    return Binding(load=load, bound=Bound.OTHER, value=0.0, ready=ready, lift=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifted:
    """The load again with the binding lifted: the fairest strategy safe there now, if any."""

    binding: Binding
    chosen: str | None
    book_p95: Estimate | None


def lifted(found: Binding, rows: Sequence[Mapping[str, Any]]) -> Lifted:
    """``rows``: the load's summary rows run on ``found.applied(scenario)``."""
    safe = [r for r in rows if safe_point(r)]
    best = min(safe, key=lambda r: fairest_key(r, r["point"]), default=None)
    return Lifted(
        binding=found,
        chosen=None if best is None else best["point"],
        book_p95=None if best is None else Estimate.from_row(best, Measure.BOOK_P95),
    )
