"""Turning the measurements into answers to the seed's open questions, by stated rules.

- Safe at a load: no kill (kill rate 0), nothing skipped, nothing left unfinished, no double.
- The fairest safe strategy has the fewest inversions (then unfair outcomes, then p95); the
  fastest safe one the lowest p95 time to book. When both are the same, there is no trade-off.
- The largest safe number per invocation: the largest N that one guarded invocation finishes
  whole (nothing skipped, not killed) in at least 95% of replications.
- The smallest stagger gap: the least gap from which on the inversion rate stays under the
  target (its whole 95% interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["choices_by_load", "largest_whole_load", "smallest_gap"]

SAFE_SHARE = 0.95


def _safe(row: dict[str, Any]) -> bool:
    return bool(
        row["kill_rate"] == 0 and row["skipped"] == 0 and row["lost"] == 0 and row["doubles"] == 0
    )


def choices_by_load(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    choices = []
    for load in sorted({r["load"] for r in rows}):
        at_load = [r for r in rows if r["load"] == load]
        safe = [r for r in at_load if _safe(r)]
        fairest = min(
            safe, key=lambda r: (r["inversion_rate"], r["unfair"], r["book_p95"]), default=None
        )
        fastest = min(safe, key=lambda r: r["book_p95"], default=None)
        choices.append(
            {
                "load": load,
                "safe": sorted(r["point"] for r in safe),
                "fairest": fairest["point"] if fairest else None,
                "fairest_inversion_rate": fairest["inversion_rate"] if fairest else None,
                "fastest": fastest["point"] if fastest else None,
                "fastest_book_p95": fastest["book_p95"] if fastest else None,
            }
        )
    return choices


def largest_whole_load(whole_share: dict[tuple[str, int], float], strategy: str) -> int | None:
    """``whole_share``: (strategy, N) -> share of replications finishing all N at once."""
    good = [n for (s, n), share in whole_share.items() if s == strategy and share >= SAFE_SHARE]
    bad = [n for (s, n), share in whole_share.items() if s == strategy and share < SAFE_SHARE]
    first_bad = min(bad, default=None)
    below = [n for n in good if first_bad is None or n < first_bad]
    return max(below, default=None)


def smallest_gap(rows: Sequence[dict[str, Any]], target: float) -> float | None:
    """The least gap from which on (that gap and every larger one measured) the whole 95%
    interval of the inversion rate is under ``target``."""
    chosen = None
    for row in sorted(rows, key=lambda r: r["gap"], reverse=True):
        if row["inversion_rate_high"] > target:
            break
        chosen = row["gap"]
    return chosen
