"""Whole invocations of the real flows, in SimPy time, against a scripted world.

Latencies are exact, so each test states the full schedule it expects: a store call takes
``db``, a booking ``inbound`` to reach AimHarder and ``outbound`` to come back.
"""

from __future__ import annotations

import pytest

from scheduler.core.domain import BookingResult, Prebooking, PrebookingId
from scheduler.core.errors import DriverError, HttpStatusError, SessionExpiredError
from scheduler.core.outcome import Disposition
from scheduler.core.status import Status
from scheduler.core.strategies import strategy
from tests.scheduler.answers import results
from tests.sim.model.harness import invoke, invoke_together, ready_store


def sent(world_sends: list[tuple[float, PrebookingId]]) -> list[tuple[float, str]]:
    return [(round(t, 9), p) for t, p in world_sends]


def test_sequential_sends_one_after_another_in_created_at_order() -> None:
    store = ready_store(3)
    report, world = invoke(strategy("sequential"), store, db=0.04)
    # each prebooking: claim 0.04 + session 0.04 + book 0.2 + mark 0.04; FindReady 0.04 first
    assert sent(world.sends) == [(0.12, "p00"), (0.44, "p01"), (0.76, "p02")]
    assert report.finished_at == pytest.approx(0.04 + 3 * 0.32)
    assert [o.disposition for o in report.outcomes] == [Disposition.COMPLETED] * 3
    assert store.counts()[Status.COMPLETED] == 3


def test_staggered_starts_are_one_gap_apart_and_overlap() -> None:
    report, world = invoke(strategy("staggered"), ready_store(4))
    assert sent(world.sends) == [(0.0, "p00"), (0.05, "p01"), (0.1, "p02"), (0.15, "p03")]
    assert report.finished_at == pytest.approx(0.15 + 0.2)


def test_batched_waits_for_the_whole_batch_then_pauses() -> None:
    report, world = invoke(strategy("batched"), ready_store(7))
    # batch of 3 at 0, answers at 0.2, pause 0.1: next batch at 0.3, then 0.6
    starts = [t for t, _ in sent(world.sends)]
    assert starts == [0.0, 0.0, 0.0, 0.3, 0.3, 0.3, 0.6]
    assert [p for _, p in world.sends] == [f"p{i:02d}" for i in range(7)]
    assert report.finished_at == pytest.approx(0.8)


def test_parallel_sends_everything_at_once() -> None:
    report, world = invoke(strategy("parallel"), ready_store(5))
    assert {t for t, _ in world.sends} == {0.0}
    assert report.finished_at == pytest.approx(0.2)


def test_parallel_lets_a_faster_later_request_overtake() -> None:
    def later_is_faster(p: Prebooking, attempt: int) -> float:
        return 0.5 - 0.1 * int(p.id[1:])

    _, world = invoke(strategy("parallel"), ready_store(3), inbound=later_is_faster)
    assert [p for _, p in world.journal] == ["p02", "p01", "p00"]


def test_sequential_keeps_order_whatever_the_latencies() -> None:
    def later_is_faster(p: Prebooking, attempt: int) -> float:
        return 0.5 - 0.1 * int(p.id[1:])

    _, world = invoke(strategy("sequential"), ready_store(3), inbound=later_is_faster)
    assert [p for _, p in world.journal] == ["p00", "p01", "p02"]


def test_guard_skips_what_cannot_start_before_the_cutoff_and_leaves_it_pending() -> None:
    store = ready_store(20)
    report, world = invoke(strategy("sequential"), store, inbound=lambda p, a: 1.4, outbound=0.1)
    # cutoff = budget 10 - buffer 2 - margin 1 = 7; deadline 8: the sixth (7.5) never starts
    assert [t for t, _ in sent(world.sends)] == [0.0, 1.5, 3.0, 4.5, 6.0]
    assert report.answer()["results"] == results(total=20, completed=5, skipped=15)
    assert report.finished_at <= 8.0
    assert [p.id for p in store.list(Status.PENDING)] == list(report.skipped)


def test_next_invocation_books_what_the_guard_skipped() -> None:
    store = ready_store(12)
    first, _ = invoke(strategy("sequential"), store, inbound=lambda p, a: 1.4)
    assert len(first.skipped) > 0
    _, world = invoke(strategy("sequential"), store, instance="i2")
    assert {p for _, p in world.sends} == set(first.skipped)
    assert store.counts()[Status.PENDING] == 0


