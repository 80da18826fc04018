"""A tracing hook on the asyncio driver: a ``Tracer`` is told when each effect is asked for and
answered, and when each batch of store calls runs on its thread.

What measures the scheduler from outside listens here instead of patching its classes: the
simulation's calibration of the scheduler's machinery (``sim.validation.calibration``) and the
benchmarks. The scheduler never depends on a tracer: without one (the default) nothing is
called. Times are wall-clock seconds (``time.time``), the clock of the mock's journal they are
compared with; a batch is reported from the store's own thread, so a tracer must not assume the
event loop's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["BatchRan", "EffectAnswered", "EffectAsked", "TraceEvent", "Tracer"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectAsked:
    """A flow asked the world for ``effect`` (a store call, or a request to AimHarder)."""

    effect: Any
    flow: int  # the asking flow's task (its ``id``): one flow's effects follow one another
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectAnswered:
    """``effect``'s value (or failure) is back with the flow that asked."""

    effect: Any
    flow: int
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchRan:
    """A batch of store calls (``scheduler.gathering``) ran on a store thread."""

    effects: tuple[Any, ...]
    thread: int
    started: float
    ended: float


TraceEvent: TypeAlias = EffectAsked | EffectAnswered | BatchRan
Tracer: TypeAlias = Callable[[TraceEvent], None]
