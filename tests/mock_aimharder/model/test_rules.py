"""The box's clock rules and the members' plans, on the gym alone (no HTTP, instants passed in)."""

from __future__ import annotations

from typing import Any

import pytest

from mock_aimharder.model.accounts import Account
from mock_aimharder.model.codes import BookState, CancelState
from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.dates import class_start
from mock_aimharder.model.errors import MockConfigError
from mock_aimharder.model.gym import BookingOutcome, CancelOutcome, Gym
from mock_aimharder.model.journal import Stamp
from tests.mock_aimharder.support import DAY, a_class, email

START = class_start(DAY, "18:00", "Europe/Madrid")
HOUR = 3600.0
EARLY = START - 10 * 86_400  # well before any window in these tests


def _gym(users: list[dict[str, Any]] | None = None, **fields: Any) -> Gym:
    members = users or [{}, {}]
    accounts = [{"email": email(n), "password": "pw"} | extra for n, extra in enumerate(members)]
    return Gym(MockConfig.model_validate({"users": accounts} | fields))


def _member(gym: Gym, n: int) -> Account:
    account = gym.accounts.get(100001 + n)
    assert account is not None
    return account


def _book(
    gym: Gym, n: int = 0, *, at: float = EARLY, class_id: int = 1, insist: bool = False
) -> BookingOutcome:
    stamp = Stamp(monotonic=at, wall=at)
    return gym.book(
        _member(gym, n),
        class_id=class_id,
        day=DAY,
        box=None,
        insist=insist,
        received=stamp,
        processed=stamp,
    )


def _cancel(gym: Gym, reservation: int | None, *, at: float, late: bool = False) -> CancelOutcome:
    assert reservation is not None
    stamp = Stamp(monotonic=at, wall=at)
    return gym.cancel(
        _member(gym, 0), reservation_id=reservation, received=stamp, processed=stamp, late=late
    )


def _lang(outcome: BookingOutcome) -> str | None:
    return None if outcome.refusal is None else outcome.refusal.lang


def test_credits_run_out_with_minus_2_and_a_timely_cancel_gives_one_back() -> None:
    gym = _gym([{"credits": 1}, {}], classes=[a_class(1), a_class(2)])
    first = _book(gym, class_id=1)
    refused = _book(gym, class_id=2)
    _cancel(gym, first.reservation_id, at=EARLY)
    again = _book(gym, class_id=2)
    assert [o.book_state for o in (first, refused, again)] == [
        BookState.BOOKED, BookState.NO_CREDITS, BookState.BOOKED,
    ]  # fmt: skip
    assert _lang(refused) == "SIN_CREDITOS"
    assert gym.plans.credits_left(100001) == 0


def test_credits_are_per_member() -> None:
    gym = _gym([{"credits": 0}, {"credits": 1}], classes=[a_class()])
    assert (_book(gym, 0).book_state, _book(gym, 1).book_state) == (
        BookState.NO_CREDITS, BookState.BOOKED,
    )  # fmt: skip


def test_a_class_outside_the_plan_is_minus_2_and_clases_contratadas_lists_the_plan() -> None:
    gym = _gym([{"plan": ["Open Box"]}, {}], classes=[a_class(1), a_class(2, name="Open Box")])
    refused, booked = _book(gym, class_id=1), _book(gym, class_id=2)
    assert (refused.book_state, _lang(refused), booked.book_state) == (
        BookState.NO_CREDITS, "NO_INCLUIDA_EN_TARIFA", BookState.BOOKED,
    )  # fmt: skip
    assert gym.contracted(_member(gym, 0)) == ["Open Box"]
    assert gym.contracted(_member(gym, 1)) == ["CrossFit", "Open Box"]


def test_an_outstanding_payment_is_minus_5() -> None:
    gym = _gym([{"unpaid": True}, {}], classes=[a_class()])
    assert _book(gym).book_state is BookState.UNPAID


def test_the_daily_limit_is_minus_8_with_max_and_counts_waitlist_places() -> None:
    classes = [a_class(1, capacity=0, waitlist=5), a_class(2), a_class(3, day="20250116")]
    gym = _gym(classes=classes, daily_limit=1)
    waiting, refused = _book(gym, class_id=1, insist=True), _book(gym, class_id=2)
    stamp = Stamp(monotonic=EARLY, wall=EARLY)
    other_day = gym.book(
        _member(gym, 0), class_id=3, day="20250116", box=None, insist=False,
        received=stamp, processed=stamp,
    )  # fmt: skip
    assert (waiting.book_state, refused.book_state, refused.max) == (
        BookState.WAITLISTED, BookState.LIMIT_REACHED, 1,
    )  # fmt: skip
    assert other_day.book_state is BookState.BOOKED


def test_the_contract_limit_is_minus_12_hassuperadolimitcontr() -> None:
    classes = [a_class(1), a_class(2, day="20250116")]
    gym = _gym([{"contract_limit": 1}, {}], classes=classes)
    _book(gym, class_id=1)
    stamp = Stamp(monotonic=EARLY, wall=EARLY)
    refused = gym.book(
        _member(gym, 0), class_id=2, day="20250116", box=None, insist=False,
        received=stamp, processed=stamp,
    )  # fmt: skip
    assert (refused.book_state, _lang(refused)) == (BookState.NOT_ALLOWED, "HASSUPERADOLIMITCONTR")


def test_a_member_refused_by_the_plan_takes_no_place_so_the_next_one_gets_it() -> None:
    gym = _gym([{"credits": 0}, {}], classes=[a_class(capacity=1)])
    _book(gym, 0)
    assert _book(gym, 1).book_state is BookState.BOOKED
    assert gym.classes()[0].holders() == [100002]


