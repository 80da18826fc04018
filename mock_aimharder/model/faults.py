"""Injected faults: which ones an endpoint suffers, with what probability, and drawing them.

One uniform draw per request from the endpoint's own fault stream decides its fate, so a seed
fixes which requests fail whatever the latency settings are. What a fault does on the wire is
``mock_aimharder.server.disruption``'s business.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Fault", "FaultDrawer", "FaultSpec"]

Probability = Annotated[float, Field(ge=0, le=1)]


class Fault(StrEnum):
    """What can go wrong with one request."""

    ERROR_500 = "error_500"
    ERROR_503 = "error_503"
    RATE_LIMIT_429 = "rate_limit_429"
    HANG = "hang"
    DROP = "drop"
    LOST_ANSWER = "lost_answer"  # processed (booked, journaled), then the answer never arrives


class FaultSpec(BaseModel):
    """Per-request fault probabilities of one endpoint (their sum is at most 1).

    ``hang`` holds the connection for ``hang_seconds`` (longer than any sane client timeout)
    or until the client gives up, then closes it; ``drop`` closes it without an answer. Those
    three never reach the domain: nothing is booked. ``lost_answer`` is the opposite case: the
    request is processed like any other (it books, and the journal shows it), and then its
    answer is lost: the connection is closed at once, or after holding it ``lost_answer_hold``
    seconds (or until the client gives up), as a slow way back or a paused client would see.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    error_500: Probability = 0.0
    error_503: Probability = 0.0
    rate_limit_429: Probability = 0.0
    retry_after: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0
    hang: Probability = 0.0
    hang_seconds: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 60.0
    drop: Probability = 0.0
    lost_answer: Probability = 0.0
    lost_answer_hold: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _at_most_certain(self) -> Self:
        total = sum(self.probabilities().values())
        if total > 1 + 1e-9:
            raise ValueError(f"fault probabilities sum to {total:g}; expected at most 1")
        return self

    def probabilities(self) -> dict[Fault, float]:
        """Each fault kind with its probability, in a fixed order (the order of the draw)."""
        return {fault: float(getattr(self, fault.value)) for fault in Fault}


class FaultDrawer:
    """Decides, request after request, which fault (if any) strikes."""

    __slots__ = ("_rng", "_thresholds")

    def __init__(self, spec: FaultSpec, rng: np.random.Generator) -> None:
        self._rng = rng
        cumulative = 0.0
        self._thresholds: list[tuple[float, Fault]] = []
        for fault, probability in spec.probabilities().items():
            cumulative += probability
            self._thresholds.append((cumulative, fault))
        if cumulative == 0:
            self._thresholds.clear()

    def draw(self) -> Fault | None:
        """One uniform draw per request, whatever it decides, so the n-th request's fate
        depends only on the seed and n. With every probability at 0 nothing is drawn: no
        fault can strike, and a new configuration starts fresh streams anyway
        (``MockRuntime.reconfigure``)."""
        if not self._thresholds:
            return None
        u = float(self._rng.random())
        for threshold, fault in self._thresholds:
            if u < threshold:
                return fault
        return None
