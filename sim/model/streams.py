"""The random streams of one replication, each found by its name.

A stream's seed is ``SeedSequence(seed, spawn_key=(load, replication, <name's number>))``: it
depends on the scenario's base seed, the load, the replication and the stream's own name, never
on the strategy, the worker process or which other streams exist. So every strategy meets the
same users, jitter and latencies at a given load and replication (common random numbers), and
adding a stream leaves every other stream's draws as they were.

Keyed streams (``keyed``) give one stream per name and key, e.g. one per prebooking for its
booking latencies: the same prebooking then meets the same network whatever order a strategy
sends it in, which keeps the strategies' results in step (and their paired differences narrow).

A keyed stream is derived, and drawn from, once per process: every strategy, trigger variant
and policy at the same (seed, load, replication) asks for the same streams, and deriving one
(a ``SeedSequence`` and a generator) costs more than the few draws made from it. So its draws
are kept (``DrawnStreams``, up to ``KEPT_STREAMS`` per thread) and a later replication asking
for it reads them in order, drawing on past the last one kept: its i-th delay is the stream's
i-th draw either way, only cheaper.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mock_aimharder.model.distributions import Fixed, Uniform
from mock_aimharder.model.latency import Distribution, Sampler, name_number
from sim.model.uniform_draws import UniformStreams

__all__ = ["KEPT_STREAMS", "DrawnStreams", "Streams"]

# Keyed streams whose draws a thread keeps (about 150 bytes each: 15 MB): every replication of
# a default report's sweep, so that its other sections (the same seed, loads and replications)
# derive none again.
KEPT_STREAMS = 100_000


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
        self.families.append(name)
        if isinstance(distribution, Fixed):  # draws nothing: every key's stream is the constant
            constant = Sampler.drawing(distribution, lambda: distribution.value)
            return lambda key: constant
        made: dict[str, Sampler] = {}
        draws = DrawnStreams.of_thread().family(self, name, distribution)

        def of(key: str) -> Sampler:
            sampler = made.get(key)
            if sampler is None:
                sampler = made[key] = Sampler.drawing(distribution, draws(key))
            return sampler

        return of

    def record(self) -> dict[str, object]:
        """What a replay needs to know this run drew from: its seed, spawn key and streams."""
        return {
            "seed": self.seed,
            "spawn_key": [self.load, self.replication],
            "streams": dict(sorted(self.derived.items())),
            "keyed": sorted(self.families),
        }


class _Drawn:
    """One keyed stream's draws so far. Its generator is derived at the first draw and dropped
    when its replication ends (``DrawnStreams.begin``); a later reader needing more draws than
    were kept derives it again and draws past the kept ones."""

    __slots__ = ("_distribution", "_draw", "_name", "_streams", "values")

    def __init__(self, streams: Streams, name: str, distribution: Distribution) -> None:
        self._streams, self._name, self._distribution = streams, name, distribution
        self._draw: Callable[[], float] | None = None
        self.values: list[float] = []

    def reader(self, live: list[_Drawn]) -> Callable[[], float]:
        """The stream's draws from the first, as a fresh generator would give them; ``live``
        collects the streams whose generator this replication derived."""
        position = 0

        def draw() -> float:
            nonlocal position
            if position == len(self.values):
                if self._draw is None:
                    self._draw = self._derive()
                    live.append(self)
                self.values.append(self._draw())
            position += 1
            return self.values[position - 1]

        return draw

    def _derive(self) -> Callable[[], float]:
        streams, distribution = self._streams, self._distribution
        draw: Callable[[], float]
        if isinstance(distribution, Uniform):  # numpy's draws, without numpy's cost per stream
            prefix = _uniform_streams(streams.seed, streams.load, streams.replication)
            draw = prefix.uniform(name_number(self._name), distribution.low, distribution.high)
        else:
            draw = Sampler(distribution, np.random.default_rng(streams.sequence(self._name))).sample
        for _ in self.values:  # the draws kept, made again to reach the generator's state
            draw()
        return draw

    def forget_generator(self) -> None:
        self._draw = None


@dataclass(slots=True)
class _Replication:
    """The keyed streams of one spawn key, by family and distribution, then by key."""

    families: dict[str, dict[str, _Drawn]] = field(default_factory=dict)
    streams: int = 0


class DrawnStreams(threading.local):
    """This thread's keyed streams by spawn key, the most recent first, up to ``KEPT_STREAMS``
    streams. Per thread: a stream has one reader at a time, and a dask worker may run
    replications in several threads."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, int, int], _Replication] = OrderedDict()
        self._streams = 0
        self._running: Streams | None = None
        self._live: list[_Drawn] = []

    @classmethod
    def of_thread(cls) -> DrawnStreams:
        return _DRAWN

    def family(
        self, streams: Streams, name: str, distribution: Distribution
    ) -> Callable[[str], Callable[[], float]]:
        """The draws of family ``name`` of ``streams``' replication, by key."""
        if streams is not self._running:  # a replication begins: the last one's generators go
            for drawn in self._live:
                drawn.forget_generator()
            self._live.clear()
            self._running = streams
        spawn_key = (streams.seed, streams.load, streams.replication)
        replication = self._kept.get(spawn_key)
        if replication is None:
            replication = self._kept[spawn_key] = _Replication()
        else:
            self._kept.move_to_end(spawn_key)
        # The same name with another distribution is another sequence of delays.
        kept = replication.families.setdefault(f"{name} {distribution.model_dump_json()}", {})
        live = self._live

        def draws(key: str) -> Callable[[], float]:
            drawn = kept.get(key)
            if drawn is None:
                drawn = kept[key] = _Drawn(streams, f"{name}/{key}", distribution)
                replication.streams += 1
                self._streams += 1
                self._forget_oldest()
            return drawn.reader(live)

        return draws

    def _forget_oldest(self) -> None:
        while self._streams > KEPT_STREAMS and len(self._kept) > 1:
            _, oldest = self._kept.popitem(last=False)
            self._streams -= oldest.streams


_DRAWN = DrawnStreams()


@functools.lru_cache(maxsize=16)
def _uniform_streams(seed: int, load: int, replication: int) -> UniformStreams:
    """The keyed streams' common prefix, mixed once per (seed, load, replication)."""
    return UniformStreams(seed, (load, replication))
