"""``execute_one``, one prebooking, driven by the scripted driver: times and results only.

Latencies are powers of two so the traces' times are exact: a store call takes 1/16 s and a
booking 1/4 s unless a test says otherwise. The deadline is 8 s after the start.
"""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    PrebookingId,
    Session,
)
from scheduler.core.effects import Book, MarkResult
from scheduler.core.errors import (
    DriverError,
    HttpStatusError,
    SessionExpiredError,
    StoreError,
    TransportError,
)
from scheduler.core.flows import execute_one
from scheduler.core.outcome import Disposition, Outcome
from scheduler.core.status import Event
from scheduler.core.strategies import PolicyConfig
from scheduler.core.verdict import VerdictKind
from tests.scheduler.core.script import ANA, Answer, Run, Script, run

P1 = ANA
STORE = {"Claim": 0.0625, "GetSession": 0.0625, "MarkResult": 0.0625, "Book": 0.25}
BOOKED = BookingResult(book_state=1, reservation_id="r-p1")


def one(
    *,
    answers: list[Answer] | None = None,
    deadline: float = 8.0,
    config: PolicyConfig | None = None,
    **script: Any,
) -> Run:
    flow = execute_one(
        P1,
        instance_id=InstanceId("i1"),
        config=config or PolicyConfig(),
        deadline=deadline,
        now=0.0,
    )
    table = {"p1": answers} if answers is not None else {}
    return run(flow, Script(ready=(P1,), latency=STORE, answers=table, **script))


def mark(result: Run) -> MarkResult:
    (effect,) = result.effects(MarkResult)
    assert isinstance(effect, MarkResult)
    return effect


def test_a_prebooking_is_claimed_then_its_session_read_then_booked_then_recorded() -> None:
    result = one()
    assert result.steps() == [
        (0.0, "Claim", "p1"),
        (0.0625, "GetSession", "ana@example.com"),
        (0.125, "Book", "p1"),
        (0.375, "MarkResult", "p1"),
    ]
    assert mark(result) == MarkResult(
        prebooking_id=PrebookingId("p1"),
        instance_id=InstanceId("i1"),
        event=Event.COMPLETE,
        executed_at=0.375,
        result=BOOKED,
        error=None,
        attempts=1,
    )
    assert result.value == Outcome(
        prebooking_id=PrebookingId("p1"),
        disposition=Disposition.COMPLETED,
        attempts=1,
        sent_at=(0.125,),
        result=BOOKED,
        verdict=VerdictKind.BOOKED,
        recorded=True,
    )


def test_the_booking_may_take_exactly_what_is_left_before_the_deadline() -> None:
    (book,) = one().effects(Book)
    assert book == Book(prebooking=P1, session=Session(user=P1.user), timeout=8.0 - 0.125)


def test_a_lost_claim_does_nothing_else() -> None:
    result = one(lost={"p1"})
    assert result.steps() == [(0.0, "Claim", "p1")]
    assert result.value == Outcome(
        prebooking_id=PrebookingId("p1"), disposition=Disposition.LOST_RACE
    )


def test_no_session_fails_without_sending() -> None:
    result = one(no_session={"ana@example.com"})
    assert [kind for _, kind, _ in result.steps()] == ["Claim", "GetSession", "MarkResult"]
    marked = mark(result)
    assert (marked.event, marked.error, marked.attempts, marked.executed_at) == (
        Event.FAIL,
        "no session for user 'ana@example.com'",
        0,
        0.125,
    )
    assert result.value.disposition is Disposition.FAILED


@pytest.mark.parametrize(
    ("answer", "event", "verdict", "error"),
    [
        (BookingResult(book_state=1, reservation_id="9"), Event.COMPLETE, "booked", None),
        (BookingResult(book_state=0, reservation_id="9"), Event.COMPLETE, "waitlisted", None),
        (
            BookingResult(
                book_state=-12,
                message="No puedes reservar dos clases a la misma hora",
                message_lang="NOPUEDESRESERVAMISMAHORA",
            ),
            Event.COMPLETE,
            "already booked",
            None,
        ),
        (
            BookingResult(book_state=-1, message="Clase llena"),
            Event.FAIL,
            "refused",
            "Clase llena",
        ),
        (
            BookingResult(book_state=-7),
            Event.FAIL,
            "refused",
            "booking refused with bookState -7",
        ),
        (
            BookingResult(
                book_state=-12, message="Limite superado", message_lang="HASSUPERADOLIMITCONTR"
            ),
            Event.FAIL,
            "refused",
            "Limite superado",
        ),
    ],
)
def test_each_answer_is_recorded_as_its_event(
    answer: BookingResult, event: Event, verdict: str, error: str | None
) -> None:
    result = one(answers=[(0.25, answer)])
    marked = mark(result)
    assert (marked.event, marked.result, marked.error, marked.attempts) == (
        event,
        answer,
        error,
        1,
    )
    disposition = {Event.COMPLETE: "completed", Event.FAIL: "failed"}[event]
    assert (result.value.disposition.value, result.value.verdict) == (disposition, verdict)


