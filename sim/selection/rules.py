"""The one rule set every answer of the simulation decides by: what is **safe**, which strategy is
the **fairest** and which the **fastest**, and the one order that breaks ties. KN's objectives
(``sim.selection.objectives``), the answer box and the recommendation (``sim.report``), the trigger
presets' recommendations (``sim.selection.triggers``) and ``auto`` against the best
(``sim.selection.auto``) all import them from here, and the report's glossary prints the same
definitions (``WORDS``).

A replication is safe when none of ``UNSAFE_WHEN`` happened in it. A point (a strategy at a load)
is safe when every one of its replications was: its summary row's means of those measures are 0
(each is a count or a share, never below 0, so a mean of 0 means 0 in every replication).

Other rules, stated once:

- The largest safe number per invocation: the largest N that one guarded invocation finishes
  whole (nothing skipped, not killed) in at least ``WHOLE_SHARE`` of replications.
- The smallest stagger gap: the least gap from which on the inversion rate stays under the
  target (its whole 95% interval).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.model.summary import Measure, Summary

__all__ = [
    "FAIREST",
    "FASTEST",
    "SAFE",
    "TIE",
    "UNSAFE_WHEN",
    "WHOLE_SHARE",
    "WORDS",
    "Word",
    "choices_by_load",
    "fairest_key",
    "fastest_key",
    "largest_whole_load",
    "safe",
    "safe_point",
    "smallest_gap",
    "unsafe_because",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Word:
    """A word that decides, and what it means: the report's glossary prints ``meaning``."""

    name: str
    meaning: str


# Each a count, or a share of invocations; any above 0 in a replication makes it unsafe:
# killed (kill_rate: the share of busy invocations killed), sent twice after taking a place,
# skipped by the guard, and lost (never final when the run ends: pending, overdue, executing or
# unknown, counted over every row of the store, so rows no query ever fetched count too).
UNSAFE_WHEN = (Measure.KILL_RATE, Measure.DOUBLES, Measure.SKIPPED, Measure.LOST)
UNSAFE_BECAUSE = {
    Measure.KILL_RATE: "killed at the limit",
    Measure.DOUBLES: "sent twice",
    Measure.SKIPPED: "skipped by the guard",
    Measure.LOST: "left unfinished",
}
"""Why a point is not safe, in words, one per measure of ``UNSAFE_WHEN``."""

SAFE = Word(
    name="safe",
    meaning=(
        "no kill, nothing sent twice, nothing skipped by the guard, and no prebooking left "
        "unfinished or overdue when the run ends, counting rows no invocation fetched"
    ),
)
FAIREST = Word(
    name="fairest",
    meaning=(
        "the lowest inversion rate; between equal ones, the fewest unfair outcomes, then the "
        "lowest p95 time to book, then the name"
    ),
)
FASTEST = Word(
    name="fastest",
    meaning=(
        "the lowest p95 time to book; between equal ones, the lowest inversion rate, then the "
        "fewest unfair outcomes, then the name"
    ),
)
TIE = Word(
    name="tie",
    meaning=(
        "strategies whose results were identical in every replication; strategies KN could not "
        "tell apart otherwise are not a tie but not separated after so many replications"
    ),
)
WORDS = (SAFE, FAIREST, FASTEST, TIE)

WHOLE_SHARE = 0.95


def safe(summary: Summary) -> bool:
    """One replication: none of ``UNSAFE_WHEN`` happened."""
    return all(getattr(summary, measure) == 0 for measure in UNSAFE_WHEN)


def unsafe_because(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A summary row's reasons not to be safe, in words: each measure of ``UNSAFE_WHEN`` whose
    mean over the replications is not 0 (none is ever negative); empty when it is safe."""
    return tuple(UNSAFE_BECAUSE[m] for m in UNSAFE_WHEN if row[m] != 0)


def safe_point(row: Mapping[str, Any]) -> bool:
    """A summary row (means over a point's replications): safe in every replication."""
    return not unsafe_because(row)


def fairest_key(row: Mapping[str, Any], name: str) -> tuple[float, float, float, str]:
    """Smaller is fairer (``FAIREST``); ``row``: the point's means, ``name``: its strategy."""
    return (row["inversion_rate"], row["unfair"], row["book_p95"], name)


def fastest_key(row: Mapping[str, Any], name: str) -> tuple[float, float, float, str]:
    """Smaller is faster (``FASTEST``)."""
    return (row["book_p95"], row["inversion_rate"], row["unfair"], name)


def choices_by_load(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per load of a sweep's summary rows: the safe strategies, the fairest and the fastest."""
    choices = []
    for load in sorted({r["load"] for r in rows}):
        safe_rows = [r for r in rows if r["load"] == load and safe_point(r)]
        fairest = min(safe_rows, key=lambda r: fairest_key(r, r["point"]), default=None)
        fastest = min(safe_rows, key=lambda r: fastest_key(r, r["point"]), default=None)
        choices.append(
            {
                "load": load,
                "safe": sorted(r["point"] for r in safe_rows),
                "fairest": fairest["point"] if fairest else None,
                "fairest_inversion_rate": fairest["inversion_rate"] if fairest else None,
                "fastest": fastest["point"] if fastest else None,
                "fastest_book_p95": fastest["book_p95"] if fastest else None,
            }
        )
    return choices


def largest_whole_load(whole_share: dict[tuple[str, int], float], strategy: str) -> int | None:
    """``whole_share``: (strategy, N) -> share of replications finishing all N at once."""
    good = [n for (s, n), share in whole_share.items() if s == strategy and share >= WHOLE_SHARE]
    bad = [n for (s, n), share in whole_share.items() if s == strategy and share < WHOLE_SHARE]
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
