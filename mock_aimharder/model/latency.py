"""Latency sampling: seeded random streams and the samplers that draw delays from them.

Each stage of each endpoint (inbound, service, outbound, fault draw) gets a stream of its own,
found by the endpoint's and the stage's names, never by position: the same seed gives the same
samples, changing one stage's distribution does not shift any other stage's draws, and adding an
endpoint or a stage leaves every other stream as it was.
``Sampler`` is shared with the simulation: ``Sampler(distribution, rng).sample()``, or
``sampler_for(distribution, rng)``; ``Distribution`` is re-exported here so that one import
gives a scenario both the models and their samplers.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, assert_never

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from mock_aimharder.model.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Normal,
    Uniform,
)
from mock_aimharder.model.endpoints import Endpoint

__all__ = [
    "Distribution",
    "EndpointLatency",
    "EndpointSamplers",
    "EndpointStreams",
    "Sampler",
    "name_number",
    "sampler_for",
    "seeded_streams",
]

_NORMAL_REDRAWS = 64
"""Redraws before a truncated normal gives up and clips: with mean >= 0 each try succeeds with
probability >= 1/2, so reaching the bound has probability <= 2**-64."""


class EndpointLatency(BaseModel):
    """How one endpoint delays a request: the way in, the processing, the way back.

    ``capacity`` is how many requests are processed at once (None: unlimited); the others queue
    in arrival order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    inbound: Distribution = Field(
        Fixed(), description="Seconds from the client's send to the server receiving it."
    )
    service: Distribution = Field(
        Fixed(), description="Seconds the server processes one request, once it is its turn."
    )
    outbound: Distribution = Field(
        Fixed(), description="Seconds from the server's answer to the client hearing it."
    )
    capacity: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="Requests processed at once; the others wait in arrival order. Unset: no "
        "limit.",
    )


class Sampler:
    """Draws delays (seconds) from one distribution with one generator."""

    __slots__ = ("_draw", "distribution")

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        self.distribution = distribution
        self._draw = _drawer(distribution, rng)

    @classmethod
    def drawing(cls, distribution: Distribution, draw: Callable[[], float]) -> Sampler:
        """A sampler whose delays ``draw`` gives, already drawn from ``distribution`` (e.g.
        replayed from draws made before, or a constant)."""
        sampler = cls.__new__(cls)
        sampler.distribution = distribution
        sampler._draw = draw
        return sampler

    def sample(self) -> float:
        """One delay, >= 0."""
        return self._draw()

    def samples(self, count: int) -> list[float]:
        """``count`` delays, the same as ``count`` calls to ``sample``."""
        return [self._draw() for _ in range(count)]


def sampler_for(distribution: Distribution, rng: np.random.Generator) -> Sampler:
    """A sampler drawing from ``distribution`` with ``rng`` (one stream per sampler: do not
    share ``rng`` between samplers whose draws must not shift each other)."""
    return Sampler(distribution, rng)


def _drawer(distribution: Distribution, rng: np.random.Generator) -> Callable[[], float]:
    draw: Callable[[], float]
    match distribution:
        case Fixed(value=value):
            draw = lambda: value  # noqa: E731
        case Uniform(low=low, high=high):
            draw = lambda: float(rng.uniform(low, high))  # noqa: E731
        case Normal(mean=mean, sd=sd):
            draw = lambda: _truncated_normal(rng, mean, sd)  # noqa: E731
        case LogNormal(median=median):
            mu, sigma = math.log(median), distribution.sigma
            draw = lambda: float(rng.lognormal(mu, sigma))  # noqa: E731
        case Exponential(mean=mean):
            draw = lambda: float(rng.exponential(mean))  # noqa: E731
        case Empirical(samples=samples, cycle=True):
            draw = _replay(samples)
        case Empirical(samples=samples):
            values = np.asarray(samples, dtype=float)
            draw = lambda: float(values[rng.integers(len(values))])  # noqa: E731
        case _:  # pragma: no cover
            assert_never(distribution)
    return draw


def _truncated_normal(rng: np.random.Generator, mean: float, sd: float) -> float:
    for _ in range(_NORMAL_REDRAWS):
        value = float(rng.normal(mean, sd))
        if value >= 0:
            return value
    return 0.0  # pragma: no cover


def _replay(samples: list[float]) -> Callable[[], float]:
    position = 0

    def draw() -> float:
        nonlocal position
        value = samples[position % len(samples)]
        position += 1
        return value

    return draw


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointStreams:
    """The independent generators of one endpoint: one per latency stage and one for faults."""

    inbound: np.random.Generator
    service: np.random.Generator
    outbound: np.random.Generator
    faults: np.random.Generator


@functools.lru_cache(maxsize=1 << 16)  # names repeat from one replication to the next
def name_number(name: str) -> int:
    """A stable 32-bit number for a stream's name (Python's ``hash`` changes per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big")


def seeded_streams(seed: int) -> dict[Endpoint, EndpointStreams]:
    """Fresh generators for every endpoint: a stage's stream is
    ``SeedSequence(seed, spawn_key=(<endpoint's name's number>, <stage's name's number>))``."""

    def stream(endpoint: Endpoint, stage: str) -> np.random.Generator:
        key = (name_number(endpoint.value), name_number(stage))
        return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))

    return {
        endpoint: EndpointStreams(
            inbound=stream(endpoint, "inbound"),
            service=stream(endpoint, "service"),
            outbound=stream(endpoint, "outbound"),
            faults=stream(endpoint, "faults"),
        )
        for endpoint in Endpoint
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointSamplers:
    """The three stage samplers of one endpoint."""

    inbound: Sampler
    service: Sampler
    outbound: Sampler

    @classmethod
    def build(cls, latency: EndpointLatency, streams: EndpointStreams) -> EndpointSamplers:
        """Pair each stage's distribution with its own stream."""
        return cls(
            inbound=Sampler(latency.inbound, streams.inbound),
            service=Sampler(latency.service, streams.service),
            outbound=Sampler(latency.outbound, streams.outbound),
        )