def test_an_expired_session_fails_at_once() -> None:
    result = one(answers=[(0.25, SessionExpiredError("logout: 1", now=0))])
    assert [kind for _, kind, _ in result.steps()] == ["Claim", "GetSession", "Book", "MarkResult"]
    assert (mark(result).event, mark(result).error) == (Event.FAIL, "session expired")


def test_a_503_is_retried_after_the_back_off_and_then_books() -> None:
    result = one(answers=[(0.25, HttpStatusError(503, now=0)), (0.25, BOOKED)])
    assert result.steps("Book", "Sleep", "MarkResult") == [
        (0.125, "Book", "p1"),
        (0.375, "Sleep", "0.575"),  # the first back-off, 0.2 s
        (0.575, "Book", "p1"),
        (0.825, "MarkResult", "p1"),
    ]
    assert (result.value.disposition, result.value.attempts) == (Disposition.COMPLETED, 2)
    assert mark(result).attempts == 2


def test_a_429_waits_for_its_retry_after() -> None:
    result = one(answers=[(0.25, HttpStatusError(429, now=0, retry_after=1.0)), (0.25, BOOKED)])
    assert result.steps("Book", "Sleep") == [
        (0.125, "Book", "p1"),
        (0.375, "Sleep", "1.375"),
        (1.375, "Book", "p1"),
    ]


def test_a_retry_after_shorter_than_the_back_off_does_not_shorten_it() -> None:
    result = one(answers=[(0.25, HttpStatusError(503, now=0, retry_after=0.01)), (0.25, BOOKED)])
    assert result.steps("Sleep") == [(0.375, "Sleep", "0.575")]


def test_no_answer_is_read_from_the_listing_before_each_retry_with_a_growing_back_off() -> None:
    result = one(answers=[(0.25, TransportError("connection reset", now=0))])
    assert result.steps("Book", "Sleep", "ReadPlace") == [
        (0.125, "Book", "p1"),
        (0.375, "ReadPlace", "p1"),  # no place: it did not take effect, so send it again
        (0.375, "Sleep", "0.575"),
        (0.575, "Book", "p1"),
        (0.825, "ReadPlace", "p1"),
        (0.825, "Sleep", "1.225"),  # 0.4 s: the back-off doubles
        (1.225, "Book", "p1"),
        (1.475, "ReadPlace", "p1"),
    ]
    # The listing shows no place, but a lost request may still land: unknown, never failed.
    assert (mark(result).event, mark(result).error, mark(result).attempts) == (
        Event.UNANSWERED,
        "connection reset",
        3,
    )
    assert result.value.disposition is Disposition.UNKNOWN


def test_no_answer_then_a_place_in_the_listing_is_completed() -> None:
    result = one(answers=[(0.25, TransportError("connection reset", now=0))], places={"p1": 1})
    assert (mark(result).event, mark(result).error) == (Event.COMPLETE, None)
    assert len(result.steps("Book")) == 1  # it took effect: never sent again
    assert (result.value.disposition, result.value.verdict, result.value.settled) == (
        Disposition.COMPLETED,
        "booked",
        True,
    )


def test_no_answer_and_no_listing_is_unknown_with_both_reasons() -> None:
    result = one(
        answers=[(0.25, TransportError("connection reset", now=0))],
        errors={("ReadPlace", "p1"): HttpStatusError(503, now=0)},
    )
    assert mark(result).event is Event.UNANSWERED
    assert (mark(result).error or "").startswith("connection reset; listing: AimHarder answered")


def test_no_retry_whose_wait_and_margin_would_cross_the_deadline() -> None:
    # the answer comes at 0.375; a retry at 0.575 would need until 1.575 (margin 1 s) > 1.5
    result = one(answers=[(0.25, HttpStatusError(503, now=0))], deadline=1.5)
    assert [kind for _, kind, _ in result.steps()] == ["Claim", "GetSession", "Book", "MarkResult"]
    assert mark(result).event is Event.FAIL
    assert "HTTP 503" in (mark(result).error or "")


