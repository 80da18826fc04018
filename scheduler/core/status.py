"""The life of a prebooking: its statuses and the only legal moves between them.

Every change of status anywhere in the project (the SQL store, the simulation's in-memory store,
the flows) is checked against ``TRANSITIONS``; nothing else decides what may follow what.

    pending --claim--> executing --complete--> completed
       ^                 |  |  |
       +----release------+  |  +--fail--> failed
                            +--unanswered--> unknown
    executing, unknown --reclaim--> executing   (a later invocation, once the lease is over)
    failed --reclaim--> executing   (one whose request went unanswered, until its class is over:
                                     the listing is read again, ``core.settling``)

``unknown`` is a booking sent whose answer never came: AimHarder may or may not hold the place,
so it is neither completed nor failed until AimHarder's own listing says which. A later
invocation takes it up once its lease is over and settles it before sending anything; a later
answer does not make it ``failed`` while its unanswered request may still land
(``core.settling``). ``release`` gives a claimed prebooking back untried or "too early", with
its attempts kept, for the next invocation.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from scheduler.core.errors import SchedulerError

__all__ = ["TRANSITIONS", "Event", "IllegalTransition", "Status", "next_status"]


class Status(StrEnum):
    PENDING = "pending"
    EXECUTING = "executing"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # sent, no answer: settled from AimHarder's listing, never a failure

    @property
    def is_final(self) -> bool:
        return self in (Status.COMPLETED, Status.FAILED)


class Event(StrEnum):
    CLAIM = "claim"
    RECLAIM = "reclaim"
    COMPLETE = "complete"
    FAIL = "fail"
    UNANSWERED = "unanswered"  # sent, and no answer came: AimHarder's word is still to be read
    RELEASE = "release"  # not sent, or "too early": back to the queue, attempts kept


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.PENDING, Event.CLAIM): Status.EXECUTING,
    (Status.EXECUTING, Event.RECLAIM): Status.EXECUTING,
    (Status.EXECUTING, Event.COMPLETE): Status.COMPLETED,
    (Status.EXECUTING, Event.FAIL): Status.FAILED,
    (Status.EXECUTING, Event.UNANSWERED): Status.UNKNOWN,
    (Status.EXECUTING, Event.RELEASE): Status.PENDING,
    (Status.UNKNOWN, Event.RECLAIM): Status.EXECUTING,
    (Status.FAILED, Event.RECLAIM): Status.EXECUTING,
}


class IllegalTransition(SchedulerError):
    """An event that the prebooking's current status does not allow; nothing was changed.

    ``allowed`` narrows the events named as expected, where the caller allows fewer than the
    table does (a result may not be a reclaim).
    """

    def __init__(
        self,
        prebooking_id: str,
        status: Status,
        event: Event,
        *,
        allowed: Iterable[Event] | None = None,
    ) -> None:
        if allowed is None:
            allowed = (e for (s, e) in TRANSITIONS if s is status)
        super().__init__(
            f"prebooking {prebooking_id!r} is {status.value!r}: event {event.value!r} is not "
            f"allowed; expected one of {sorted(e.value for e in allowed)}"
        )
        self.prebooking_id = prebooking_id
        self.status = status
        self.event = event


def next_status(prebooking_id: str, status: Status, event: Event) -> Status:
    """The status after ``event``, or ``IllegalTransition`` naming the prebooking."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(prebooking_id, status, event) from None
