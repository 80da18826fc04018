"""The counts an invocation answers under ``results``, as the tests expect them."""

from __future__ import annotations

COUNTS = (
    "total",
    "completed",
    "failed",
    "unknown",
    "requeued",
    "settled",
    "skipped",
    "lostRace",
    "storeErrors",
    "unrecorded",
)


def results(**named: int) -> dict[str, int]:
    """Every count of the answer's ``results``: the ones named, the others zero."""
    unknown = set(named) - set(COUNTS)
    assert not unknown, f"not a count of the answer: {sorted(unknown)}"
    return {name: named.get(name, 0) for name in COUNTS}
