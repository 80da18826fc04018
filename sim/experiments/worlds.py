"""The worlds ``sim explore`` runs the real core through, each drawn from one seed.

A world is a small scenario: a strategy, a load, a few minutes of classes, a platform limit, a
trigger that fires at the openings and every minute, duplicate deliveries, AimHarder's clock off
ours, and a mix of faults with their rates (``sim.faults``). Everything in it comes from its
seed (``draw``), and the run's own random streams from the same seed (``sim.model.streams``), so
the seed alone replays the run exactly. A reduced world (``sim.experiments.shrink``) is the
seed's world with some values lowered, written as ``SEED:key=value,...`` (``token``), which
``parse`` reads back to the same world: every value is written so that it reads back equal.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mock_aimharder.model.distributions import Uniform
from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy_names
from sim.faults import FAULTS
from sim.scenario import DEFAULT_SCENARIO, Scenario

__all__ = ["MAX_SEED", "World", "draw", "parse", "run_seed", "scenario_of", "token"]

MAX_SEED = 2**32 - 1
# The most of each fault a world draws (a share of its occasions, ``sim.faults``): enough to
# strike a few times in a small world, few enough that some work gets through.
MOST: dict[str, float] = {
    "lost_answer": 0.2,
    "late_answer": 0.2,
    "server_error": 0.2,
    "rate_limited": 0.1,
    "too_early": 0.1,
    "database_stall": 0.1,
    "database_error": 0.1,
    "pause": 0.1,
    "kill": 0.05,
    "clock_jump": 0.3,
    "late_landing": 0.1,
}
# Faults added after the first seeds were recorded: drawn after the world's own values, so an
# older seed still draws the world it drew (replays and regression tokens stay valid).
LATER_FAULTS = ("late_landing",)
LIMITS = (10.0, 10.0, 60.0)  # the seed's limit most often, a longer one sometimes
SETTLE_MINUTES = 12  # fault-free minutes after the faults end: every row reaches its end
FAULT_MINUTES = 1  # faults strike until this long after the last opening


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    """One world: its seed, and every value drawn from it (or lowered by shrinking)."""

    seed: int
    strategy: str
    load: int  # prebookings per class
    minutes: int  # minutes with classes opening
    classes: int  # classes opening each minute
    capacity: float  # places per prebooking of a class
    limit: float  # the platform's maxDuration (s)
    trigger: str  # "cron" or "both"
    duplicates: float  # share of deliveries made twice
    offset: float  # AimHarder's clock minus ours (s)
    faults: tuple[tuple[str, float], ...]  # the faults on, with their shares, in FAULTS order

    @property
    def prebookings(self) -> int:
        return self.load * self.minutes * self.classes

    def describe(self) -> str:
        mix = ", ".join(f"{name} {share:.3g}" for name, share in self.faults) or "none"
        return (
            f"{self.strategy}, {self.load} per class x {self.classes} class(es) x "
            f"{self.minutes} minute(s) = {self.prebookings} prebookings, limit {self.limit:g} s, "
            f"trigger {self.trigger}, duplicates {self.duplicates:.3g}, clock offset "
            f"{self.offset:+.3f} s; faults: {mix}"
        )


def run_seed(seed: int, run: int) -> int:
    """The seed of run ``run`` of an exploration seeded ``seed``."""
    state = np.random.SeedSequence(seed, spawn_key=(run,)).generate_state(1, np.uint32)
    return int(state[0])


def draw(seed: int, *, strategies: Sequence[str], faults: Sequence[str]) -> World:
    """The world of ``seed``: each of ``faults`` is on in about half the worlds, at a share
    drawn up to its ``MOST``."""
    rng = np.random.default_rng(seed)
    chosen: dict[str, float] = {}

    def fault(name: str) -> None:
        on, share = rng.random() < 0.5, float(rng.uniform(0.0, MOST[name]))
        if name in faults and on:
            chosen[name] = round(share, 4)

    for name in FAULTS:  # one draw each whether asked or not: a world's other values stay put
        if name not in LATER_FAULTS:
            fault(name)
    strategy = str(strategies[int(rng.integers(len(strategies)))])
    load, minutes, classes = (
        int(rng.integers(3, 16)),
        int(rng.integers(1, 4)),
        int(rng.integers(1, 3)),
    )
    capacity = round(float(rng.uniform(0.5, 1.2)), 3)
    limit = LIMITS[int(rng.integers(len(LIMITS)))]
    trigger = "both" if rng.random() < 0.5 else "cron"
    duplicates = round(float(rng.uniform(0.0, 0.3)), 3) if rng.random() < 0.5 else 0.0
    offset = round(float(rng.uniform(-2.0, 2.0)), 3)
    for name in LATER_FAULTS:
        fault(name)
    return World(
        seed=seed,
        strategy=strategy,
        load=load,
        minutes=minutes,
        classes=classes,
        capacity=capacity,
        limit=limit,
        trigger=trigger,
        duplicates=duplicates,
        offset=offset,
        faults=tuple((n, chosen[n]) for n in FAULTS if n in chosen),
    )


_NUMBERS: dict[str, type] = {
    "load": int,
    "minutes": int,
    "classes": int,
    "capacity": float,
    "limit": float,
    "duplicates": float,
    "offset": float,
}


def token(world: World, drawn: World | None = None) -> str:
    """``SEED``, or ``SEED:key=value,...`` for what ``world`` changed of the ``drawn`` one."""
    if drawn is None or world == drawn:
        return str(world.seed)
    changes = [
        f"{name}={getattr(world, name)!r}".replace("'", "")
        for name in ("strategy", "trigger", *_NUMBERS)
        if getattr(world, name) != getattr(drawn, name)
    ]
    mine, theirs = dict(world.faults), dict(drawn.faults)
    changes += [f"{n}={mine.get(n, 0.0)!r}" for n in FAULTS if mine.get(n) != theirs.get(n)]
    return f"{world.seed}:{','.join(changes)}"


def parse(text: str, *, strategies: Sequence[str], faults: Sequence[str]) -> World:
    """The world ``token`` wrote; a bad one raises naming it and what was expected."""
    seed_text, _, rest = text.partition(":")
    if not seed_text.isdigit() or int(seed_text) > MAX_SEED:
        raise ConfigurationError(
            f"--replay {text!r}: seed {seed_text!r}; expected a whole number from 0 to {MAX_SEED}"
        )
    world = draw(int(seed_text), strategies=strategies, faults=faults)
    changes: dict[str, Any] = {}
    shares = dict(world.faults)
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        try:
            if key in FAULTS:
                shares[key] = float(value)
            elif key in _NUMBERS:
                changes[key] = _NUMBERS[key](value)
            elif key in ("strategy", "trigger"):
                changes[key] = value
            else:
                raise ValueError(key)
        except ValueError:
            known = ["strategy", "trigger", *_NUMBERS, *FAULTS]
            raise ConfigurationError(
                f"--replay {text!r}: {item!r}; expected key=value with a key of {known}"
            ) from None
    ordered = tuple((n, shares[n]) for n in FAULTS if shares.get(n, 0.0) > 0)
    return dataclasses.replace(world, faults=ordered, **changes)


@functools.cache
def _base() -> Scenario:
    return Scenario.from_file(DEFAULT_SCENARIO)


def scenario_of(world: World) -> Scenario:
    """The scenario a world runs in: the default one, with the world's values."""
    if world.strategy not in strategy_names():
        raise ConfigurationError(f"strategy {world.strategy!r}; expected one of {strategy_names()}")
    last_opening = 60.0 * world.minutes
    return _base().variant(
        platform={"max_duration": world.limit},
        cron={
            "mode": world.trigger,
            "duplicate_share": world.duplicates,
            "duplicate_lag": Uniform(low=0.0, high=20.0),
        },
        aimharder={"clock_offset": {"low": world.offset, "high": world.offset}},
        workload={
            "minutes": world.minutes,
            "classes_per_minute": world.classes,
            "capacity_ratio": world.capacity,
        },
        faults={"until": last_opening + 60.0 * FAULT_MINUTES, **dict(world.faults)},
        experiment={
            "seed": world.seed,
            "strategies": [world.strategy],
            "loads": [world.load],
            "limits": [world.limit],
            "drain_minutes": SETTLE_MINUTES,
        },
    )
