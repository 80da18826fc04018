"""What became of each prebooking in an invocation, and the invocation's answer to the cron."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scheduler.domain import BookingResult, InstanceId, Instant, PrebookingId

__all__ = ["Disposition", "InvocationReport", "Outcome", "killed_answer"]


class Disposition(StrEnum):
    COMPLETED = "completed"  # recorded as completed
    FAILED = "failed"  # recorded as failed
    LOST_RACE = "lost race"  # another invocation claimed it first: not ours to send
    STORE_ERROR = "store error"  # the store failed mid-way; the row is left to the lease rule


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    prebooking_id: PrebookingId
    disposition: Disposition
    attempts: int = 0
    sent_at: tuple[Instant, ...] = ()  # when each Book was handed to the driver
    result: BookingResult | None = None
    error: str | None = None
    recorded: bool = False  # the store accepted the final status


@dataclass(frozen=True, slots=True, kw_only=True)
class InvocationReport:
    instance_id: InstanceId
    started_at: Instant
    finished_at: Instant
    found: int  # ready prebookings FindReady returned
    outcomes: tuple[Outcome, ...]  # in start order
    skipped: tuple[PrebookingId, ...]  # never started: the guard closed; they stay pending
    error: str | None = None  # the invocation itself failed (e.g. the store was unreachable)

    def count(self, disposition: Disposition) -> int:
        return sum(1 for outcome in self.outcomes if outcome.disposition is disposition)

    def answer(self) -> dict[str, Any]:
        """The cron endpoint's JSON body (the seed's route handler shape)."""
        completed = self.count(Disposition.COMPLETED)
        failed = self.count(Disposition.FAILED)
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
                "completed": completed,
                "failed": failed,
                "skipped": len(self.skipped),
                "lostRace": self.count(Disposition.LOST_RACE),
                "storeErrors": self.count(Disposition.STORE_ERROR),
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
