"""What became of each prebooking in an invocation, and the invocation's answer to the cron.

Every prebooking ``FindReady`` returned ends in exactly one place of the report: an ``Outcome``
(it was started: claimed or tried to be) or ``skipped`` (the guard closed before it started; it
was never claimed, so it stays ``pending`` for the next invocation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scheduler.core.domain import BookingResult, InstanceId, Instant, PrebookingId
from scheduler.core.verdict import VerdictKind

__all__ = ["Disposition", "InvocationReport", "Outcome", "killed_answer"]


class Disposition(StrEnum):
    COMPLETED = "completed"  # the user holds a place (booked, waitlisted or already booked)
    FAILED = "failed"  # no session, refused, session expired, 5xx/429 after the retries
    UNKNOWN = "unknown"  # sent, no answer, and AimHarder's listing not read: settled later
    REQUEUED = "requeued"  # not sent in time, or "too early": pending again, attempts kept
    LOST_RACE = "lost race"  # another invocation claimed it first: not ours to send
    STORE_ERROR = "store error"  # the store failed before anything was sent; left to the lease


# What a prebooking's flow decided and asked the store to write (the others wrote nothing).
_DECIDED = frozenset(
    {Disposition.COMPLETED, Disposition.FAILED, Disposition.UNKNOWN, Disposition.REQUEUED}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One started prebooking: what was decided, what was sent when, what the store accepted."""

    prebooking_id: PrebookingId
    disposition: Disposition
    attempts: int = 0  # Book effects issued by this invocation
    sent_at: tuple[Instant, ...] = ()  # when each Book was handed to the driver
    result: BookingResult | None = None  # AimHarder's last answer, if any came
    verdict: VerdictKind | None = None  # what that answer meant (booked, waitlisted, ...)
    error: str | None = None  # why it failed (or why the store could not be used)
    recorded: bool = False  # the store accepted the result (MarkResult answered True)
    settled: bool = False  # AimHarder's listing was read (an unknown booking settled)


@dataclass(frozen=True, slots=True, kw_only=True)
class InvocationReport:
    """One cron invocation, start to end; ``answer()`` is what the endpoint replies."""

    instance_id: InstanceId
    started_at: Instant
    finished_at: Instant
    found: int  # ready prebookings FindReady returned
    outcomes: tuple[Outcome, ...]  # in start order
    skipped: tuple[PrebookingId, ...]  # never started: the guard closed; they stay pending
    error: str | None = None  # the invocation itself failed (e.g. the store was unreachable)

    def count(self, disposition: Disposition) -> int:
        return sum(1 for outcome in self.outcomes if outcome.disposition is disposition)

    @property
    def completed(self) -> int:
        return self.count(Disposition.COMPLETED)

    @property
    def failed(self) -> int:
        return self.count(Disposition.FAILED)

    @property
    def lost_races(self) -> int:
        return self.count(Disposition.LOST_RACE)

    @property
    def unrecorded(self) -> int:
        """Decided but not written: the store failed, or the row was no longer ours."""
        return sum(1 for o in self.outcomes if o.disposition in _DECIDED and not o.recorded)

    def answer(self) -> dict[str, Any]:
        """The cron endpoint's JSON body (the seed's route handler shape, plus three counts).

        ``total`` is what was found; ``completed + failed + unknown + requeued + skipped +
        lostRace + storeErrors`` adds up to it. ``unknown`` were sent and never answered (they
        are settled from AimHarder's listing later, never counted failed); ``requeued`` went
        back to pending untried or "too early"; ``settled`` counts those whose outcome the
        listing decided. ``unrecorded`` counts decided ones the store did not take.
        """
        if self.error is not None:
            message = f"invocation failed: {self.error}"
        elif self.found == 0:
            message = "No prebookings ready"
        else:
            message = f"Processed {len(self.outcomes)} of {self.found} prebookings"
        return {
            "success": self.error is None,
            "message": message,
            "results": {
                "total": self.found,
                "completed": self.completed,
                "failed": self.failed,
                "unknown": self.count(Disposition.UNKNOWN),
                "requeued": self.count(Disposition.REQUEUED),
                "settled": sum(1 for o in self.outcomes if o.settled),
                "skipped": len(self.skipped),
                "lostRace": self.lost_races,
                "storeErrors": self.count(Disposition.STORE_ERROR),
                "unrecorded": self.unrecorded,
            },
            "instanceId": self.instance_id,
            "executionTimeMs": round((self.finished_at - self.started_at) * 1000),
        }


def killed_answer(instance_id: InstanceId, *, started_at: Instant, now: Instant) -> dict[str, Any]:
    """The answer when the limit cut the invocation: nothing is known of its prebookings."""
    return {
        "success": False,
        "message": "invocation cut at maxDuration; in-flight prebookings stay executing",
        "results": None,
        "instanceId": instance_id,
        "executionTimeMs": round((now - started_at) * 1000),
    }
