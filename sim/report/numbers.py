"""Numbers as the report writes them: a value, or a mean with its interval (the templates' filters,
``sim.report.rendering``)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["ci", "num"]


def num(value: Any, digits: int = 2) -> str:
    """``value`` to ``digits`` places; a value that is not 0 but would print as 0 prints as
    ``< 0.01`` (or ``> -0.01``): a small rate is never shown as none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if not isinstance(value, float):
        return str(value)
    shown = f"{value:.{digits}f}"
    if value != 0 and float(shown) == 0:
        least = f"{10**-digits:.{digits}f}"
        return f"< {least}" if value > 0 else f"> -{least}"
    return shown


def ci(row: dict[str, Any], metric: str, digits: int = 2) -> str:
    return (
        f"{num(row[metric], digits)} [{num(row[metric + '_low'], digits)}, "
        f"{num(row[metric + '_high'], digits)}]"
    )
