"""The store's rules for a claim and a result, shared by the SQL and the in-memory store.

Both stores ask these functions for the status to write, so every change of status goes through
``scheduler.status.next_status`` (DESIGN.md: one table of legal moves) and the two stores cannot
drift apart. The guards that go with each rule (``CLAIMABLE``, ``RESULT_FROM``) are the ``WHERE``
of the SQL store's single statement and the ``if`` of the memory store.
"""

from __future__ import annotations

from scheduler.status import TRANSITIONS, Event, IllegalTransition, Status, next_status

__all__ = [
    "CLAIMABLE",
    "RESULT_FROM",
    "IllegalResultStatus",
    "status_after_claim",
    "status_after_result",
]

CLAIMABLE = Status.PENDING  # a claim takes only a pending row (AIMHARDER-API.md §7.2)
RESULT_FROM = Status.EXECUTING  # a result is recorded only on a row its claimer still holds

# The final statuses a result may name, each with the event that reaches it from RESULT_FROM;
# read off the transition table rather than restated.
_RESULT_EVENTS: dict[Status, Event] = {
    target: event
    for (source, event), target in TRANSITIONS.items()
    if source is RESULT_FROM and target.is_final
}


class IllegalResultStatus(IllegalTransition):
    """``record_result`` asked for a status that no event takes an executing row to as final.

    No ``(status, event)`` pair names this mistake (no event leads to ``pending`` at all), so
    the message names the asked status and the ones allowed; ``event`` is None.
    """

    def __init__(self, prebooking_id: str, target: Status) -> None:
        allowed = sorted(s.value for s in _RESULT_EVENTS)
        Exception.__init__(
            self,
            f"prebooking {prebooking_id!r}: a result cannot set status {target.value!r}; "
            f"expected one of {allowed}",
        )
        self.prebooking_id = prebooking_id
        self.status = RESULT_FROM
        self.target = target
        self.event: Event | None = None  # type: ignore[assignment]


def status_after_claim(prebooking_id: str) -> Status:
    return next_status(prebooking_id, CLAIMABLE, Event.CLAIM)


def status_after_result(prebooking_id: str, target: Status) -> Status:
    """``target`` if a result may set it, else ``IllegalResultStatus`` (nothing written)."""
    event = _RESULT_EVENTS.get(target)
    if event is None:
        raise IllegalResultStatus(prebooking_id, target)
    return next_status(prebooking_id, RESULT_FROM, event)
