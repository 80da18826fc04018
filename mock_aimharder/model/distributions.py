"""Delay distributions, as configuration: what a latency stage or a service time is drawn from.

A ``Distribution`` is a discriminated union on ``kind``. Every parameter is in seconds, checked
on load (negative or inconsistent values are refused naming the field), so a sampler never meets
a shape it cannot draw from. A bare number is accepted as shorthand for ``fixed``. The simulation
(``sim/``) imports these models too, so one scenario file drives both the mock and the model.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "Z_99",
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "LogNormal",
    "Normal",
    "Seconds",
    "Uniform",
]

Z_99 = 2.3263478740408408
"""The standard normal's 99th percentile (scipy.stats.norm.ppf(0.99)), to turn a p99 into sigma."""

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""A non-negative, finite duration in seconds."""

PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fixed(_Shape):
    """Always ``value``."""

    kind: Literal["fixed"] = Field("fixed", description="Always the same delay.")
    value: Seconds = Field(0.0, description="The delay, in seconds.")


class Uniform(_Shape):
    """Uniform on ``[low, high]``."""

    kind: Literal["uniform"] = Field("uniform", description="Uniform between two bounds.")
    low: Seconds = Field(description="The shortest delay, in seconds.")
    high: Seconds = Field(description="The longest delay, in seconds; at least `low`.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Normal(_Shape):
    """Normal with ``mean`` and ``sd``, truncated at 0 (negative draws are redrawn)."""

    kind: Literal["normal"] = Field(
        "normal", description="Normal, truncated at 0 (negative draws are drawn again)."
    )
    mean: Seconds = Field(description="The mean before truncation, in seconds.")
    sd: Seconds = Field(description="The standard deviation before truncation, in seconds.")


class LogNormal(_Shape):
    """Log-normal given by its median and 99th percentile, the two numbers people measure."""

    kind: Literal["lognormal"] = Field(
        "lognormal", description="Log-normal, given by the two numbers people measure."
    )
    median: PositiveSeconds = Field(description="The median delay, in seconds.")
    p99: PositiveSeconds = Field(
        description="The 99th percentile, in seconds; greater than `median`."
    )

    @model_validator(mode="after")
    def _spread(self) -> Self:
        if not self.p99 > self.median:
            raise ValueError(f"p99 ({self.p99}) must be greater than median ({self.median})")
        return self

    @property
    def sigma(self) -> float:
        """The standard deviation of the delay's logarithm."""
        return (math.log(self.p99) - math.log(self.median)) / Z_99

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    @classmethod
    def of_spread(cls, median: float, sigma: float) -> Self:
        """The log-normal with ``median`` and logarithm's standard deviation ``sigma``."""
        return cls(median=median, p99=median * math.exp(Z_99 * sigma))


class Exponential(_Shape):
    """Exponential with the given ``mean`` (memoryless arrivals and service times)."""

    kind: Literal["exponential"] = Field(
        "exponential", description="Exponential (memoryless arrivals and service times)."
    )
    mean: PositiveSeconds = Field(description="The mean delay, in seconds.")


class Empirical(_Shape):
    """Draws from recorded ``samples``; ``cycle`` replays them in order, request after request.

    Replay in order is how adversarial scenarios are written ("later requests faster").
    """

    kind: Literal["empirical"] = Field("empirical", description="Drawn from recorded delays.")
    samples: Annotated[list[Seconds], Field(min_length=1)] = Field(
        description="The recorded delays, in seconds."
    )
    cycle: bool = Field(
        False,
        description="Replay `samples` in order, request after request, instead of drawing "
        "at random.",
    )


def _number_is_fixed(value: object) -> object:
    """Accept ``0.05`` for ``{"kind": "fixed", "value": 0.05}``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return {"kind": "fixed", "value": value}
    return value


Distribution = Annotated[
    Fixed | Uniform | Normal | LogNormal | Exponential | Empirical,
    Field(discriminator="kind"),
    BeforeValidator(_number_is_fixed),
]
"""Any delay distribution; the ``kind`` field selects the shape."""
