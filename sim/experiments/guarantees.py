"""Every guarantee the scheduler makes, checked on what one settled run left behind.

The judge reads the journal (what AimHarder did, in its order), the store's rows, the
scheduler's own history and the platform's invocation records, counting with
``harness.measures`` only: a guarantee here means what it means in the load tests' check and
the tests. The ordering guarantees are each strategy's own promise, stated per invocation
(two invocations that overlap may interleave; nothing promises otherwise):

- sequential: an invocation's bookings are processed in ``created_at`` order;
- staggered: two of an invocation's bookings are processed out of order only when their
  delays from start to processing differ by at least the gap (the spread was not under it);
- batched with a barrier: no booking of a later batch is processed before one of an earlier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from harness import measures
from harness.measures import Attempt
from scheduler.core.domain import Prebooking
from scheduler.core.exchange import Exchange
from scheduler.core.strategies import PolicyConfig
from sim.model.history import Origin
from sim.model.platform import InvocationRecord
from sim.model.replication import Evidence

__all__ = ["Guarantee", "Violation", "check"]

LIMIT_SLACK = 1e-9  # seconds: float sums of the same instants


class Guarantee(StrEnum):
    NEVER_BOOKED_TWICE = "never booked twice"
    NOTHING_LOST = "nothing lost"
    NOTHING_MISRECORDED = "nothing misrecorded once settled"
    NOTHING_STUCK = "nothing stuck past its lease"
    NOTHING_SENT_AFTER_PLACE = "nothing sent after its booking was heard"
    SEQUENTIAL_IN_ORDER = "sequential never inverts"
    STAGGERED_IN_ORDER = "staggered never inverts while the spread stays under its gap"
    BATCHED_IN_ORDER = "batched never inverts across batches"
    WITHIN_LIMIT = "no answer after the platform's limit"


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One guarantee broken: which, the prebookings involved, and what the judge saw."""

    guarantee: Guarantee
    prebookings: tuple[str, ...]
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Sent:
    """One of an invocation's bookings as AimHarder processed it."""

    attempt: Attempt
    origin: Origin
    created_at: float


def check(
    evidence: Evidence,
    journal: Sequence[Attempt],
    records: Sequence[InvocationRecord],
    *,
    policy: PolicyConfig,
    max_duration: float,
) -> list[Violation]:
    """Every guarantee broken by the run, in the order of ``Guarantee``, then by prebooking."""
    tried = measures.by_pair(journal)
    heard: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in evidence.exchanges:
        heard[exchange.prebooking_id].append(exchange)
    found: list[Violation] = []
    for row in evidence.rows:
        mine = tried.get((row.user, row.class_id), [])
        found += _row(row, mine, heard.get(row.id, []), evidence.ended_at, policy.lease)
    found += _order(evidence, journal, policy)
    found += _limit(evidence.exchanges, records, max_duration)
    order = list(Guarantee)
    return sorted(found, key=lambda v: (order.index(v.guarantee), v.prebookings))


def _row(
    row: Prebooking, tried: Sequence[Attempt], heard: Sequence[Exchange], now: float, lease: float
) -> Iterable[Violation]:
    def broke(guarantee: Guarantee, detail: str) -> Violation:
        return Violation(guarantee=guarantee, prebookings=(row.id,), detail=detail)

    if measures.booked_twice(tried):
        yield broke(Guarantee.NEVER_BOOKED_TWICE, f"{sum(a.took_place for a in tried)} places")
    if measures.lost(row):
        yield broke(Guarantee.NOTHING_LOST, f"left {row.status.value}")
    why = measures.misrecorded(row, tried, heard, now=now, lease=lease)
    if why is not None:
        yield broke(Guarantee.NOTHING_MISRECORDED, why)
    if measures.stuck(row):
        yield broke(Guarantee.NOTHING_STUCK, f"executing since {row.claimed_at}")
    if measures.sent_after_place(heard):
        yield broke(Guarantee.NOTHING_SENT_AFTER_PLACE, "sent again by the invocation that heard")


