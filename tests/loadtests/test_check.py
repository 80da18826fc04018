"""The check judges the journal against the store: each kind of violation is found."""

from __future__ import annotations

from dataclasses import replace

from harness.measures import Attempt
from loadtests.check import ViolationKind, judge
from scheduler.core.domain import InstanceId, Prebooking, PrebookingId, UserId
from scheduler.core.exchange import Exchange, Heard, Request, exchanges, heard_note, sent_note
from scheduler.core.status import Status

NOW = 1_000.0
LEASE = 15.0


def prebooking(
    name: str, status: Status, *, class_id: int = 7, available_at: float = 900.0
) -> Prebooking:
    return Prebooking(
        id=PrebookingId(f"pb-{name}"),
        user=UserId(f"{name}@x"),
        class_id=class_id,
        day="20261130",
        box=1,
        available_at=available_at,
        created_at=0.0,
        status=status,
        claimed_by=InstanceId("i1") if status is not Status.PENDING else None,
    )


def attempt(seq: int, name: str, state: int, *, class_id: int = 7) -> Attempt:
    return Attempt(seq=seq, user=f"{name}@x", class_id=class_id, book_state=state, processed=NOW)


def kinds(verdict_violations: object) -> list[str]:
    assert isinstance(verdict_violations, tuple)
    return [v.kind.value for v in verdict_violations]


def test_every_prebooking_booked_once_passes() -> None:
    rows = [prebooking("ana", Status.COMPLETED), prebooking("bea", Status.COMPLETED)]
    # a too-early refusal before the booking is a retry, not a double
    journal = [attempt(1, "ana", -12), attempt(2, "ana", 1), attempt(3, "bea", 0)]
    verdict = judge(rows, journal, now=NOW, lease=LEASE)
    assert verdict.ok
    assert (verdict.prebookings, verdict.ready, verdict.booked_once) == (2, 2, 2)
    assert verdict.statuses == {
        "pending": 0,
        "executing": 0,
        "completed": 2,
        "failed": 0,
        "unknown": 0,
    }


def test_a_send_after_the_booking_is_a_double() -> None:
    rows = [prebooking("ana", Status.COMPLETED)]
    verdict = judge(rows, [attempt(1, "ana", 1), attempt(2, "ana", -12)], now=NOW, lease=LEASE)
    assert kinds(verdict.violations) == ["double"]
    assert "seqs [1, 2]" in verdict.violations[0].detail
    assert verdict.booked_once == 0


def test_completed_without_a_booking_in_the_journal_is_a_phantom() -> None:
    verdict = judge(
        [prebooking("ana", Status.COMPLETED)], [attempt(1, "ana", -1)], now=NOW, lease=LEASE
    )
    assert kinds(verdict.violations) == ["phantom"]
    assert verdict.count(ViolationKind.PHANTOM) == 1
    assert not verdict.ok


def test_a_ready_prebooking_still_pending_is_overdue_and_a_future_one_is_not() -> None:
    rows = [
        prebooking("ana", Status.PENDING),
        prebooking("bea", Status.PENDING, available_at=NOW + 60),
    ]
    verdict = judge(rows, [], now=NOW, lease=LEASE)
    assert [(v.kind.value, v.subject) for v in verdict.violations] == [("overdue", "pb-ana")]
    assert verdict.ready == 1


def test_executing_after_the_run_is_stuck() -> None:
    verdict = judge(
        [prebooking("ana", Status.EXECUTING)], [attempt(1, "ana", 1)], now=NOW, lease=LEASE
    )
    assert kinds(verdict.violations) == ["stuck"]


def test_failed_with_no_booking_is_unbooked() -> None:
    verdict = judge(
        [prebooking("ana", Status.FAILED)], [attempt(1, "ana", -1)], now=NOW, lease=LEASE
    )
    assert kinds(verdict.violations) == ["unbooked"]


def test_a_booking_without_a_prebooking_on_a_prebooked_class_is_stray() -> None:
    rows = [prebooking("ana", Status.COMPLETED)]
    journal = [attempt(1, "ana", 1), attempt(2, "eve", 1), attempt(3, "eve", 1, class_id=99)]
    verdict = judge(rows, journal, now=NOW, lease=LEASE)
    assert [(v.kind.value, v.subject) for v in verdict.violations] == [("stray", "eve@x/7")]


