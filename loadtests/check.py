"""The check after a run: the mock's journal (what AimHarder processed) against the store.

The journal is the judge: order is judged from the journal, never from the client's side.
For every prebooking, keyed by ``(user, class_id)``, with the shared measures
(``harness.measures``):

- **double**: sent again after it took a place (AimHarder answers "already booked", which the
  scheduler counts as completed: only the journal shows the second send); with the schedulers'
  history, only a request *sent* after the place counts: one sent before and landing after it
  (queued on the way past its sender's lease) is a late landing, not a resend;
- **overdue**: still ``pending`` although its window opened before the check;
- **stuck**: left ``executing`` once every invocation had ended;
- **phantom**: ``completed`` in the store, and no attempt in the journal took a place;
- **unbooked**: ready and ``failed``, and no attempt took a place (room was left in the class:
  a last answer "class full" while outside members hold places there is not a violation, it is
  a place lost to them);
- **stray**: a place taken on a prebooked class by a pair that has no prebooking (outside
  members, ``mock_aimharder.model.outside.is_outside``, are expected there);
- **unauthorized**: a cron call accepted without the secret (counted by the locust run);
- **booked twice**: more than one attempt of a pair took a place;
- **lost**: left ``unknown`` within its lease (the run ended before anything could settle it);
- **misrecorded**: the store's status disagrees with the journal or with the schedulers'
  history of what they sent and heard (``measures.misrecorded``: booked but recorded failed,
  recorded completed but never booked, unknown left unsettled after its lease, a final status
  no answer ever gave).

**Places won**: the share of the ready prebookings whose pair took a place. **Placed after a
refusal**: prebookings whose place was taken after AimHarder had answered one of their requests
"class full" (a request that landed late, once a place came free): the rows a scheduler that
records that refusal ``failed`` leaves misrecorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness import measures
from harness.measures import Attempt
from mock_aimharder.model.outside import is_outside
from scheduler.core.domain import Instant, Prebooking, Seconds
from scheduler.core.exchange import Exchange
from scheduler.core.status import Status

__all__ = [
    "CLASS_FULL",
    "MAX_DURATION",
    "Verdict",
    "Violation",
    "ViolationKind",
    "judge",
    "too_short",
]

CLASS_FULL = -1  # bookState: no spot and no waitlist (mock_aimharder/API.md, "POST /api/book")
MAX_DURATION = 10.0  # the schedulers' hard limit per invocation (scheduler.settings)


class ViolationKind(StrEnum):
    DOUBLE = "double"
    OVERDUE = "overdue"
    STUCK = "stuck"
    PHANTOM = "phantom"
    UNBOOKED = "unbooked"
    STRAY = "stray"
    UNAUTHORIZED = "unauthorized"
    BOOKED_TWICE = "booked twice"
    MISRECORDED = "misrecorded"
    LOST = "lost"


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
    placed: int = 0  # ready prebookings whose pair took a place
    placed_after_refusal: int = 0  # of them, placed after a "class full" to the same pair
    outside_placed: int = 0  # places outside members took in the prebooked classes
    violations: Sequence[Violation] = field(default_factory=tuple)
    heard: Mapping[str, int] = field(default_factory=dict)  # the history's requests, by outcome

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def places_won(self) -> float:
        """The share of ready prebookings that took a place (1.0 when none was ready)."""
        return measures.places_won(self.placed, self.ready)

    def count(self, kind: ViolationKind) -> int:
        return sum(1 for v in self.violations if v.kind is kind)

    @property
    def misrecorded(self) -> int:
        """Statuses that disagree with what AimHarder did or said (phantoms among them)."""
        return self.count(ViolationKind.PHANTOM) + self.count(ViolationKind.MISRECORDED)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "prebookings": self.prebookings,
            "ready": self.ready,
            "booked_once": self.booked_once,
            "places_won": self.places_won,
            "placed_after_refusal": self.placed_after_refusal,
            "outside_placed": self.outside_placed,
            "statuses": dict(self.statuses),
            "violations": {kind.value: self.count(kind) for kind in ViolationKind},
            "misrecorded": self.misrecorded,
            "heard": dict(self.heard),
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
    lease: Seconds,
    heard: Iterable[Exchange] | None = None,
    unauthorized_accepted: int = 0,
) -> Verdict:
    """Every violation of "each ready prebooking booked exactly once, none stuck or overdue,
    every status what AimHarder did and said". ``heard``: the schedulers' history (None: none
    was kept); ``lease``: theirs, after which an unknown outcome must have been settled."""
    rows = list(prebookings)
    by_pair = measures.by_pair(attempts)
    history: dict[str, list[Exchange]] | None = None
    requests: dict[str, int] = {}
    if heard is not None:
        history = {p.id: [] for p in rows}
        for exchange in heard:
            history.setdefault(exchange.prebooking_id, []).append(exchange)
            outcome = f"{exchange.request.value} {exchange.heard.value}"
            requests[outcome] = requests.get(outcome, 0) + 1
    violations: list[Violation] = []
    booked_once = placed = after_refusal = 0
    theirs = {
        (user, class_id)
        for (user, class_id), tried in by_pair.items()
        if is_outside(user) and measures.first_place(tried) is not None
    }
    outbooked = {class_id for _, class_id in theirs}
    for p in rows:
        tried = by_pair.get((p.user, p.class_id), [])
        placed += p.available_at <= now and measures.first_place(tried) is not None
        after_refusal += measures.placed_after_refusal(tried, CLASS_FULL)
        said = None if history is None else history[p.id]
        found = _judge_one(p, tried, said, now=now, outbooked=p.class_id in outbooked)
        mismatch = measures.misrecorded(p, tried, said, now=now, lease=lease)
        if mismatch is not None and not any(v.kind is ViolationKind.PHANTOM for v in found):
            found.append(_v(ViolationKind.MISRECORDED, p.id, mismatch))
        elif p.status is Status.UNKNOWN and mismatch is None:
            found.append(_v(ViolationKind.LOST, p.id, "unknown, its lease not over yet"))
        if measures.booked_twice(tried):
            seqs = [a.seq for a in tried if a.took_place]
            found.append(_v(ViolationKind.BOOKED_TWICE, p.id, f"places taken at seqs {seqs}"))
        violations.extend(found)
        if not found and sum(a.took_place for a in tried) == 1:
            booked_once += 1
    prebooked = {(p.user, p.class_id) for p in rows}
    classes = {p.class_id for p in rows}
    for (user, class_id), tried in sorted(by_pair.items()):
        if class_id in classes and (user, class_id) not in prebooked and not is_outside(user):
            for a in tried:
                if a.took_place:
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
        placed=placed,
        placed_after_refusal=after_refusal,
        outside_placed=sum(1 for _, class_id in theirs if class_id in classes),
        violations=tuple(violations),
        heard=requests,
    )


def _judge_one(
    p: Prebooking,
    tried: list[Attempt],
    said: Sequence[Exchange] | None,
    *,
    now: Instant,
    outbooked: bool,
) -> list[Violation]:
    found: list[Violation] = []
    resent = said is None or measures.resent_after_place(tried, said)
    if measures.double(tried) and resent:
        seqs = [a.seq for a in tried[measures.first_place(tried) or 0 :]]
        found.append(_v(ViolationKind.DOUBLE, p.id, f"sent again after its booking: seqs {seqs}"))
    if measures.stuck(p):
        found.append(_v(ViolationKind.STUCK, p.id, f"executing, held by {p.claimed_by!r}"))
    elif measures.overdue(p, now):
        found.append(_v(ViolationKind.OVERDUE, p.id, f"pending {now - p.available_at:.1f} s late"))
    elif measures.phantom(p, tried):
        detail = f"completed in the store; the journal has {len(tried)} attempts, none booked"
        found.append(_v(ViolationKind.PHANTOM, p.id, detail))
    elif (
        p.status is Status.FAILED
        and measures.first_place(tried) is None
        and not _lost_to_outsiders(tried, outbooked=outbooked)
    ):
        detail = f"failed ({p.error!r}) after {len(tried)} attempts, none booked"
        found.append(_v(ViolationKind.UNBOOKED, p.id, detail))
    return found


def _lost_to_outsiders(tried: list[Attempt], *, outbooked: bool) -> bool:
    """The class was full when ours was processed, and outside members hold places in it."""
    return outbooked and bool(tried) and tried[-1].book_state == CLASS_FULL


def _v(kind: ViolationKind, subject: str, detail: str) -> Violation:
    return Violation(kind=kind, subject=subject, detail=detail)


def too_short(prebookings: Iterable[Prebooking], *, now: Instant) -> bool:
    """Some prebookings are overdue at ``now`` and every one of them opened less than one
    invocation's limit before: no call could be counted on to take them, so the run, not the
    scheduler, was too short for its windows."""
    late = [now - p.available_at for p in prebookings if measures.overdue(p, now)]
    return bool(late) and max(late) < MAX_DURATION
