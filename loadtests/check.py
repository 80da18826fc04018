"""The check after a run: the mock's journal (what AimHarder processed) against the store.

The journal is the judge (DESIGN.md: "Ordering is judged from the journal, never from the
client's side"). For every prebooking, keyed by ``(user, class_id)``:

- **double**: a booking attempt processed after the pair's first successful one (AimHarder
  answers "already booked" to it, which the scheduler would count as completed: only the
  journal shows the second send), or a second success;
- **lost**: still ``pending`` although its window opened before the check;
- **stuck**: left ``executing`` once every invocation had ended;
- **phantom**: ``completed`` in the store with no successful attempt in the journal;
- **unbooked**: ready and final, yet no successful attempt (``failed`` with room in the class);
- **stray**: a successful attempt on a prebooked class by a pair that has no prebooking;
- **unauthorized**: a cron call accepted without the secret (counted by the locust run).

Successful means ``bookState`` 1 (booked) or 0 (waitlisted): both hold a place
(AIMHARDER-API.md §3; README: the waitlist counts as completed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scheduler.core.domain import Instant, Prebooking
from scheduler.core.status import Status

__all__ = ["SUCCESS_STATES", "Attempt", "Verdict", "Violation", "ViolationKind", "judge"]

SUCCESS_STATES = frozenset({1, 0})


class ViolationKind(StrEnum):
    DOUBLE = "double"
    LOST = "lost"
    STUCK = "stuck"
    PHANTOM = "phantom"
    UNBOOKED = "unbooked"
    STRAY = "stray"
    UNAUTHORIZED = "unauthorized"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One booking attempt from the journal, as far as the check needs it."""

    seq: int
    user: str
    class_id: int
    book_state: int | None

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Attempt:
        """From one ``GET /_admin/journal`` entry of kind ``book``."""
        return cls(
            seq=int(entry["seq"]),
            user=str(entry["user"]),
            class_id=int(entry["class_id"]),
            book_state=None if entry["book_state"] is None else int(entry["book_state"]),
        )

    @property
    def succeeded(self) -> bool:
        return self.book_state in SUCCESS_STATES


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    kind: ViolationKind
    subject: str  # the prebooking id, the (user, class) pair, or the request name
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The counts of one run and every violation found; ``ok`` when there is none."""

    prebookings: int
    ready: int
    booked_once: int
    statuses: Mapping[str, int]
    violations: Sequence[Violation] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.violations

    def count(self, kind: ViolationKind) -> int:
        return sum(1 for v in self.violations if v.kind is kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "prebookings": self.prebookings,
            "ready": self.ready,
            "booked_once": self.booked_once,
            "statuses": dict(self.statuses),
            "violations": {kind.value: self.count(kind) for kind in ViolationKind},
            "details": [
                {"kind": v.kind.value, "subject": v.subject, "detail": v.detail}
                for v in self.violations
            ],
        }


def judge(
    prebookings: Iterable[Prebooking],
    attempts: Iterable[Attempt],
    *,
    now: Instant,
    unauthorized_accepted: int = 0,
) -> Verdict:
    """Every violation of "each ready prebooking booked exactly once, none stuck or lost"."""
    rows = list(prebookings)
    by_pair: dict[tuple[str, int], list[Attempt]] = defaultdict(list)
    for attempt in sorted(attempts, key=lambda a: a.seq):
        by_pair[(attempt.user, attempt.class_id)].append(attempt)
    violations: list[Violation] = []
    booked_once = 0
    for p in rows:
        tried = by_pair.get((p.user, p.class_id), [])
        found = _judge_one(p, tried, now=now)
        violations.extend(found)
        if not found and sum(a.succeeded for a in tried) == 1:
            booked_once += 1
    prebooked = {(p.user, p.class_id) for p in rows}
    classes = {p.class_id for p in rows}
    for (user, class_id), tried in sorted(by_pair.items()):
        if class_id in classes and (user, class_id) not in prebooked:
            for a in tried:
                if a.succeeded:
                    detail = f"journal seq {a.seq} booked it with no prebooking for the pair"
                    violations.append(_v(ViolationKind.STRAY, f"{user}/{class_id}", detail))
    if unauthorized_accepted:
        detail = f"{unauthorized_accepted} cron calls without the secret were accepted"
        violations.append(_v(ViolationKind.UNAUTHORIZED, "cron without secret", detail))
    statuses = {s.value: sum(1 for p in rows if p.status is s) for s in Status}
    return Verdict(
        prebookings=len(rows),
        ready=sum(1 for p in rows if p.available_at <= now),
        booked_once=booked_once,
        statuses=statuses,
        violations=tuple(violations),
    )


def _judge_one(p: Prebooking, tried: list[Attempt], *, now: Instant) -> list[Violation]:
    found: list[Violation] = []
    first = next((i for i, a in enumerate(tried) if a.succeeded), None)
    if first is not None and len(tried) > first + 1:
        seqs = [a.seq for a in tried[first:]]
        found.append(_v(ViolationKind.DOUBLE, p.id, f"sent again after its booking: seqs {seqs}"))
    if p.status is Status.EXECUTING:
        found.append(_v(ViolationKind.STUCK, p.id, f"executing, held by {p.claimed_by!r}"))
    elif p.status is Status.PENDING and p.available_at <= now:
        found.append(_v(ViolationKind.LOST, p.id, f"pending {now - p.available_at:.1f} s late"))
    elif p.status is Status.COMPLETED and first is None:
        detail = f"completed in the store; the journal has {len(tried)} attempts, none booked"
        found.append(_v(ViolationKind.PHANTOM, p.id, detail))
    elif p.status is Status.FAILED and first is None:
        detail = f"failed ({p.error!r}) after {len(tried)} attempts, none booked"
        found.append(_v(ViolationKind.UNBOOKED, p.id, detail))
    return found


def _v(kind: ViolationKind, subject: str, detail: str) -> Violation:
    return Violation(kind=kind, subject=subject, detail=detail)
