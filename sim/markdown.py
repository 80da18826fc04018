"""Markdown pieces the report's texts share: numbers, means with intervals, tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["ci", "num", "table"]


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


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)
