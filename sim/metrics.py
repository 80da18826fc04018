"""The measures DESIGN.md defines, computed from what a run leaves behind: the server's journal,
the store's rows and the invocation records. Ordering is judged from the journal only.

- inversions: pairs of one class's bookings processed in the opposite order of their
  ``created_at`` (Kendall tau distance), and that count over all pairs (the rate);
- unfair outcomes: a user who got no place while a user who asked later got one;
- time to book: window opening to the server processing the booking that got the place;
- lost: prebookings never final; doubles: prebookings the server processed more than once
  after one of them had already taken effect; orphans: recorded failed although the server
  gave the user a place (the client gave up or was killed before the answer).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mock_aimharder.model.journal import EntryKind, JournalEntry
from scheduler.core.domain import Prebooking
from scheduler.core.status import Status

__all__ = ["ClassMeasures", "class_measures", "inversions", "percentile", "store_measures"]

HOLDS_PLACE = (1, 0)  # bookState booked or waitlisted


def inversions(created_in_processing_order: Sequence[float]) -> int:
    """Kendall tau distance between processing order and ``created_at`` order."""
    return sum(1 for a, b in itertools.combinations(created_in_processing_order, 2) if a > b)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassMeasures:
    class_id: int
    requests: int  # prebookings for the class
    processed: int  # distinct users the server processed
    placed: int  # users holding a place at the end
    inversions: int
    pairs: int
    unfair: int
    times_to_book: tuple[float, ...]  # one per placed user, from the opening

    @property
    def inversion_rate(self) -> float:
        return self.inversions / self.pairs if self.pairs else 0.0


def class_measures(
    journal: Iterable[JournalEntry],
    prebookings: Iterable[Prebooking],
    openings: Mapping[int, float],
) -> list[ClassMeasures]:
    created: dict[tuple[int, str], float] = {}
    requests: dict[int, int] = defaultdict(int)
    for p in prebookings:
        created[(p.class_id, p.user)] = p.created_at
        requests[p.class_id] += 1
    first_seen: dict[int, dict[str, float]] = defaultdict(dict)  # class -> user -> created_at
    placed_at: dict[int, dict[str, float]] = defaultdict(dict)  # class -> user -> processed
    for entry in journal:
        if entry.kind is not EntryKind.BOOK or entry.class_id is None:
            continue
        key = (entry.class_id, entry.user)
        users = first_seen[entry.class_id]
        if entry.user not in users and key in created:
            users[entry.user] = created[key]
        if entry.book_state in HOLDS_PLACE and entry.user not in placed_at[entry.class_id]:
            placed_at[entry.class_id][entry.user] = entry.processed_wall
    measures = []
    for class_id in sorted(openings):
        order = list(first_seen[class_id].values())  # dicts keep insertion (processing) order
        holders = placed_at[class_id]
        latest_holder = max((created[(class_id, u)] for u in holders), default=float("-inf"))
        refused = [u for u in first_seen[class_id] if u not in holders]
        measures.append(
            ClassMeasures(
                class_id=class_id,
                requests=requests[class_id],
                processed=len(order),
                placed=len(holders),
                inversions=inversions(order),
                pairs=len(order) * (len(order) - 1) // 2,
                unfair=sum(1 for u in refused if created[(class_id, u)] < latest_holder),
                times_to_book=tuple(t - openings[class_id] for t in holders.values()),
            )
        )
    return measures


def store_measures(rows: Iterable[Prebooking], journal: Iterable[JournalEntry]) -> dict[str, int]:
    """Unfinished (``lost``: still pending or executing), doubles and orphans over the run."""
    entries: dict[tuple[int, str], list[int]] = defaultdict(list)
    for entry in journal:
        if entry.kind is EntryKind.BOOK and entry.class_id is not None:
            entries[(entry.class_id, entry.user)].append(int(entry.book_state or 0))
    lost = doubles = orphans = executing = 0
    for row in rows:
        states = entries.get((row.class_id, row.user), [])
        lost += not row.status.is_final
        executing += row.status is Status.EXECUTING
        placed = [i for i, s in enumerate(states) if s in HOLDS_PLACE]
        doubles += bool(placed) and placed[0] < len(states) - 1
        orphans += row.status is Status.FAILED and bool(placed)
    return {"lost": lost, "executing": executing, "doubles": doubles, "orphans": orphans}
