"""Where each strategy stands after KN's choice: its mean with a 95% interval, and its paired
difference from the choice, over every replication run for it.

KN (``sim.selection.kn``) states which strategy is best and with what guarantee; the operator also
asks by how much. The reference is the one chosen, or of several KN could not separate the one
with the lowest mean (then the name), as in the report's recommendation
(``sim.selection.per_load``). Under common random numbers the paired difference's interval is far
narrower than two means' intervals side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from sim import stats
from sim.selection.kn import Selection
from sim.selection.objectives import Objective, PairedDifference, Replications, paired_difference

__all__ = ["Outcome", "Standing", "reference", "standings"]


class Outcome(StrEnum):
    """What KN did with a strategy."""

    CHOSEN = "chosen"
    ELIMINATED = "eliminated"
    RULED_OUT = "not safe"  # a replication of it was not safe: the objective excluded it


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """One strategy: what KN did with it, its mean over its finite observations, and it minus
    the reference. None where there is nothing to say: no finite observation, the reference
    itself, too few pairs, or a strategy the objective ruled out (its safe runs alone would
    flatter it)."""

    strategy: str
    outcome: Outcome
    mean: stats.Estimate | None
    difference: PairedDifference | None


def reference(selection: Selection) -> str | None:
    """The strategy the others are compared with: the chosen one with the lowest mean."""
    if not selection.chosen:
        return None
    return min(selection.chosen, key=lambda s: (selection.means.get(s, math.inf), s))


def standings(
    replications: Replications, objective: Objective, selection: Selection
) -> list[Standing]:
    """Every strategy KN looked at, in the selection's (alphabetical) order."""
    best = reference(selection)
    found = []
    ceiling = 1.0 if objective.quantity.is_share else None
    for name in selection.replications:
        outcome = _outcome(selection, name)
        if outcome is Outcome.RULED_OUT:
            found.append(Standing(strategy=name, outcome=outcome, mean=None, difference=None))
            continue
        values = [
            v
            for v in replications.values(name, objective, replications.count(name))
            if v is not None and math.isfinite(v)
        ]
        compared = best is not None and name != best
        found.append(
            Standing(
                strategy=name,
                outcome=outcome,
                mean=stats.estimate(values, floor=0.0, ceiling=ceiling) if values else None,
                difference=paired_difference(replications, objective, name, best)
                if compared and best is not None
                else None,
            )
        )
    return found


def _outcome(selection: Selection, name: str) -> Outcome:
    if name in selection.ruled_out:
        return Outcome.RULED_OUT
    return Outcome.CHOSEN if name in selection.chosen else Outcome.ELIMINATED
