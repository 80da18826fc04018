"""A box's clock rules for one class: when booking opens and closes, and when cancelling is late.

AimHarder shows these only through its refusals (API.md, "POST /api/book"): -12
``ERROR_ANTELACION_CLIENTE`` (window counted in days) or ``_HORAS`` (in hours) before the window
opens, -4 past a box-wide horizon of days, -7 too close to the start, and ``cancelState`` 2 for
a cancellation too close to the start. Every rule is off unless configured, and instants come in
as ``now`` (wall-clock seconds), as everywhere in the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mock_aimharder.model.codes import (
    TOO_FAR_AHEAD,
    TOO_LATE,
    BookState,
    Refusal,
    WindowUnit,
    too_early,
)
from mock_aimharder.model.dates import class_start, parse_day
from mock_aimharder.model.errors import ConfigProblem

if TYPE_CHECKING:
    from mock_aimharder.model.config import ClassSpec

__all__ = ["Timing"]

UNIT_SECONDS = {WindowUnit.DAYS: 86_400.0, WindowUnit.HOURS: 3_600.0}


@lru_cache(maxsize=4096)
def _start(day: str, time: str, timezone: str) -> float:
    return class_start(day, time, timezone)


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """The clock rules of one box; ``window`` is in ``unit``, the rest in seconds or days."""

    timezone: str
    unit: WindowUnit = WindowUnit.DAYS
    window: float | None = None
    horizon_days: int | None = None
    closes_before: float | None = None
    late_cancel_before: float | None = None

    def starts(self, spec: ClassSpec) -> float:
        """The instant the class starts (its day and time in the box's zone)."""
        return _start(spec.day, spec.time, self.timezone)

    def opens(self, spec: ClassSpec) -> float | None:
        """When booking opens: ``opens_at``, else ``window`` before the start; None: open."""
        if spec.opens_at is not None:
            return spec.opens_at
        if self.window is None:
            return None
        return self.starts(spec) - self.window * UNIT_SECONDS[self.unit]

    def closes(self, spec: ClassSpec) -> float | None:
        """When booking closes (-7 from then on); None: never."""
        return None if self.closes_before is None else self.starts(spec) - self.closes_before

    def refusal(self, spec: ClassSpec, now: float) -> tuple[BookState, Refusal] | None:
        """Why a booking at ``now`` is refused for its timing: too late, too far, too early."""
        closes = self.closes(spec)
        if closes is not None and now >= closes:
            return BookState.TOO_LATE, TOO_LATE
        if self.horizon_days is not None and self._days_ahead(spec, now) > self.horizon_days:
            return BookState.TOO_FAR_AHEAD, TOO_FAR_AHEAD
        opens = self.opens(spec)
        if opens is not None and now < opens:
            return BookState.NOT_ALLOWED, too_early(self._window_count(spec, opens), self.unit)
        return None

    def is_late_cancel(self, spec: ClassSpec, now: float) -> bool:
        """Cancelling a spot at ``now`` costs the class (``cancelState`` 2 unless ``late=1``)."""
        if self.late_cancel_before is None:
            return False
        return now >= self.starts(spec) - self.late_cancel_before

    def problem(self, spec: ClassSpec) -> str | None:
        """Why this class's window makes no sense (it opens once booking is over), if it does."""
        opens = self.opens(spec)
        if opens is None:
            return None
        start = self.starts(spec)
        closes = self.closes(spec)
        closes = start if closes is None else closes
        if opens < closes:
            return None
        field = "opens_at" if spec.opens_at is not None else "booking_window"
        until = "the class starts" if closes == start else "booking closes"
        return (
            f"{field} makes class {spec.id} open at {_iso(opens, self.timezone)}, not before"
            f" {until} at {_iso(closes, self.timezone)}; expected a window that opens before"
        )

    def first_problem(self, specs: Iterable[ClassSpec]) -> ConfigProblem | None:
        """The first class whose window makes no sense, naming the field to change."""
        for index, spec in enumerate(specs):
            problem = self.problem(spec)
            if problem is not None:
                where = "booking_window" if spec.opens_at is None else f"classes.{index}.opens_at"
                return ConfigProblem(field=where, message=problem)
        return None

    def _window_count(self, spec: ClassSpec, opens: float) -> int:
        """N in "más de N días/horas": the configured window, else the class's own, >= 1."""
        if self.window is not None and spec.opens_at is None:
            return max(1, round(self.window))
        return max(1, round((self.starts(spec) - opens) / UNIT_SECONDS[self.unit]))

    def _days_ahead(self, spec: ClassSpec, now: float) -> int:
        today = dt.datetime.fromtimestamp(now, ZoneInfo(self.timezone)).date()
        return (parse_day(spec.day) - today).days


def _iso(instant: float, timezone: str) -> str:
    return dt.datetime.fromtimestamp(instant, ZoneInfo(timezone)).isoformat(timespec="seconds")
