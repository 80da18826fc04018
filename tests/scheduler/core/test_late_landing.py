"""A request that lands late (issue 22, item 1): a row whose earlier request's fate is unknown
is not made failed by a later answer while that request may still land, and a failed row with
a request never answered is read again from the listing until its class is over.

Driven by the scripted driver; times are powers of two so the traces are exact.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scheduler.core.domain import BookingResult, InstanceId, Prebooking
from scheduler.core.effects import MarkResult
from scheduler.core.errors import TransportError
from scheduler.core.flows import execute_one
from scheduler.core.settling import civil_day, class_over_day, may_still_land
from scheduler.core.status import Event, Status
from scheduler.core.strategies import PolicyConfig
from tests.scheduler.core.script import ANA, Answer, Run, Script, run

P1 = ANA
STORE = {"Claim": 0.0625, "GetSession": 0.0625, "MarkResult": 0.0625, "ReadPlace": 0.25}
FULL = BookingResult(book_state=-2, message="clase completa")  # refused: the class is full
HORIZON = PolicyConfig().settle_horizon


def one(prebooking: Prebooking, answers: list[Answer], **script: Any) -> Run:
    flow = execute_one(
        prebooking, instance_id=InstanceId("i1"), config=PolicyConfig(), deadline=8.0, now=0.0
    )
    return run(
        flow,
        Script(ready=[prebooking], latency=STORE, answers={prebooking.id: answers}, **script),
    )


def mark(result: Run) -> MarkResult:
    (marked,) = result.effects(MarkResult)
    assert isinstance(marked, MarkResult)
    return marked


def test_the_default_horizon_outlasts_the_lease_by_a_queued_request() -> None:
    """The lease covers the sender; 120 s covers a front's 60 s queue plus PHP's 30 s."""
    config = PolicyConfig()
    assert config.settle_horizon == 120.0 > config.lease


def test_a_refusal_after_an_unanswered_send_in_the_same_invocation_stays_unknown() -> None:
    # the first send times out at its 0.25 s, the listing shows nothing yet, the resend is
    # answered "class full": the first may still land, so the row is not failed
    result = one(P1, [(0.25, TransportError("timed out", now=0)), (0.25, FULL)])
    marked = mark(result)
    assert (marked.event, marked.unanswered_at, marked.attempts) == (Event.UNANSWERED, 0.125, 2)
    assert "may still land until 120.125" in (marked.error or "")


def test_an_unknown_row_refused_within_the_horizon_stays_unknown_with_its_first_instant() -> None:
    """The issue's case: invocation 2 after the lease reads no place, resends, hears "full"."""
    left_unknown = dataclasses.replace(P1, status=Status.UNKNOWN, unanswered_at=-20.0)
    result = one(left_unknown, [(0.25, FULL)])
    assert result.steps("ReadPlace", "Book") == [(0.125, "ReadPlace", "p1"), (0.375, "Book", "p1")]
    assert (mark(result).event, mark(result).unanswered_at) == (Event.UNANSWERED, -20.0)


def test_an_unknown_row_refused_past_the_horizon_is_failed_and_keeps_its_unanswered_send() -> None:
    left_unknown = dataclasses.replace(P1, status=Status.UNKNOWN, unanswered_at=-HORIZON - 1)
    result = one(left_unknown, [(0.25, FULL)])
    assert (mark(result).event, mark(result).unanswered_at) == (Event.FAIL, -HORIZON - 1)


def test_a_failed_row_with_an_unanswered_send_is_completed_when_the_listing_shows_it() -> None:
    failed = dataclasses.replace(P1, status=Status.FAILED, unanswered_at=-300.0, error="full")
    result = one(failed, [], places={"p1": 1})
    assert result.steps("ReadPlace", "Book") == [(0.125, "ReadPlace", "p1")]  # nothing sent
    assert (mark(result).event, result.value.settled) == (Event.COMPLETE, True)


def test_a_failed_row_with_no_place_listed_stays_failed_as_it_was_recorded() -> None:
    failed = dataclasses.replace(
        P1, status=Status.FAILED, unanswered_at=-300.0, result=FULL, error="full"
    )
    result = one(failed, [])
    assert result.steps("Book") == []
    marked = mark(result)
    assert (marked.event, marked.result, marked.error, marked.unanswered_at) == (
        Event.FAIL,
        FULL,
        "full",
        -300.0,
    )


def test_a_request_may_land_until_the_horizon_and_not_after() -> None:
    assert may_still_land(10.0, now=10.0 + HORIZON - 0.001, horizon=HORIZON)
    assert not may_still_land(10.0, now=10.0 + HORIZON, horizon=HORIZON)
    assert not may_still_land(None, now=0.0, horizon=HORIZON)


def test_a_class_day_is_over_36_hours_after_its_midnight_in_utc() -> None:
    midnight = 1_764_460_800.0  # 2025-11-30T00:00:00Z
    assert civil_day(midnight) == "20251130"
    assert civil_day(midnight - 1) == "20251129"
    assert class_over_day(midnight + 36 * 3600 - 1) == "20251129"  # 30 Nov: still on at UTC-12
    assert class_over_day(midnight + 36 * 3600) == "20251130"
