"""The life of a prebooking: its statuses and the only legal moves between them.

Every change of status anywhere in the project (the SQL store, the simulation's in-memory store,
the flows) is checked against ``TRANSITIONS``; nothing else decides what may follow what.

    pending --claim--> executing --complete--> completed
                           |  \\--fail------> failed
                           \\--reclaim--> executing   (a later invocation takes up an expired lease)
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

    @property
    def is_final(self) -> bool:
        return self in (Status.COMPLETED, Status.FAILED)


class Event(StrEnum):
    CLAIM = "claim"
    RECLAIM = "reclaim"
    COMPLETE = "complete"
    FAIL = "fail"


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.PENDING, Event.CLAIM): Status.EXECUTING,
    (Status.EXECUTING, Event.RECLAIM): Status.EXECUTING,
    (Status.EXECUTING, Event.COMPLETE): Status.COMPLETED,
    (Status.EXECUTING, Event.FAIL): Status.FAILED,
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
