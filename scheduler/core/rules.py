"""The store's rules for a claim and a result, shared by the SQL and the in-memory store.

Both stores ask these functions for the status to write, so every change of status goes through
``status.next_status`` (the one table of legal moves) and the two stores cannot
drift apart. The guards that go with each rule (``CLAIMABLE``, ``RECLAIMABLE`` with
``lease_cutoff``, ``RESULT_FROM``) are the ``WHERE`` of the SQL store's single statement and the
``if`` of the memory store (``is_claimable``).

The lease: a claim is held for ``lease`` seconds. A row still ``executing`` when its
lease has run out (``claimed_at <= now - lease``) belongs to an invocation that was killed or
cut, since no invocation sends past its budget (``PolicyConfig.lease``); it is ready again and a
claim takes it up (``Event.RECLAIM``). Sending it again cannot book twice: AimHarder answers a
second booking of the same class "already booked", which counts as booked (``verdict``).
A row left ``unknown`` (sent, never answered) is taken up the same way once its lease is over,
and AimHarder's listing is read before anything is sent. A request may land later than the
lease (queued on its way: ``core.settling``), so the listing may not show it yet: the row stays
``unknown`` while it may still land, and a ``failed`` row with a request never answered
(``unanswered_at``) is taken up too, once a lease, until its class is over
(``is_reconcilable``), to read the listing again.
"""

from __future__ import annotations

import math

from scheduler.core.domain import Instant, Prebooking, Seconds
from scheduler.core.settling import class_over_day
from scheduler.core.status import TRANSITIONS, Event, IllegalTransition, Status, next_status

__all__ = [
    "CLAIMABLE",
    "CLAIMED",
    "RECLAIMABLE",
    "RECONCILABLE",
    "RESULT_EVENTS",
    "RESULT_FROM",
    "is_claimable",
    "is_reconcilable",
    "lease_cutoff",
    "status_after_claim_of",
    "status_after_result",
]

# A claim takes a pending row, as the seed's does (mock_aimharder/API.md, "Claiming and listing
# its rows") ...
CLAIMABLE = Status.PENDING
# ... or, once its lease is over, an executing one (its claimer was killed or cut) or an
# unknown one (to settle it)
RECLAIMABLE = frozenset({Status.EXECUTING, Status.UNKNOWN})
# ... or a failed one whose request went unanswered, while its class is not over, to read the
# listing again (``is_reconcilable``)
RECONCILABLE = Status.FAILED
RESULT_FROM = Status.EXECUTING  # a result is recorded only on a row its claimer still holds

# The events a result may carry: those that take a held row out of RESULT_FROM (a reclaim
# keeps it there, and belongs to a claim). Read off the transition table rather than restated.
RESULT_EVENTS = frozenset(
    event
    for (source, event), target in TRANSITIONS.items()
    if source is RESULT_FROM and target is not RESULT_FROM
)


def status_after_result(prebooking_id: str, event: Event) -> Status:
    """Where ``event`` takes a held row, or ``IllegalTransition`` (nothing written)."""
    if event not in RESULT_EVENTS:
        raise IllegalTransition(prebooking_id, RESULT_FROM, event, allowed=RESULT_EVENTS)
    return next_status(prebooking_id, RESULT_FROM, event)


def status_after_claim_of(prebooking_id: str, current: Status) -> Status:
    """The status a claim writes over ``current`` (a claim, or a reclaim of a lapsed lease)."""
    event = Event.RECLAIM if current in RECLAIMABLE or current is RECONCILABLE else Event.CLAIM
    return next_status(prebooking_id, current, event)


# Claim and reclaim lead to the same status, so one SQL statement may take any kind of row;
# read off the table, and checked when the module loads rather than assumed.
CLAIMED = status_after_claim_of("-", CLAIMABLE)
_TAKEN_UP = (*RECLAIMABLE, RECONCILABLE)
if any(status_after_claim_of("-", s) is not CLAIMED for s in _TAKEN_UP):  # pragma: no cover
    raise RuntimeError("claim and reclaim must lead to the same status (scheduler.core.status)")


def lease_cutoff(now: Instant, lease: Seconds | None) -> Instant | None:
    """Rows claimed at or before this instant have lost their lease; None: leases never end.

    Both stores compare ``claimed_at`` with this one float, computed here, so SQL and Python
    agree to the last bit on which rows are ready again.
    """
    if lease is None:
        return None
    cutoff = now - lease
    return cutoff if math.isfinite(cutoff) else None


def is_claimable(status: Status, claimed_at: Instant | None, cutoff: Instant | None) -> bool:
    """Whether a claim may take a row now: pending, or executing or unknown past its lease."""
    if status is CLAIMABLE:
        return True
    return (
        status in RECLAIMABLE
        and cutoff is not None
        and claimed_at is not None
        and claimed_at <= cutoff
    )


def is_reconcilable(row: Prebooking, cutoff: Instant | None, *, now: Instant) -> bool:
    """Whether a claim may take a failed row to read AimHarder's listing again: one of its
    requests went unanswered, its class is not over at ``now``, and its lease is over (so the
    listing is read once a lease, and two invocations do not read it together)."""
    return (
        row.status is RECONCILABLE
        and row.unanswered_at is not None
        and row.day > class_over_day(now)
        and cutoff is not None
        and row.claimed_at is not None
        and row.claimed_at <= cutoff
    )
