"""``run_invocation``, one cron call, driven by the scripted driver: times and results only.

Store calls take no time here unless a test says so, so a prebooking's ``Claim`` and its ``Book``
happen at the instant the policy started it. Latencies are exact binary fractions where a test
compares times exactly.
"""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.core.domain import BookingResult, InstanceId, PrebookingId
from scheduler.core.errors import HttpStatusError, StoreError
from scheduler.core.flows import run_invocation
from scheduler.core.outcome import Disposition, InvocationReport
from scheduler.core.strategies import PolicyConfig, strategy
from tests.scheduler.answers import results
from tests.scheduler.core.script import Answer, Run, Script, prebooking, run


def invoke(config: PolicyConfig, count: int, *, book: float = 0.25, **script: Any) -> Run:
    ready = script.pop("ready", tuple(prebooking(i) for i in range(count)))
    latency = {"Book": book} | script.pop("latency", {})
    flow = run_invocation(instance_id=InstanceId("i1"), config=config, now=0.0)
    return run(flow, Script(ready=ready, latency=latency, **script))


def report(result: Run) -> InvocationReport:
    assert isinstance(result.value, InvocationReport)
    return result.value


def books(result: Run) -> list[tuple[float, str]]:
    return [(at, pid) for at, _, pid in result.steps("Book")]


def test_an_invocation_finds_spawns_waits_and_reports() -> None:
    result = invoke(strategy("sequential"), 2)
    assert result.steps() == [
        (0.0, "FindReady", "50"),
        (0.0, "Spawn", "p00"),
        (0.0, "WaitAny", "-"),  # sequential: nothing more can start until p00 finishes
        (0.0, "Claim", "p00"),
        (0.0, "GetSession", "user0@example.com"),
        (0.0, "Book", "p00"),
        (0.25, "MarkResult", "p00"),
        (0.25, "Spawn", "p01"),
        (0.25, "WaitAny", "-"),
        (0.25, "Claim", "p01"),
        (0.25, "GetSession", "user1@example.com"),
        (0.25, "Book", "p01"),
        (0.5, "MarkResult", "p01"),
    ]
    assert report(result).answer() == {
        "success": True,
        "message": "Processed 2 of 2 prebookings",
        "results": {
            "total": 2,
            "completed": 2,
            "failed": 0,
            "unknown": 0,
            "requeued": 0,
            "settled": 0,
            "skipped": 0,
            "lostRace": 0,
            "storeErrors": 0,
            "unrecorded": 0,
        },
        "instanceId": "i1",
        "executionTimeMs": 500,
    }


def test_sequential_sends_strictly_one_after_another_in_created_at_order() -> None:
    result = invoke(strategy("sequential"), 4, latency={"Claim": 0.0625, "MarkResult": 0.0625})
    # each prebooking: claim 1/16, book 1/4, mark 1/16 = 3/8 s, then the next one is claimed
    assert books(result) == [(0.0625, "p00"), (0.4375, "p01"), (0.8125, "p02"), (1.1875, "p03")]


def test_the_order_is_created_at_then_id_whatever_order_the_driver_returns() -> None:
    shuffled = (
        prebooking(3, created_at=5.0),
        prebooking(2, created_at=1.0),
        prebooking(1, created_at=5.0),
        prebooking(0, created_at=9.0),
    )
    result = invoke(strategy("sequential"), 0, ready=shuffled)
    assert [pid for _, pid in books(result)] == ["p02", "p01", "p03", "p00"]
    assert [o.prebooking_id for o in report(result).outcomes] == ["p02", "p01", "p03", "p00"]


def test_staggered_sends_are_one_gap_apart_while_earlier_ones_are_in_flight() -> None:
    result = invoke(strategy("staggered", gap=0.125), 4)
    assert books(result) == [(0.0, "p00"), (0.125, "p01"), (0.25, "p02"), (0.375, "p03")]
    assert result.steps("WaitAny")[:2] == [(0.0, "WaitAny", "0.125"), (0.125, "WaitAny", "0.25")]


def test_the_staggered_preset_sends_50_ms_apart() -> None:
    times = [at for at, _ in books(invoke(strategy("staggered"), 3))]
    assert times == pytest.approx([0.0, 0.05, 0.1])