def test_a_retry_that_just_fits_is_made() -> None:
    result = one(answers=[(0.25, HttpStatusError(503, now=0)), (0.25, BOOKED)], deadline=1.575)
    assert result.value.attempts == 2


def test_a_refusal_that_is_not_transient_is_not_retried() -> None:
    result = one(answers=[(0.25, HttpStatusError(403, now=0, body="geo-blocked"))])
    assert result.value.attempts == 1
    assert "HTTP 403" in (mark(result).error or "")


def test_a_booking_slower_than_the_deadline_is_cut_at_the_deadline_and_left_unknown() -> None:
    result = one(answers=[(5.0, BOOKED)], deadline=2.0)
    assert result.steps() == [
        (0.0, "Claim", "p1"),
        (0.0625, "GetSession", "ana@example.com"),
        (0.125, "Book", "p1"),
        (2.0, "MarkResult", "p1"),
    ]
    assert (mark(result).event, mark(result).error) == (
        Event.UNANSWERED,
        "POST /api/book timed out after 1.875 s; listing: no time left to read the listing",
    )


def test_too_early_is_tried_again_and_books() -> None:
    too_early = BookingResult(book_state=-12, message_lang="ERROR_ANTELACION_CLIENTE")
    result = one(answers=[(0.25, too_early), (0.25, BOOKED)])
    assert (result.value.disposition, result.value.attempts) == (Disposition.COMPLETED, 2)


def test_nothing_is_sent_when_claim_and_session_used_up_the_deadline_and_it_is_requeued() -> None:
    result = one(deadline=0.1)
    assert [kind for _, kind, _ in result.steps()] == ["Claim", "GetSession", "MarkResult"]
    assert (mark(result).event, mark(result).error, mark(result).attempts) == (
        Event.RELEASE,
        "not sent: 0.025 s past the deadline",
        0,
    )
    assert result.value.disposition is Disposition.REQUEUED


def test_too_early_until_the_deadline_is_requeued_with_its_attempts() -> None:
    too_early = BookingResult(book_state=-12, message_lang="ERROR_ANTELACION_CLIENTE")
    result = one(answers=[(0.25, too_early)], deadline=4.0)
    # Waits of 0.2, 0.4, 0.8 s and then at most WINDOW_POLL (1 s), while a retry leaves margin.
    assert result.steps("Book") == [
        (0.125, "Book", "p1"),
        (0.575, "Book", "p1"),
        (1.225, "Book", "p1"),
        (2.275, "Book", "p1"),
    ]
    assert (mark(result).event, mark(result).attempts) == (Event.RELEASE, 4)
    assert result.value.disposition is Disposition.REQUEUED


def test_too_early_past_the_seeds_three_attempts_books_when_the_window_opens() -> None:
    too_early = BookingResult(book_state=-12, message_lang="ERROR_ANTELACION_CLIENTE")
    answers: list[Answer] = [(0.25, too_early), (0.25, too_early), (0.25, too_early)]
    answers += [(0.25, too_early), (0.25, BOOKED)]
    result = one(answers=answers)
    assert (result.value.disposition, result.value.attempts) == (Disposition.COMPLETED, 5)


@pytest.mark.parametrize("effect", ["Claim", "GetSession"])
def test_a_store_failure_before_sending_leaves_the_row_to_the_lease_rule(effect: str) -> None:
    subject = "p1" if effect == "Claim" else "ana@example.com"
    result = one(errors={(effect, subject): StoreError("database is locked")})
    assert result.steps()[-1][1] == effect  # nothing after the failure: no Book, no MarkResult
    assert result.value == Outcome(
        prebooking_id=PrebookingId("p1"),
        disposition=Disposition.STORE_ERROR,
        error="database is locked",
    )


def test_a_driver_error_from_the_store_is_handled_like_a_store_error() -> None:
    result = one(errors={("Claim", "p1"): DriverError("store unreachable", now=0)})
    assert result.value.disposition is Disposition.STORE_ERROR


def test_a_booking_the_store_failed_to_record_is_reported_unrecorded() -> None:
    result = one(errors={("MarkResult", "p1"): StoreError("disk full")})
    assert (result.value.disposition, result.value.recorded) == (Disposition.COMPLETED, False)


def test_a_row_no_longer_ours_is_reported_unrecorded() -> None:
    result = one(unrecorded={"p1"})
    assert (result.value.disposition, result.value.recorded) == (Disposition.COMPLETED, False)
