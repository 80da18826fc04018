"""The shared measures: each one's meaning on small cases whose answer is known."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harness import measures
from harness.measures import Attempt, ClassMeasures
from mock_aimharder.model.journal import EntryKind, Journal, Stamp
from scheduler.core.domain import InstanceId, Prebooking, PrebookingId, UserId
from scheduler.core.status import Status

OPENING = 1_000.0


def row(user: str, status: Status, *, class_id: int = 7, created_at: float = 0.0) -> Prebooking:
    return Prebooking(
        id=PrebookingId(f"pb-{user}-{class_id}"),
        user=UserId(user),
        class_id=class_id,
        day="20261130",
        box=1,
        available_at=OPENING,
        created_at=created_at,
        status=status,
        claimed_by=None if status is Status.PENDING else InstanceId("i1"),
    )


def tried(*states: int, user: str = "ana", class_id: int = 7) -> list[Attempt]:
    return [
        Attempt(seq=i, user=user, class_id=class_id, book_state=s, processed=OPENING + i)
        for i, s in enumerate(states, start=1)
    ]


def test_booked_and_waitlisted_hold_a_place_and_nothing_else_does() -> None:
    assert [measures.holds_place(s) for s in (1, 0, -12, -1, -2, None)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_models_journal_and_its_json_give_the_same_attempts_without_cancels() -> None:
    journal = Journal()
    for user, kind, state in (("ana", EntryKind.BOOK, 1), ("bea", EntryKind.CANCEL, None)):
        stamp = Stamp(monotonic=5.0, wall=OPENING + 1.25)
        journal.record(
            kind=kind, received=stamp, processed=stamp, user=user, user_id=1, class_id=7,
            day="20261130", book_state=state,
        )  # fmt: skip
    entries = journal.since(0)
    expected = [Attempt(seq=1, user="ana", class_id=7, book_state=1, processed=OPENING + 1.25)]
    assert measures.attempts(entries) == expected
    assert measures.attempts([e.to_json() for e in reversed(entries)]) == expected


def test_a_resend_answered_already_booked_is_a_double_but_not_booked_twice() -> None:
    resent = tried(1, -12)
    assert (measures.double(resent), measures.booked_twice(resent)) == (True, False)
    retried = tried(-12, 1)  # "too early" first: a retry, not a double
    assert (measures.double(retried), measures.booked_twice(retried)) == (False, False)
    assert (measures.double(tried(1, 0)), measures.booked_twice(tried(1, 0))) == (True, True)
    assert measures.first_place(tried(-1, -12, 0)) == 2


def test_lost_stuck_and_overdue_are_three_questions() -> None:
    later = row("bea", Status.PENDING)
    cases = {
        "pending": row("ana", Status.PENDING),
        "executing": row("ana", Status.EXECUTING),
        "completed": row("ana", Status.COMPLETED),
    }
    judged = {
        name: (measures.lost(p), measures.stuck(p), measures.overdue(p, OPENING))
        for name, p in cases.items()
    }
    assert judged == {
        "pending": (True, False, True),
        "executing": (True, True, False),
        "completed": (False, False, False),
    }
    assert measures.overdue(later, OPENING - 0.1) is False  # its window has not opened


def test_phantom_and_orphan_are_the_store_disagreeing_with_the_journal() -> None:
    completed, failed = row("ana", Status.COMPLETED), row("ana", Status.FAILED)
    assert (measures.phantom(completed, tried(-1)), measures.phantom(completed, tried(1))) == (
        True,
        False,
    )
    assert (measures.orphan(failed, tried(0)), measures.orphan(failed, tried(-1))) == (True, False)


@given(st.lists(st.integers(), unique=True, max_size=12))
def test_inversions_run_from_none_in_created_order_to_every_pair_reversed(
    created: list[int],
) -> None:
    ascending = sorted(created)
    n = len(created)
    assert measures.inversions(ascending) == 0
    assert measures.inversions(ascending[::-1]) == measures.pairs(n) == n * (n - 1) // 2
    assert 0.0 <= measures.inversion_rate(created) <= 1.0


def test_one_swap_is_one_inversion_of_three_pairs() -> None:
    assert (measures.inversions([1.0, 3.0, 2.0]), measures.inversion_rate([1.0, 3.0, 2.0])) == (
        1,
        1 / 3,
    )
    assert measures.inversion_rate([5.0]) == 0.0


def test_unfair_counts_the_refused_who_asked_before_the_last_one_placed() -> None:
    created = {"ana": 1.0, "bea": 2.0, "cris": 3.0, "dani": 4.0}
    assert measures.unfair_outcomes(created, holders={"cris"}) == 2  # ana, bea; not dani
    assert measures.unfair_outcomes(created, holders=set()) == 0


def test_class_measures_judge_first_sends_and_first_places_per_prebooked_user() -> None:
    rows = [
        row("ana", Status.COMPLETED, created_at=1.0),
        row("bea", Status.COMPLETED, created_at=2.0),
        row("cris", Status.FAILED, created_at=3.0),
        row("ana", Status.PENDING, class_id=8, created_at=1.0),
    ]
    journal = [
        Attempt(seq=1, user="bea", class_id=7, book_state=-12, processed=OPENING + 0.25),
        Attempt(seq=2, user="cris", class_id=7, book_state=-1, processed=OPENING + 0.5),
        Attempt(seq=3, user="bea", class_id=7, book_state=1, processed=OPENING + 0.75),
        Attempt(seq=4, user="ana", class_id=7, book_state=0, processed=OPENING + 1.0),
        Attempt(seq=5, user="eve", class_id=7, book_state=1, processed=OPENING + 1.25),
    ]
    judged = measures.class_measures(journal, rows, {7: OPENING, 8: OPENING + 60})
    assert judged[0] == ClassMeasures(
        class_id=7,
        requests=3,
        processed=3,  # eve has no prebooking: not judged here
        placed=2,
        inversions=2,  # processed bea, cris, ana: ana overtaken by both
        pairs=3,
        unfair=0,  # cris asked after both who got a place
        times_to_book=(0.75, 1.0),  # exact in binary
    )
    assert judged[1] == ClassMeasures(
        class_id=8, requests=1, processed=0, placed=0, inversions=0, pairs=0, unfair=0,
        times_to_book=(),
    )  # fmt: skip