def test_batched_waits_for_the_whole_batch_then_pauses() -> None:
    answers = {"p01": [(0.5, BookingResult(book_state=1))]}  # the batch's slowest answer
    result = invoke(strategy("batched", pause=0.125), 7, answers=answers)
    # batch 1 at 0, its last answer at 0.5, pause 1/8: batch 2 at 0.625, its end 0.875: 1.0
    assert books(result) == [
        (0.0, "p00"),
        (0.0, "p01"),
        (0.0, "p02"),
        (0.625, "p03"),
        (0.625, "p04"),
        (0.625, "p05"),
        (1.0, "p06"),
    ]


def test_parallel_sends_everything_at_once() -> None:
    result = invoke(strategy("parallel"), 5)
    assert books(result) == [(0.0, f"p{i:02d}") for i in range(5)]
    assert report(result).finished_at == 0.25


def test_the_guard_skips_what_it_cannot_start_and_finishes_within_the_budget() -> None:
    result = invoke(strategy("sequential"), 20, book=1.5)
    # budget 10, buffer 2: deadline 8; margin 1: cut-off 7. Starts at 0, 1.5, 3, 4.5, 6; 7.5 > 7
    assert books(result) == [(t, f"p{i:02d}") for i, t in enumerate([0.0, 1.5, 3.0, 4.5, 6.0])]
    done = report(result)
    assert done.skipped == tuple(PrebookingId(f"p{i:02d}") for i in range(5, 20))
    assert (done.completed, done.failed, done.finished_at) == (5, 0, 7.5)
    assert done.answer()["results"] == results(total=20, completed=5, skipped=15)
    assert result.steps("Claim")[-1] == (6.0, "Claim", "p04")  # the skipped are never claimed


def test_the_guard_closes_as_soon_as_the_next_start_would_fall_after_the_cut_off() -> None:
    result = invoke(strategy("staggered", gap=3.0), 5)
    assert [at for at, _ in books(result)] == [0.0, 3.0, 6.0]  # 9.0 would be past the 7.0 cut-off
    assert report(result).finished_at == 6.25  # no idle wait for the cut-off: p02's answer ends it
    assert len(report(result).skipped) == 2


def test_parallel_under_the_guard_starts_everything_and_still_ends_by_the_deadline() -> None:
    result = invoke(strategy("parallel"), 3, book=20.0)
    assert {at for at, _ in books(result)} == {0.0}
    assert report(result).finished_at == 8.0  # every booking cut by its timeout, at the deadline
    # Sent and never answered: unknown (settled later from the listing), never failed.
    assert (report(result).failed, report(result).count(Disposition.UNKNOWN)) == (0, 3)


def test_a_retry_keeps_its_place_in_flight() -> None:
    flaky = [(0.25, HttpStatusError(503, now=0)), (0.25, BookingResult(book_state=1))]
    result = invoke(strategy("sequential"), 2, answers={"p00": flaky})
    assert books(result) == [(0.0, "p00"), (0.45, "p00"), (0.7, "p01")]


def test_lost_races_are_counted_and_not_sent() -> None:
    result = invoke(strategy("parallel"), 3, lost={"p01"})
    assert [pid for _, pid in books(result)] == ["p00", "p02"]
    assert report(result).answer()["results"]["lostRace"] == 1


def test_no_prebookings_ready_is_a_success_with_nothing_done() -> None:
    result = invoke(strategy("parallel"), 0)
    assert result.steps() == [(0.0, "FindReady", "50")]
    assert report(result).answer()["message"] == "No prebookings ready"


def test_an_unreadable_store_fails_the_invocation_and_says_why() -> None:
    result = invoke(
        strategy("parallel"), 3, errors={("FindReady", ""): StoreError("no such table")}
    )
    body = report(result).answer()
    assert (body["success"], body["message"]) == (False, "invocation failed: no such table")


def test_find_ready_asks_for_the_configured_limit() -> None:
    result = invoke(strategy("parallel", limit=2), 5)
    assert result.steps("FindReady") == [(0.0, "FindReady", "2")]
    assert report(result).found == 2


def test_every_outcome_is_reported_in_start_order() -> None:
    slow_first: dict[str, list[Answer]] = {"p00": [(1.0, BookingResult(book_state=1))]}
    result = invoke(strategy("parallel"), 3, answers=slow_first)
    assert [o.prebooking_id for o in report(result).outcomes] == ["p00", "p01", "p02"]
    assert all(o.disposition is Disposition.COMPLETED for o in report(result).outcomes)