def test_booking_closes_minutes_before_the_start_with_minus_7() -> None:
    gym = _gym(classes=[a_class()], closes_minutes_before=15)
    before, after = _book(gym, at=START - 15 * 60 - 1), _book(gym, 1, at=START - 15 * 60)
    assert (before.book_state, after.book_state) == (BookState.BOOKED, BookState.TOO_LATE)


def test_a_class_past_the_horizon_is_minus_4() -> None:
    gym = _gym(classes=[a_class()], horizon_days=2)
    far, near = _book(gym, at=START - 3 * 86_400), _book(gym, 1, at=START - 2 * 86_400)
    assert (far.book_state, near.book_state) == (BookState.TOO_FAR_AHEAD, BookState.BOOKED)


@pytest.mark.parametrize(
    ("unit", "window", "lang", "text"),
    [
        ("days", 4, "ERROR_ANTELACION_CLIENTE", "más de 4 días de antelación"),
        ("hours", 36, "ERROR_ANTELACION_CLIENTE_HORAS", "más de 36 horas de antelación"),
    ],
)
def test_a_window_in_days_or_hours_opens_that_long_before_the_start_and_says_so(
    unit: str, window: int, lang: str, text: str
) -> None:
    gym = _gym(classes=[a_class()], window_unit=unit, booking_window=window)
    step = 86_400 if unit == "days" else HOUR
    opens = START - window * step
    early, on_time = _book(gym, at=opens - 0.001), _book(gym, at=opens)
    assert (early.book_state, _lang(early), on_time.book_state) == (
        BookState.NOT_ALLOWED, lang, BookState.BOOKED,
    )  # fmt: skip
    assert early.refusal is not None and text in early.refusal.message


def test_opens_at_counts_its_own_window_in_hours() -> None:
    gym = _gym(classes=[a_class(opens_at=START - 5 * HOUR)], window_unit="hours")
    refused = _book(gym, at=START - 6 * HOUR)
    assert refused.refusal is not None
    assert "más de 5 horas" in refused.refusal.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"classes": [a_class(opens_at=START + 1)]}, "classes.0.opens_at"),
        ({"classes": [a_class(opens_at=START - 60)], "closes_minutes_before": 5},
         "classes.0.opens_at"),
        ({"classes": [a_class()], "window_unit": "hours", "booking_window": 1,
          "closes_minutes_before": 90}, "booking_window"),
        ({"classes": [a_class()], "booking_window": 400}, "booking_window"),
    ],
)  # fmt: skip
def test_a_window_that_opens_once_booking_is_over_is_refused_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(MockConfigError) as refused:
        MockConfig.from_data(fields)
    assert [problem.field for problem in refused.value.problems] == [field]


def test_cancelling_a_spot_late_needs_late_1_and_then_keeps_the_credit() -> None:
    gym = _gym(
        [{"credits": 2}, {}], classes=[a_class(capacity=1, waitlist=1)], late_cancel_minutes=60
    )
    mine = _book(gym, at=EARLY)
    _book(gym, 1, at=EARLY, insist=True)  # waits
    late_at = START - 30 * 60
    asked = _cancel(gym, mine.reservation_id, at=late_at)
    confirmed = _cancel(gym, mine.reservation_id, at=late_at, late=True)
    assert (asked.cancel_state, confirmed.cancel_state) == (CancelState.LATE, CancelState.CANCELLED)
    assert asked.refusal is not None and confirmed.promoted_reservation is not None
    assert gym.classes()[0].holders() == [100002]
    assert gym.plans.credits_left(100001) == 1


def test_cancelling_before_the_late_limit_needs_no_confirmation() -> None:
    gym = _gym(classes=[a_class()], late_cancel_minutes=60)
    mine = _book(gym)
    assert _cancel(gym, mine.reservation_id, at=START - 61 * 60).cancel_state is (
        CancelState.CANCELLED
    )


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one_until_it_expires() -> (
    None
):
    gym = _gym(lockout_after=3, lockout_seconds=60)
    wrong = [gym.accounts.login(email(0), "no", now=t) for t in (0.0, 1.0, 2.0)]
    locked = gym.accounts.login(email(0), "pw", now=3.0)
    other = gym.accounts.login(email(1), "pw", now=3.0)
    later = gym.accounts.login(email(0), "pw", now=62.0)
    assert [str(w) for w in wrong] == ["wrong", "wrong", "wrong"]
    assert str(locked) == "locked"
    assert not isinstance(other, str) and not isinstance(later, str)


def test_a_success_resets_the_count_of_wrong_passwords() -> None:
    gym = _gym(lockout_after=2)
    results = [gym.accounts.login(email(0), pw, now=0.0) for pw in ("no", "pw", "no", "pw")]
    assert [isinstance(r, str) for r in results] == [True, False, True, False]


def test_next_bookings_lists_live_reservations_of_classes_still_to_come_soonest_first() -> None:
    classes = [a_class(1, time="19:00"), a_class(2, time="07:00"), a_class(3, time="08:00")]
    gym = _gym(classes=classes)
    reservations = {cid: _book(gym, class_id=cid).reservation_id for cid in (1, 2, 3)}
    _cancel(gym, reservations[3], at=EARLY)
    now = class_start(DAY, "07:00", "Europe/Madrid")  # class 2 has started
    views = gym.next_bookings(_member(gym, 0), box=None, now=now)
    assert [(v.spec.id, v.reservation_id) for v in views] == [(1, reservations[1])]
