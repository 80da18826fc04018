"""Outside demand: the other members and bots who book a class the moment its window opens.

Our users never have a class to themselves: popular classes are gone within seconds of opening.
Per class, an ``OutsideDemand`` describes the stream of booking requests from people who are not
ours, measured from the window opening (by AimHarder's clock, which is the one they all watch):

- a **burst** of ``burst`` requests sent uniformly over the first ``burst_spread`` seconds, each
  reaching the server ``latency`` after it was sent (their own network and app, not ours);
- then a **tail**: a Poisson stream of ``rate`` requests per second, from the opening until
  ``tail`` seconds after it, with the same latency.

Once they reach the server they queue with ours for the same capacity, in arrival order, and take
the same service time: ``outside_stream`` draws that too, so one seeded stream gives every
request's arrival and service. The mock server (``mock_aimharder.server.outside``) and the
simulation (``sim.model.world``) both build the stream here from ``(seed, class id)``, so a
fixed seed
sends the same outsiders at the same instants in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from mock_aimharder.model.distributions import Distribution, Fixed, Seconds
from mock_aimharder.model.latency import Sampler

__all__ = [
    "MAX_OUTSIDE_REQUESTS",
    "OUTSIDE_DOMAIN",
    "OutsideDemand",
    "OutsideRequest",
    "is_outside",
    "outside_email",
    "outside_rng",
    "outside_stream",
]

MAX_OUTSIDE_REQUESTS = 10_000
"""At most this many outside requests per class: the burst and the tail's count are bounded."""

OUTSIDE_DOMAIN = "outside.example"
"""Every outside member's e-mail is in this domain (the mock's crowd and the load tests' alike)."""


class OutsideDemand(BaseModel):
    """One class's outside requests (every field optional; the default is nobody)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    burst: Annotated[int, Field(ge=0, le=MAX_OUTSIDE_REQUESTS)] = Field(
        0, description="Requests per class sent in the burst at the opening."
    )
    burst_spread: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)] = Field(
        1.0, description="Seconds after the opening over which the burst is sent, uniformly."
    )
    latency: Distribution = Field(
        Fixed(), description="Seconds from an outside request's sending to the server."
    )
    rate: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = Field(
        0.0, description="Requests per second of the tail, a Poisson stream from the opening."
    )
    tail: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)] = Field(
        60.0, description="Seconds after the opening until which the tail runs."
    )

    @property
    def empty(self) -> bool:
        """Nobody outside ever books (no burst and no tail)."""
        return self.burst == 0 and (self.rate == 0 or self.tail == 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutsideRequest:
    """One outside booking: who (``member``, numbered in arrival order), when it reaches the
    server (``arrives``, seconds after the opening) and how long the server takes on it."""

    member: int
    arrives: Seconds
    service: Seconds


def outside_rng(seed: int, class_id: int) -> np.random.Generator:
    """The generator of one class's outside stream: its own child of ``seed``, so adding a class
    or changing another class's demand does not shift this one's draws."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(class_id,)))


def outside_stream(
    demand: OutsideDemand, rng: np.random.Generator, *, service: Distribution
) -> tuple[OutsideRequest, ...]:
    """Every outside request of one class, in arrival order (ties by drawing order).

    Draws, in this order: burst send times, tail gaps, then one latency and one service time per
    request in sending order, so the same ``rng`` state always gives the same stream.
    """
    sent = list(np.sort(rng.uniform(0.0, demand.burst_spread, size=demand.burst)))
    if demand.rate > 0 and demand.tail > 0:
        room = MAX_OUTSIDE_REQUESTS - len(sent)
        at = float(rng.exponential(1.0 / demand.rate))
        while at <= demand.tail and room > 0:
            sent.append(at)
            room -= 1
            at += float(rng.exponential(1.0 / demand.rate))
    latency, work = Sampler(demand.latency, rng), Sampler(service, rng)
    timed = [(float(t) + latency.sample(), i) for i, t in enumerate(sent)]
    services = [work.sample() for _ in timed]
    timed.sort()
    return tuple(
        OutsideRequest(member=n, arrives=arrives, service=services[i])
        for n, (arrives, i) in enumerate(timed)
    )


def outside_email(class_id: int, member: int) -> str:
    """The journal's name for an outside member: never one of ours (a domain of its own)."""
    return f"outside-{class_id}-{member}@{OUTSIDE_DOMAIN}"


def is_outside(email: str) -> bool:
    """The member is not ours: an outside member's e-mail."""
    return email.endswith("@" + OUTSIDE_DOMAIN)
