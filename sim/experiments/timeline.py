"""A replayed run's booking attempts as a reader follows them: per class, in the order AimHarder
processed them, each with the ``created_at`` rank of its user (1: asked first) and the inversions
it closes.

Order is judged as ``harness.measures`` judges it: on each of our users' first attempt for the
class, in processing order, an inversion being a pair processed in the opposite order of their
``created_at``. A step's ``inversions`` counts the users processed before it who asked later, so
the steps' inversions of a class add up to its ``ClassMeasures.inversions``. Attempts of outside
members (``mock_aimharder.model.outside``) have no rank and close none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from harness.measures import attempts
from scheduler.core.domain import Instant
from sim.model.replication import Replication

__all__ = ["Step", "timeline"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One booking attempt the server processed."""

    seq: int  # the journal's: the processing order
    class_id: int
    user: str
    processed: Instant  # on AimHarder's clock
    book_state: int | None  # AimHarder's answer
    rank: int | None  # its user's created_at rank in the class, 1 first; None: not ours
    again: bool  # not the user's first attempt for the class (order is judged on the first)
    inversions: int  # users of the class processed before it who asked later


def timeline(replication: Replication) -> list[Step]:
    """Every booking attempt of a replication run with its journal and its evidence (a replay,
    ``sim.experiments.replay``), by class, then in processing order."""
    if replication.evidence is None:
        raise ValueError("a timeline needs the run's evidence: run it with keep_evidence=True")
    created: dict[tuple[str, int], Instant] = {
        (str(row.user), row.class_id): row.created_at for row in replication.evidence.rows
    }
    ranks: dict[tuple[str, int], int] = {}
    by_class: dict[int, list[tuple[Instant, str]]] = defaultdict(list)
    for (user, class_id), at in created.items():
        by_class[class_id].append((at, user))
    for class_id, asked in by_class.items():
        for rank, (_, user) in enumerate(sorted(asked), start=1):
            ranks[(user, class_id)] = rank
    steps = []
    seen: dict[int, list[Instant]] = defaultdict(list)  # class -> created_at of users processed
    started: set[tuple[str, int]] = set()
    for attempt in attempts(replication.journal):
        key = (attempt.user, attempt.class_id)
        again, closes = key in started, 0
        if key in created and not again:
            at = created[key]
            closes = sum(1 for earlier in seen[attempt.class_id] if earlier > at)
            seen[attempt.class_id].append(at)
        started.add(key)
        steps.append(
            Step(
                seq=attempt.seq,
                class_id=attempt.class_id,
                user=attempt.user,
                processed=attempt.processed,
                book_state=attempt.book_state,
                rank=ranks.get(key),
                again=again,
                inversions=closes,
            )
        )
    return sorted(steps, key=lambda s: (s.class_id, s.seq))