def test_a_call_accepted_without_the_secret_fails_the_check() -> None:
    verdict = judge([], [], now=NOW, lease=LEASE, unauthorized_accepted=2)
    assert kinds(verdict.violations) == ["unauthorized"]
    assert verdict.to_json()["violations"]["unauthorized"] == 1


def outsider(seq: int, n: int, state: int, *, class_id: int = 7) -> Attempt:
    return Attempt(
        seq=seq,
        user=f"member{n}@outside.example",
        class_id=class_id,
        book_state=state,
        processed=NOW,
    )


def test_outside_members_take_places_and_a_place_lost_to_them_is_no_violation() -> None:
    rows = [prebooking("ana", Status.COMPLETED), prebooking("bea", Status.FAILED)]
    journal = [attempt(1, "ana", 1), outsider(2, 0, 1), outsider(3, 0, -12), attempt(4, "bea", -1)]
    verdict = judge(rows, journal, now=NOW, lease=LEASE)
    assert verdict.ok
    assert (verdict.placed, verdict.outside_placed, verdict.places_won) == (1, 1, 0.5)


def test_a_full_class_with_no_outsider_in_it_is_still_unbooked() -> None:
    rows = [prebooking("bea", Status.FAILED)]
    journal = [outsider(1, 0, 1, class_id=99), attempt(2, "bea", -1)]
    assert kinds(judge(rows, journal, now=NOW, lease=LEASE).violations) == ["unbooked"]


def test_places_won_counts_ready_prebookings_only() -> None:
    rows = [
        prebooking("ana", Status.COMPLETED),
        prebooking("bea", Status.PENDING, available_at=NOW + 5),
    ]
    verdict = judge(rows, [attempt(1, "ana", 1)], now=NOW, lease=LEASE)
    assert (verdict.ready, verdict.places_won) == (1, 1.0)
    assert verdict.to_json()["places_won"] == 1.0


# -- against the journal and the scheduler's history --------------------------------------------


def sent_and_heard(name: str, *heard: tuple[Heard | None, bool]) -> list[Exchange]:
    """The history of ``name``'s prebooking: one request per item, heard as given (None: the
    process ended before any answer, so only the ``sent`` note was written)."""
    notes = []
    for i, (outcome, holds) in enumerate(heard):
        key = f"{name}-{i}"
        notes.append(
            sent_note(
                key,
                prebooking_id=f"pb-{name}",
                user=f"{name}@x",
                class_id=7,
                request=Request.BOOK,
                at=NOW - 10 + i,
            )
        )
        if outcome is not None:
            notes.append(heard_note(key, heard=outcome, holds_place=holds, detail=None, at=NOW))
    return exchanges(notes)


def test_booked_but_recorded_failed_is_misrecorded() -> None:
    verdict = judge(
        [prebooking("ana", Status.FAILED)], [attempt(1, "ana", 1)], now=NOW, lease=LEASE
    )
    assert kinds(verdict.violations) == ["misrecorded"]
    assert verdict.violations[0].detail == "booked, recorded failed"
    assert verdict.misrecorded == 1


def test_two_places_for_one_prebooking_are_booked_twice() -> None:
    journal = [attempt(1, "ana", 1), attempt(2, "ana", 1)]
    verdict = judge([prebooking("ana", Status.COMPLETED)], journal, now=NOW, lease=LEASE)
    assert sorted(kinds(verdict.violations)) == ["booked twice", "double"]


def test_unknown_past_its_lease_is_unsettled_and_within_it_lost() -> None:
    late = replace(prebooking("ana", Status.UNKNOWN), claimed_at=NOW - LEASE)
    recent = replace(prebooking("bea", Status.UNKNOWN), claimed_at=NOW - LEASE + 1)
    verdict = judge([late, recent], [attempt(1, "ana", 1)], now=NOW, lease=LEASE)
    assert [(v.kind.value, v.subject) for v in verdict.violations] == [
        ("misrecorded", "pb-ana"),
        ("lost", "pb-bea"),
    ]
    assert "unsettled" in verdict.violations[0].detail


