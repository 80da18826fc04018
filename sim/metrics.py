"""A replication's numbers, counted with the shared measures (``harness.measures``) from what
the run left behind: the Gym's journal, the store's rows and the invocation records.

Per class: inversions, unfair outcomes, time to book (``class_measures``); over the run: lost
(never final), executing (stuck: claims left behind), doubles (sent again after taking a place)
and orphans (recorded failed although the server gave the user a place).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from harness import measures
from harness.measures import Attempt
from scheduler.core.domain import Prebooking

__all__ = ["percentile", "store_measures"]


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def store_measures(rows: Iterable[Prebooking], tried: Iterable[Attempt]) -> dict[str, int]:
    """Lost, stuck (``executing``), doubles and orphans over the run's prebookings."""
    journal = measures.by_pair(tried)
    lost = doubles = orphans = executing = 0
    for row in rows:
        mine = journal.get((row.user, row.class_id), [])
        lost += measures.lost(row)
        executing += measures.stuck(row)
        doubles += measures.double(mine)
        orphans += measures.orphan(row, mine)
    return {"lost": lost, "executing": executing, "doubles": doubles, "orphans": orphans}