def _order(
    evidence: Evidence, journal: Sequence[Attempt], policy: PolicyConfig
) -> Iterable[Violation]:
    """Each invocation's bookings, first processed attempt of each, against its strategy."""
    if policy.adaptive:
        return
    created: dict[str, float] = {row.id: row.created_at for row in evidence.rows}
    by_invocation: dict[str, dict[str, _Sent]] = defaultdict(dict)
    for attempt in journal:
        origin = evidence.origins.get(attempt.seq)
        if origin is not None:
            first = _Sent(attempt=attempt, origin=origin, created_at=created[origin.prebooking_id])
            by_invocation[origin.instance_id].setdefault(origin.prebooking_id, first)
    for instance, sent in sorted(by_invocation.items()):
        processed = list(sent.values())  # journal order
        if policy.max_in_flight == 1:
            yield from _sequential(instance, processed)
        elif policy.batch_size is not None and policy.barrier:
            started = [p for _, p in evidence.starts.get(instance, [])]
            yield from _batched(instance, processed, started, policy.batch_size)
        elif policy.gap > 0 and policy.max_in_flight is None and policy.batch_size is None:
            yield from _staggered(instance, processed, policy.gap)


def _inverted(processed: Sequence[_Sent]) -> Iterable[tuple[_Sent, _Sent]]:
    """Pairs (earlier request, later one) that AimHarder processed later one first."""
    for i, first in enumerate(processed):
        for second in processed[i + 1 :]:
            if second.created_at < first.created_at:
                yield second, first


def _ids(*sent: _Sent) -> tuple[str, ...]:
    return tuple(s.origin.prebooking_id for s in sent)


def _sequential(instance: str, processed: Sequence[_Sent]) -> Iterable[Violation]:
    created = [s.created_at for s in processed]
    if measures.inversions(created) == 0:
        return
    earlier, later = next(iter(_inverted(processed)))
    yield Violation(
        guarantee=Guarantee.SEQUENTIAL_IN_ORDER,
        prebookings=_ids(earlier, later),
        detail=f"{instance}: {measures.inversions(created)} inverted pairs; "
        f"{later.origin.prebooking_id} processed (seq {later.attempt.seq}) before "
        f"{earlier.origin.prebooking_id} (seq {earlier.attempt.seq})",
    )


def _staggered(instance: str, processed: Sequence[_Sent], gap: float) -> Iterable[Violation]:
    def delay(s: _Sent) -> float:
        return s.attempt.processed - s.origin.started_at

    for earlier, later in _inverted(processed):
        if abs(delay(earlier) - delay(later)) < gap:
            yield Violation(
                guarantee=Guarantee.STAGGERED_IN_ORDER,
                prebookings=_ids(earlier, later),
                detail=f"{instance}: inverted with delays {delay(earlier):.3f} and "
                f"{delay(later):.3f} s, under the gap of {gap:g} s",
            )
            return


def _batched(
    instance: str, processed: Sequence[_Sent], started: Sequence[str], size: int
) -> Iterable[Violation]:
    """``started``: every prebooking the invocation's policy started, in its order (those not
    sent count in their batch too)."""
    batch = {prebooking: n // size for n, prebooking in enumerate(started)}
    for earlier, later in _inverted(processed):
        a, b = batch[earlier.origin.prebooking_id], batch[later.origin.prebooking_id]
        if a < b:
            yield Violation(
                guarantee=Guarantee.BATCHED_IN_ORDER,
                prebookings=_ids(earlier, later),
                detail=f"{instance}: batch {b}'s {later.origin.prebooking_id} processed before "
                f"batch {a}'s {earlier.origin.prebooking_id}",
            )
            return


def _limit(
    exchanges: Sequence[Exchange], records: Sequence[InvocationRecord], max_duration: float
) -> Iterable[Violation]:
    """No invocation answers past the limit, and none hears anything after it."""
    for record in records:
        if record.ended_at - record.started_at > max_duration + LIMIT_SLACK:
            yield Violation(
                guarantee=Guarantee.WITHIN_LIMIT,
                prebookings=(),
                detail=f"{record.instance_id} ran {record.ended_at - record.started_at:.3f} s",
            )
    runs: dict[str, list[InvocationRecord]] = defaultdict(list)
    for record in records:
        runs[record.instance_id].append(record)
    for exchange in exchanges:
        if exchange.heard_at is None or exchange.instance_id is None:
            continue
        delivery = exchange.instance_id.partition("#")[0]  # the run's label: id#run
        began = [r.started_at for r in runs.get(delivery, []) if r.started_at <= exchange.sent_at]
        if began and exchange.heard_at > max(began) + max_duration + LIMIT_SLACK:
            yield Violation(
                guarantee=Guarantee.WITHIN_LIMIT,
                prebookings=(exchange.prebooking_id,),
                detail=f"{exchange.instance_id} heard at {exchange.heard_at:.3f}, past its limit",
            )
