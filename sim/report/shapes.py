"""Shapes of the results a reader will ask about, explained from the runs that made them.

Batched sends in batches with a barrier: the requests of one batch are in flight together, so a
later one can overtake an earlier one, but never one of another batch. Its unfair outcomes (a
member refused while a later requester got a place) then depend on where a class's last place
falls: between two batches nobody overtakes anyone for it; inside a batch, a later request of
that batch can take it. So the measure rises and falls with the load, as the places (a share of
the load, rounded down) move on and off the batch boundaries. The sentence is only written when
the runs show it: lower on the boundaries than off them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from sim.model.summary import Measure
from sim.model.workload import places
from sim.scenario import Scenario

__all__ = ["BatchShape", "batch_shapes"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchShape:
    """One batched strategy's unfair outcomes on and off its batch boundaries."""

    strategy: str
    batch_size: int
    on: tuple[tuple[int, int, float], ...]  # (load, places, unfair per run): last place between
    off: tuple[tuple[int, int, float], ...]  # ... and inside a batch


def batch_shapes(sweep: Sequence[dict[str, Any]], *, scenario: Scenario) -> list[BatchShape]:
    """For each strategy of the sweep that sends in batches with a barrier, its unfair outcomes
    where the class's places end a batch and where they do not, when the runs show the first
    lower than the second (otherwise the batches do not explain the shape: nothing is said)."""
    shapes = []
    for name in sorted({r["point"] for r in sweep}):
        policy = scenario.policy_for(name)  # the preset under the scenario's ``[policy]``
        if policy.batch_size is None or not policy.barrier:
            continue
        on: list[tuple[int, int, float]] = []
        off: list[tuple[int, int, float]] = []
        for row in sorted((r for r in sweep if r["point"] == name), key=lambda r: r["load"]):
            count = places(row["load"], scenario.workload.capacity_ratio)
            if count >= row["load"]:
                continue  # a place for everyone: nobody can be refused
            point = (row["load"], count, row[Measure.UNFAIR])
            (on if count % policy.batch_size == 0 else off).append(point)
        if on and off and fmean(u for *_, u in on) < fmean(u for *_, u in off):
            shapes.append(
                BatchShape(
                    strategy=name, batch_size=policy.batch_size, on=tuple(on), off=tuple(off)
                )
            )
    return shapes
