"""Numbers as the report writes them: a value, or a mean with its interval (the templates' filters,
``sim.report.rendering``)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["ci", "num"]


def num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def ci(row: dict[str, Any], metric: str, digits: int = 2) -> str:
    return (
        f"{num(row[metric], digits)} [{num(row[metric + '_low'], digits)}, "
        f"{num(row[metric + '_high'], digits)}]"
    )
