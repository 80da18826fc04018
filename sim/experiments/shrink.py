"""Shrinking: a failing world reduced to a smallest one that still breaks the same guarantee.

Greedy, as hypothesis and QuickCheck shrink: try the candidates in order (a fault off, fewer
minutes, one class a minute, half the load, a fault at half its share, no duplicates, the clock
in step, the shorter limit), keep the first that still breaks the guarantee, and start again
from it, until no candidate does or the bounds (tries, seconds) are reached. Every candidate is
smaller by one measure and larger by none, so the loop ends. The run keeps its seed: a reduced
world replays exactly from its token (``sim.experiments.worlds.token``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sim.experiments.guarantees import Guarantee, Violation
from sim.experiments.worlds import World

__all__ = ["MAX_SECONDS", "MAX_TRIES", "Shrunk", "candidates", "shrink"]

MAX_TRIES = 200
MAX_SECONDS = 60.0
SMALLEST_SHARE = 0.002  # below this a fault strikes too rarely to be worth halving again


@dataclass(frozen=True, slots=True, kw_only=True)
class Shrunk:
    """The smallest failing world found, and how many candidates were run to find it."""

    world: World
    violations: tuple[Violation, ...]
    tries: int


def candidates(world: World) -> Iterator[World]:
    """Worlds one step smaller than ``world``, the largest steps first."""
    change = dataclasses.replace
    for name, _ in world.faults:
        yield change(world, faults=tuple(f for f in world.faults if f[0] != name))
    if world.minutes > 1:
        yield change(world, minutes=1)
    if world.classes > 1:
        yield change(world, classes=1)
    if world.load > 1:
        yield change(world, load=max(1, world.load // 2))
        yield change(world, load=world.load - 1)
    for i, (name, share) in enumerate(world.faults):
        if share > SMALLEST_SHARE:
            halved = (*world.faults[:i], (name, round(share / 2, 4)), *world.faults[i + 1 :])
            yield change(world, faults=halved)
    if world.duplicates > 0:
        yield change(world, duplicates=0.0)
    if world.offset != 0:
        yield change(world, offset=0.0)
    if world.limit > 10.0:
        yield change(world, limit=10.0)


def shrink(
    world: World,
    guarantee: Guarantee,
    judge: Callable[[World], tuple[Violation, ...]],
    *,
    max_tries: int = MAX_TRIES,
    max_seconds: float = MAX_SECONDS,
) -> Shrunk:
    """The smallest world found from ``world`` whose run still breaks ``guarantee``."""
    began = time.monotonic()
    smallest, broken, tries = world, judge(world), 0
    improved = True
    while improved:
        improved = False
        for candidate in candidates(smallest):
            if tries >= max_tries or time.monotonic() - began > max_seconds:
                return Shrunk(world=smallest, violations=broken, tries=tries)
            tries += 1
            found = judge(candidate)
            if any(v.guarantee is guarantee for v in found):
                smallest, broken, improved = candidate, found, True
                break
    return Shrunk(world=smallest, violations=broken, tries=tries)
