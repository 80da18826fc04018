"""Does the model agree with real runs? Equivalence within a stated margin, not "medians close".

For one strategy and one measure, each real run and each simulated run gives one value (the
makespan, the mean time to book of its bookings, its inversion rate). The model agrees when the
whole 90% interval of mean(real) - mean(simulated) (Welch's, the two samples being independent)
lies within +-margin: two one-sided tests at 5% each, so "shown equivalent" is a claim backed by
data; too few runs to tell read "not shown", never "agrees" (the words: ``sim.validation.outcome``).

The margin is relative to the real mean with an absolute floor (``Margin``):

- makespan and time to book: 10% of the real value, at least 50 ms. 10%: the report's choices
  rest on differences far larger (parallel against staggered or sequential: 2x and more); 50 ms:
  below it the machine's own noise (thread hand-offs and event-loop turns measured up to tens
  of milliseconds under load, ``sim.validation.calibration``) is the real run's, not the model's.
- inversion rate: 20% of the real rate, at least 0.05. A rate near 0 has no useful relative
  margin (0.001 against 0.002 is "100% off" and means nothing), and with 20 runs of 10
  prebookings (45 pairs each) the rate's own 90% interval is about +-0.04 wide, so a floor
  smaller than 0.05 could not be shown by any model; the report separates strategies by more
  (sequential against parallel: 0.5 at 10 per class).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.stats import welch_interval
from sim.validation.outcome import MORE_RUNS, Outcome, outcome, outcome_of, said

__all__ = ["LEVEL", "MARGINS", "Equivalence", "Margin", "equivalence", "verdict"]

LEVEL = 0.90


@dataclass(frozen=True, slots=True, kw_only=True)
class Margin:
    relative: float  # share of the real mean
    floor: float  # the least margin, in the measure's unit

    def of(self, real_mean: float) -> float:
        return max(self.relative * abs(real_mean), self.floor)

    def text(self, unit: str) -> str:
        return f"{self.relative:.0%} of real, at least {self.floor:g}{unit}"


MARGINS = {
    "makespan": Margin(relative=0.10, floor=0.05),
    "time_to_book": Margin(relative=0.10, floor=0.05),
    "inversion_rate": Margin(relative=0.20, floor=0.05),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Equivalence:
    real_mean: float
    sim_mean: float
    low: float  # the 90% interval of real - simulated
    high: float
    margin: float

    @property
    def outcome(self) -> Outcome:
        return outcome(self.low, self.high, self.margin)

    @property
    def agrees(self) -> bool:
        """Shown equivalent."""
        return self.outcome is Outcome.SHOWN_EQUIVALENT


def equivalence(real: Sequence[float], sim: Sequence[float], margin: Margin) -> Equivalence:
    real_mean, sim_mean = statistics.fmean(real), statistics.fmean(sim)
    interval = welch_interval(real, sim, level=LEVEL)
    return Equivalence(
        real_mean=real_mean,
        sim_mean=sim_mean,
        low=interval.low,
        high=interval.high,
        margin=margin.of(real_mean),
    )


def verdict(rows: Sequence[dict[str, Any]], more_runs: str = MORE_RUNS) -> str:
    """One line over rows of ``sim.validation.compare`` (``strategy``, ``measure``, the
    interval, ``margin`` and ``real_runs``); ``more_runs``: the option that asks for more."""
    if all(outcome_of(r) is Outcome.SHOWN_EQUIVALENT for r in rows):
        return (
            f"verdict: all {len(rows)} {Outcome.SHOWN_EQUIVALENT} "
            "(every 90% interval of real - simulated within its margin)"
        )
    shown = sum(outcome_of(r) is Outcome.SHOWN_EQUIVALENT for r in rows)
    parts = [f"{shown} of {len(rows)} {Outcome.SHOWN_EQUIVALENT}"]
    named: dict[str, list[str]] = {}  # the words -> the rows they are said of, in order
    for row in sorted(rows, key=lambda r: list(Outcome).index(outcome_of(r))):
        if outcome_of(row) is not Outcome.SHOWN_EQUIVALENT:
            named.setdefault(said(row, more_runs), []).append(f"{row['strategy']} {row['measure']}")
    parts += [f"{words}: {', '.join(names)}" for words, names in named.items()]
    return "verdict: " + "; ".join(parts)
