"""The random streams of one replication, each found by its name.

A stream's seed is ``SeedSequence(seed, spawn_key=(load, replication, <name's number>))``: it
depends on the scenario's base seed, the load, the replication and the stream's own name, never
on the strategy, the worker process or which other streams exist. So every strategy meets the
same users, jitter and latencies at a given load and replication (common random numbers), and
adding a stream leaves every other stream's draws as they were.

Keyed streams (``keyed``) give one stream per name and key, e.g. one per prebooking for its
booking latencies: the same prebooking then meets the same network whatever order a strategy
sends it in, which keeps the strategies' results in step (and their paired differences narrow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mock_aimharder.model.latency import Distribution, Sampler, name_number

__all__ = ["Streams"]


@dataclass(slots=True)
class Streams:
    """The named streams of (``seed``, ``load``, ``replication``), recording what it derived."""

    seed: int
    load: int
    replication: int
    derived: dict[str, int] = field(default_factory=dict)  # name -> its first 64-bit state word
    families: list[str] = field(default_factory=list)  # keyed streams' names

    def sequence(self, name: str) -> np.random.SeedSequence:
        key = (self.load, self.replication, name_number(name))
        return np.random.SeedSequence(self.seed, spawn_key=key)

    def rng(self, name: str) -> np.random.Generator:
        sequence = self.sequence(name)
        self.derived[name] = int(sequence.generate_state(1, np.uint64)[0])
        return np.random.default_rng(sequence)

    def sampler(self, name: str, distribution: Distribution) -> Sampler:
        return Sampler(distribution, self.rng(name))

    def keyed(self, name: str, distribution: Distribution) -> Callable[[str], Sampler]:
        """One sampler per key, made on first use and kept: ``name/key`` is its stream's name.
        Only the family's name is recorded (its members follow from the keys)."""
        made: dict[str, Sampler] = {}
        self.families.append(name)

        def of(key: str) -> Sampler:
            if key not in made:
                stream = np.random.default_rng(self.sequence(f"{name}/{key}"))
                made[key] = Sampler(distribution, stream)
            return made[key]

        return of

    def record(self) -> dict[str, object]:
        """What a replay needs to know this run drew from: its seed, spawn key and streams."""
        return {
            "seed": self.seed,
            "spawn_key": [self.load, self.replication],
            "streams": dict(sorted(self.derived.items())),
            "keyed": sorted(self.families),
        }
