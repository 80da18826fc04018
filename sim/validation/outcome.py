"""What one comparison of the model with real runs found, in the words every output uses: the
``sim validate`` table and verdict, and the report's section (its template gets them through its
render context, ``sim.report.sections.validation_markdown``). Defined here only.

For one strategy and measure, the 90% interval of mean(real) - mean(simulated) against the
margin (``sim.validation.equivalence``):

- **shown equivalent**: the whole interval within +-margin (two one-sided tests at 5% each);
- **differs**: the whole interval beyond the margin, on one side: the model is off by more;
- **not shown**: neither. The interval straddles the margin: too few runs to tell, and more runs
  narrow it, so the words say how many there were and the option that asks for more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["MEANINGS", "MORE_RUNS", "Meaning", "Outcome", "outcome", "outcome_of", "said"]

MORE_RUNS = "--replications"  # ``sim validate``'s option for more real runs


class Outcome(StrEnum):
    """What a comparison found (its value: the words)."""

    SHOWN_EQUIVALENT = "shown equivalent"
    NOT_SHOWN = "not shown"
    DIFFERS = "differs"


@dataclass(frozen=True, slots=True, kw_only=True)
class Meaning:
    """An outcome and what it means, as the report's section says it."""

    outcome: Outcome
    meaning: str


MEANINGS = (
    Meaning(
        outcome=Outcome.SHOWN_EQUIVALENT,
        meaning="the whole 90% interval of real - simulated lies within the margin",
    ),
    Meaning(
        outcome=Outcome.NOT_SHOWN,
        meaning="the interval reaches past the margin without lying beyond it; more runs narrow it",
    ),
    Meaning(
        outcome=Outcome.DIFFERS,
        meaning="the whole interval lies beyond the margin: the model is off by more than that",
    ),
)


def outcome(low: float, high: float, margin: float) -> Outcome:
    """``low``, ``high``: the 90% interval of real - simulated."""
    if -margin <= low and high <= margin:
        return Outcome.SHOWN_EQUIVALENT
    if low > margin or high < -margin:
        return Outcome.DIFFERS
    return Outcome.NOT_SHOWN


def outcome_of(row: Mapping[str, Any]) -> Outcome:
    """A row of ``sim.validation.compare``: ``difference_low``, ``difference_high``, ``margin``."""
    return outcome(row["difference_low"], row["difference_high"], row["margin"])


def said(row: Mapping[str, Any], more_runs: str = MORE_RUNS) -> str:
    """The words for a row: ``not shown`` with its count of real runs and ``more_runs``, the
    option that asks for more (``--validation-replications`` in ``sim report``)."""
    found = outcome_of(row)
    if found is Outcome.NOT_SHOWN:
        return f"{found} ({row['real_runs']} runs; widen with {more_runs})"
    return str(found)
