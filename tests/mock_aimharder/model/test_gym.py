"""The gym's rules without HTTP or a clock: instants are passed in, traces compared whole."""

from __future__ import annotations

from mock_aimharder.model.accounts import Session
from mock_aimharder.model.codes import BookState, CancelState
from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.gym import BookingOutcome, Gym
from mock_aimharder.model.journal import EntryKind, Stamp
from tests.mock_aimharder.support import DAY, a_class, email, users


def _at(t: float) -> Stamp:
    return Stamp(monotonic=t, wall=1_000_000.0 + t)


def _gym(**fields: object) -> Gym:
    return Gym(MockConfig.model_validate({"users": users(4)} | fields))


def _book(
    gym: Gym, n: int, t: float = 0.0, class_id: int = 1, *, insist: bool = False
) -> BookingOutcome:
    account = gym.accounts.get(100001 + n)
    assert account is not None
    return gym.book(
        account,
        class_id=class_id,
        day=DAY,
        box=None,
        insist=insist,
        received=_at(t),
        processed=_at(t),
    )


def test_the_journal_records_every_attempt_in_processing_order_with_consecutive_seq() -> None:
    gym = _gym(classes=[a_class(capacity=1)])
    states = [_book(gym, n, t=float(n)).book_state for n in range(3)]
    entries = gym.journal.since(0)
    assert states == [BookState.BOOKED, BookState.FULL, BookState.FULL]
    assert [(e.seq, e.user, e.book_state, e.processed_monotonic) for e in entries] == [
        (1, email(0), 1, 0.0),
        (2, email(1), -1, 1.0),
        (3, email(2), -1, 2.0),
    ]
    assert [e.seq for e in gym.journal.since(2)] == [3]


def test_the_window_is_judged_at_the_processing_instant() -> None:
    gym = _gym(classes=[a_class(opens_at=1_000_010.0)])
    before, after = _book(gym, 0, t=9.999), _book(gym, 0, t=10.0)
    assert (before.book_state, after.book_state) == (BookState.NOT_ALLOWED, BookState.BOOKED)
    assert before.refusal is not None and before.refusal.lang == "ERROR_ANTELACION_CLIENTE"


def test_a_duplicate_on_the_waitlist_is_refused_too() -> None:
    gym = _gym(classes=[a_class(capacity=0, waitlist=2)])
    first, second = _book(gym, 0, insist=True), _book(gym, 0, insist=True)
    assert first.book_state is BookState.WAITLISTED
    assert second.refusal is not None and second.refusal.lang == "NOPUEDESRESERVAMISMAHORA"


def test_cancelling_a_waitlist_place_promotes_nobody() -> None:
    gym = _gym(classes=[a_class(capacity=1, waitlist=2)])
    _book(gym, 0)
    waiting = _book(gym, 1, insist=True)
    _book(gym, 2, insist=True)
    account = gym.accounts.get(100002)
    assert account is not None and waiting.reservation_id is not None
    outcome = gym.cancel(
        account, reservation_id=waiting.reservation_id, received=_at(5), processed=_at(5)
    )
    (state,) = gym.classes()
    assert (outcome.cancel_state, outcome.promoted_reservation) == (CancelState.CANCELLED, None)
    assert (state.holders(), state.waiters()) == ([100001], [100003])
    assert gym.journal.since(3)[0].kind is EntryKind.CANCEL


def test_reset_clears_places_sessions_and_journal_but_keeps_catalogue() -> None:
    gym = _gym(classes=[a_class(capacity=1)])
    session = gym.accounts.login(email(0), "secret", now=0.0)
    _book(gym, 0)
    gym.reset()
    assert isinstance(session, Session)
    assert gym.accounts.authenticate(session.cookie, now=1.0) is None
    assert (len(gym.journal), gym.classes()[0].occupation) == (0, 0)
    assert _book(gym, 1).book_state is BookState.BOOKED
    assert gym.journal.since(0)[0].seq == 1


def test_reconfiguring_keeps_places_of_classes_that_stay_and_drops_the_others() -> None:
    gym = _gym(classes=[a_class(1), a_class(2)])
    _book(gym, 0, class_id=1)
    _book(gym, 0, class_id=2)
    gym.configure(
        MockConfig.model_validate({"users": users(4), "classes": [a_class(1, capacity=5)]})
    )
    (state,) = gym.classes()
    assert (state.spec.id, state.spec.capacity, state.holders()) == (1, 5, [100001])


def test_a_session_cookie_is_accepted_url_encoded_and_refused_after_expiry() -> None:
    gym = _gym(session_ttl_seconds=10)
    session = gym.accounts.login(email(0).upper(), "secret", now=0.0)
    assert isinstance(session, Session)
    encoded = session.cookie.replace("|", "%7C")
    assert gym.accounts.authenticate(encoded, now=9.0) is not None
    assert gym.accounts.authenticate(session.cookie, now=10.0) is None