def test_a_503_is_retried_after_the_backoff() -> None:
    def flaky(p: Prebooking, attempt: int, now: float) -> BookingResult | DriverError:
        if attempt == 1:
            return HttpStatusError(503, now=now)
        return BookingResult(book_state=1, reservation_id="r1")

    report, world = invoke(strategy("sequential"), ready_store(1), answer=flaky)
    assert sent(world.sends) == [(0.0, "p00"), (0.4, "p00")]  # answer at 0.2 + retry_delay 0.2
    (outcome,) = report.outcomes
    assert (outcome.disposition, outcome.attempts) == (Disposition.COMPLETED, 2)


def test_a_429_waits_for_its_retry_after() -> None:
    def limited(p: Prebooking, attempt: int, now: float) -> BookingResult | DriverError:
        if attempt == 1:
            return HttpStatusError(429, now=now, retry_after=1.0)
        return BookingResult(book_state=1, reservation_id="r1")

    _, world = invoke(strategy("sequential"), ready_store(1), answer=limited)
    assert sent(world.sends) == [(0.0, "p00"), (1.2, "p00")]


def test_no_retry_when_it_could_not_finish_before_the_deadline() -> None:
    def down(p: Prebooking, attempt: int, now: float) -> BookingResult | DriverError:
        return HttpStatusError(503, now=now)

    config = strategy("sequential", budget=1.0, buffer=0.2, margin=0.3)  # deadline 0.8
    report, world = invoke(config, ready_store(1), inbound=lambda p, a: 0.4, answer=down)
    assert len(world.sends) == 1  # the retry would start at 0.6 and need until 0.9
    (outcome,) = report.outcomes
    assert outcome.disposition is Disposition.FAILED
    assert "503" in (outcome.error or "")


def test_retries_stop_at_max_attempts() -> None:
    def down(p: Prebooking, attempt: int, now: float) -> BookingResult | DriverError:
        return HttpStatusError(500, now=now)

    report, world = invoke(strategy("sequential", max_attempts=3), ready_store(1), answer=down)
    assert len(world.sends) == 3
    assert report.outcomes[0].attempts == 3


def test_too_early_is_tried_again_and_then_books() -> None:
    def opens_late(p: Prebooking, attempt: int, now: float) -> BookingResult:
        if now < 0.3:
            return BookingResult(book_state=-12, message_lang="ERROR_ANTELACION_CLIENTE")
        return BookingResult(book_state=1, reservation_id="r1")

    report, _ = invoke(strategy("sequential"), ready_store(1), answer=opens_late)
    assert report.outcomes[0].disposition is Disposition.COMPLETED
    assert report.outcomes[0].attempts == 2


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [
        (BookingResult(book_state=1, reservation_id="9"), Status.COMPLETED, None),
        (BookingResult(book_state=0, reservation_id="9"), Status.COMPLETED, None),
        (
            BookingResult(book_state=-12, message_lang="NOPUEDESRESERVAMISMAHORA"),
            Status.COMPLETED,
            None,
        ),
        (BookingResult(book_state=-1, message="Clase llena"), Status.FAILED, "Clase llena"),
        (BookingResult(book_state=-2), Status.FAILED, "booking refused with bookState -2"),
        (SessionExpiredError("dead", now=0.0), Status.FAILED, "session expired"),
    ],
)
def test_each_answer_ends_in_its_status(
    answer: BookingResult | DriverError, status: Status, error: str | None
) -> None:
    store = ready_store(1)
    invoke(strategy("sequential"), store, answer=lambda p, a, now: answer)
    (row,) = store.list()
    assert (row.status, row.error, row.attempts) == (status, error, 1)


def test_no_session_fails_without_sending() -> None:
    store = ready_store(1, with_sessions=False)
    _, world = invoke(strategy("sequential"), store)
    assert world.sends == []
    (row,) = store.list()
    assert (row.status, row.error) == (Status.FAILED, "no session for user 'user0@example.com'")


def test_concurrent_invocations_send_each_prebooking_once() -> None:
    store = ready_store(10)
    reports, world = invoke_together(
        strategy("parallel"), store, instances=["a", "b", "c"], db=0.01
    )
    assert sorted(p for _, p in world.sends) == [f"p{i:02d}" for i in range(10)]
    counts = [r.answer()["results"] for r in reports]
    assert sum(r["completed"] for r in counts) == 10
    assert sum(r["lostRace"] for r in counts) == 20  # each found by all three, claimed by one
    assert store.counts()[Status.COMPLETED] == 10


def test_prebookings_not_yet_ready_are_not_touched() -> None:
    store = ready_store(3, available_at=60.0)
    report, world = invoke(strategy("parallel"), store)
    assert (report.found, world.sends, store.counts()[Status.PENDING]) == (0, [], 3)
    assert report.answer()["message"] == "No prebookings ready"