def test_a_status_no_answer_gave_is_misrecorded_by_the_history() -> None:
    rows = [
        prebooking("ana", Status.FAILED),  # its last request never answered
        prebooking("bea", Status.COMPLETED),  # placed, but no answer ever said so
        prebooking("cid", Status.COMPLETED),  # the listing said so: settled, not made up
        prebooking("dan", Status.FAILED),  # refused, and AimHarder says so
    ]
    journal = [attempt(1, "bea", 1), attempt(2, "cid", 1), attempt(3, "dan", -1)]
    heard = [
        *sent_and_heard("ana", (Heard.ANSWERED, False), (None, False)),
        *sent_and_heard("bea", (Heard.NO_ANSWER, False)),
        *sent_and_heard("cid", (Heard.NO_ANSWER, False), (Heard.ANSWERED, True)),
        *sent_and_heard("dan", (Heard.ANSWERED, False)),
    ]
    verdict = judge(rows, journal, now=NOW, lease=LEASE, heard=heard)
    found = [(v.kind.value, v.subject) for v in verdict.violations if v.kind.value != "unbooked"]
    assert found == [("misrecorded", "pb-ana"), ("misrecorded", "pb-bea")]
    assert verdict.to_json()["misrecorded"] == 2
    # Without a history only the journal judges: neither is caught.
    assert judge(rows, journal, now=NOW, lease=LEASE).misrecorded == 0


# -- late landings (issue 22, item 1) -----------------------------------------------------------


def landed(seq: int, name: str, state: int, *, at: float) -> Attempt:
    return replace(attempt(seq, name, state), processed=at)


def test_a_late_landing_after_a_refusal_is_judged_by_the_status_it_left() -> None:
    # ana's first request (sent NOW - 10) lands at NOW - 5, after her resend (NOW - 9) was
    # refused "class full" and a place came free: she holds it.
    journal = [landed(1, "ana", -1, at=NOW - 9), landed(2, "ana", 1, at=NOW - 5)]
    heard = sent_and_heard("ana", (Heard.NO_ANSWER, False), (Heard.ANSWERED, False))
    settled = judge([prebooking("ana", Status.COMPLETED)], journal, now=NOW, lease=LEASE)
    assert settled.ok and settled.placed_after_refusal == 1
    assert settled.to_json()["placed_after_refusal"] == 1
    # The scheduler before issue 22 recorded the refusal failed and never looked again.
    old = judge([prebooking("ana", Status.FAILED)], journal, now=NOW, lease=LEASE, heard=heard)
    assert [(v.kind.value, v.detail) for v in old.violations] == [
        ("misrecorded", "booked, recorded failed")
    ]


def test_a_request_sent_before_the_place_and_landing_after_it_is_no_double() -> None:
    # Sent NOW - 10, unanswered; the resend (NOW - 9) booked at NOW - 9; the first lands at
    # NOW - 5 and is answered "already booked". Only the journal would call it a double.
    journal = [landed(1, "ana", 1, at=NOW - 9), landed(2, "ana", -12, at=NOW - 5)]
    heard = sent_and_heard("ana", (Heard.NO_ANSWER, False), (Heard.ANSWERED, True))
    rows = [prebooking("ana", Status.COMPLETED)]
    assert judge(rows, journal, now=NOW, lease=LEASE, heard=heard).ok
    assert kinds(judge(rows, journal, now=NOW, lease=LEASE).violations) == ["double"]


def test_a_request_sent_after_the_place_is_a_double_by_the_history_too() -> None:
    journal = [landed(1, "ana", 1, at=NOW - 9.5), landed(2, "ana", -12, at=NOW - 8)]
    heard = sent_and_heard("ana", (Heard.ANSWERED, True), (Heard.ANSWERED, True))  # NOW - 9
    verdict = judge(
        [prebooking("ana", Status.COMPLETED)], journal, now=NOW, lease=LEASE, heard=heard
    )
    assert kinds(verdict.violations) == ["double"]
