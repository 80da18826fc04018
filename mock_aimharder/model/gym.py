"""The gym: accounts, classes, reservations and the journal, with AimHarder's booking rules.

Pure Python with no clock and no I/O: every call that depends on time gets the instants it
happened at (``received``, ``processed``), and the window is judged at ``processed`` (the moment
the booking takes effect). Calls are synchronous, so on one event loop each one is atomic.

Booking rules, in the order they are checked (API.md, "POST /api/book"):
unknown class or day or box -> -12 (mock's own key); disabled -> -12 (mock's own key);
the box's clock (``timing``): too late -> -7, past the horizon -> -4, window not open -> -12
ERROR_ANTELACION_CLIENTE (or ``_HORAS``); this user already holds a spot or a waitlist place in
the class -> -12 NOPUEDESRESERVAMISMAHORA (never a second place); the member's plan
(``plans``): -5, -2, -12 HASSUPERADOLIMITCONTR, -8 with ``max``; a free spot -> 1; full -> 0 on
the waitlist when ``full_class_policy`` allows it (by default only with ``insist=1``) and it has
room, else -1.

The simulation books through this same class, so credits and limits decide who gets a place
there exactly as here.
Outside members (``book_outside``) meet the same rules, in the same order of processing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mock_aimharder.model.accounts import Account, Accounts
from mock_aimharder.model.boxes import Boxes
from mock_aimharder.model.classes import ClassState, Place
from mock_aimharder.model.codes import (
    ALREADY_BOOKED,
    CLASS_DISABLED,
    CLASS_FULL,
    LATE_CANCELLATION,
    RESERVATION_UNKNOWN,
    UNKNOWN_CLASS,
    BookState,
    CancelState,
    Refusal,
)
from mock_aimharder.model.config import ClassSpec, FullClassPolicy, MockConfig, UserAccount
from mock_aimharder.model.distributions import Distribution
from mock_aimharder.model.journal import EntryKind, Journal, Stamp
from mock_aimharder.model.outside import OutsideRequest, outside_email, outside_rng, outside_stream
from mock_aimharder.model.plans import Holdings, Plans

__all__ = ["BookingOutcome", "CancelOutcome", "ClassView", "Gym"]

FIRST_RESERVATION = 100_000_001


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingOutcome:
    """What ``/api/book`` answers: the state, the reservation id on 1/0, the refusal otherwise."""

    book_state: BookState
    reservation_id: int | None = None
    refusal: Refusal | None = None
    max: int | None = None  # the limit, on -8


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelOutcome:
    """What ``/api/cancelBook`` answers, and whom the freed spot went to."""

    cancel_state: CancelState
    refusal: Refusal | None = None
    promoted_reservation: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassView:
    """One class as one user sees it in the listing.

    After a cancel the row is that of a class never booked (no ``idres``, no ``cancelledId``),
    as observed live (rudeayelo's docs/api-research.md, "Live standard Open Box cycle"); with
    ``cancelled_listing = "marked"``, ``reservation_id`` (``idres``) stays the cancelled
    reservation's id next to ``cancelled_id`` (API.md, "After a cancel").
    """

    spec: ClassSpec
    box_name: str
    occupation: int
    waiting: int
    place: Place | None
    reservation_id: int | None
    cancelled_id: int | None

    @property
    def book_state(self) -> BookState | None:
        """The listing's ``bookState`` for the user: booked, waitlisted, or None (no place)."""
        return None if self.place is None else _LISTED_STATE[self.place]


_LISTED_STATE = {Place.SPOT: BookState.BOOKED, Place.WAITLIST: BookState.WAITLISTED}


class Gym:
    """All the server's state; the HTTP layer only translates to and from it."""

    def __init__(self, config: MockConfig) -> None:
        self.accounts = Accounts(session_ttl=config.session_ttl_seconds)
        self.journal = Journal()
        self.plans = Plans()
        self._classes: dict[int, ClassState] = {}
        self._reservation_class: dict[int, int] = {}  # every reservation id -> its class id
        self._next_reservation = FIRST_RESERVATION
        self._names: list[str] | None = None
        self._boxes: Boxes | None = None
        self.configure(config)

    def configure(self, config: MockConfig) -> None:
        """Adopt a new configuration: exactly its accounts and classes, its rules.

        Reservations of classes that stay are kept (their spec is replaced); those of classes
        that went away are dropped; sessions of removed accounts die.
        """
        self._policy = config.full_class_policy
        self._marks_cancels = config.cancelled_listing == "marked"
        self.timing = config.timing()
        self._configured_boxes = config.boxes
        self._box_name = config.box_name
        self.clock_offset = config.clock_offset
        self.accounts.session_ttl = config.session_ttl_seconds
        self.accounts.lockout(after=config.lockout_after, seconds=config.lockout_seconds)
        self.accounts.replace(Account.of(user) for user in config.users)
        self.plans.configure(config.users, daily_limit=config.daily_limit)
        kept = {spec.id for spec in config.classes}
        self._classes = {cid: state for cid, state in self._classes.items() if cid in kept}
        self._names = None
        self.add_classes(config.classes)

    def add_classes(self, specs: Iterable[ClassSpec]) -> None:
        """Add classes, or replace the spec of known ids keeping their reservations."""
        self._names = None
        self._boxes = None
        for spec in specs:
            state = self._classes.get(spec.id)
            if state is None:
                self._classes[spec.id] = ClassState(spec)
            else:
                state.spec = spec

    def set_users(self, users: Iterable[UserAccount]) -> None:
        """Keep exactly these accounts (ids already assigned); sessions of the rest die."""
        users = list(users)
        self.accounts.replace(Account.of(user) for user in users)
        self.plans.configure(users, daily_limit=self.plans.daily_limit)

    def reset(self) -> None:
        """Forget reservations, sessions and the journal; keep accounts and classes."""
        self._classes = {cid: ClassState(state.spec) for cid, state in self._classes.items()}
        self._reservation_class.clear()
        self._next_reservation = FIRST_RESERVATION
        self.accounts.clear_sessions()
        self.plans.reset()
        self.journal.clear()

    def classes(self) -> list[ClassState]:
        """Every class, by id."""
        return [self._classes[cid] for cid in sorted(self._classes)]

    def class_names(self) -> list[str]:
        """The distinct class names (``clasesContratadas``: the plan covers every class)."""
        if self._names is None:
            self._names = sorted({state.spec.name for state in self._classes.values()})
        return self._names

    def contracted(self, account: Account) -> list[str]:
        """``clasesContratadas`` for this member: the class names the plan includes."""
        return self.plans.contracted(account.id, self.class_names())

    def boxes(self) -> Boxes:
        """The boxes served (configured, and every other box id of a class)."""
        if self._boxes is None:
            class_boxes = (state.spec.box for state in self._classes.values())
            self._boxes = Boxes(self._configured_boxes, class_boxes, self._box_name)
        return self._boxes

    def listing(self, account: Account, *, day: str, box: int | None) -> list[ClassView]:
        """The day's classes (of ``box`` when given) as ``account`` sees them, by start time."""
        views = [
            self._view(account, state)
            for state in self._classes.values()
            if state.spec.day == day and (box is None or state.spec.box == box)
        ]
        return sorted(views, key=lambda view: (view.spec.time, view.spec.id))

    def next_bookings(self, account: Account, *, box: int | None, now: float) -> list[ClassView]:
        """This member's live reservations in classes that have not started, soonest first."""
        views = [
            self._view(account, state)
            for state in self._classes.values()
            if (box is None or state.spec.box == box)
            and state.place_of(account.id) is not None
            and self.timing.starts(state.spec) > now
        ]
        return sorted(views, key=lambda view: (self.timing.starts(view.spec), view.spec.id))

    def _view(self, account: Account, state: ClassState) -> ClassView:
        place = state.place_of(account.id)
        cancelled = None if place or not self._marks_cancels else state.cancelled_of(account.id)
        return ClassView(
            spec=state.spec,
            box_name=self.boxes().name_of(state.spec.box),
            occupation=state.occupation,
            waiting=state.waiting,
            place=place[0] if place else None,
            reservation_id=place[1] if place else cancelled,
            cancelled_id=cancelled,
        )

    def book(
        self,
        account: Account,
        *,
        class_id: int,
        day: str,
        box: int | None,
        insist: bool,
        received: Stamp,
        processed: Stamp,
    ) -> BookingOutcome:
        """Apply the booking rules at ``processed`` and journal the attempt."""
        outcome = self._decide(
            account, class_id=class_id, day=day, box=box, insist=insist, now=processed.wall
        )
        self._journal_booking(
            account,
            outcome,
            class_id=class_id,
            day=day,
            stamps=(received, processed),
            outside=False,
        )
        return outcome

    def book_outside(
        self, class_id: int, request: OutsideRequest, *, received: Stamp, processed: Stamp
    ) -> BookingOutcome:
        """An outside member's booking (``model.outside``): the same rules as ours, journaled
        as outside. The member needs no account or session: AimHarder checks theirs, not us."""
        state = self._classes.get(class_id)
        if state is None:
            raise KeyError(f"outside booking for unknown class {class_id}")
        member = Account(
            id=-(request.member + 1),  # ours are >= 1, so never one of theirs
            email=outside_email(class_id, request.member),
            password="",
            name=f"outside {request.member}",
        )
        spec = state.spec
        outcome = self._decide(
            member, class_id=class_id, day=spec.day, box=spec.box, insist=False, now=processed.wall
        )
        self._journal_booking(
            member,
            outcome,
            class_id=class_id,
            day=spec.day,
            stamps=(received, processed),
            outside=True,
        )
        return outcome

    def outside_schedule(
        self, *, seed: int, service: Distribution
    ) -> list[tuple[float, int, OutsideRequest]]:
        """Every class's outside requests as ``(instant, class id, request)``, in order.

        The instant is on the clients' clock: the opening by AimHarder's clock (``timing``) is
        ``clock_offset`` earlier on theirs. ``service`` is the booking endpoint's service time.
        """
        schedule = []
        for state in self.classes():
            spec = state.spec
            opens = self.timing.opens(spec)
            if opens is None or spec.outside.empty:
                continue
            opening = opens - self.clock_offset
            stream = outside_stream(spec.outside, outside_rng(seed, spec.id), service=service)
            schedule += [(opening + r.arrives, spec.id, r) for r in stream]
        return sorted(schedule, key=lambda item: (item[0], item[1], item[2].member))

    def _journal_booking(
        self,
        account: Account,
        outcome: BookingOutcome,
        *,
        class_id: int,
        day: str,
        stamps: tuple[Stamp, Stamp],
        outside: bool,
    ) -> None:
        received, processed = stamps
        self.journal.record(
            kind=EntryKind.BOOK,
            received=received,
            processed=processed,
            user=account.email,
            user_id=account.id,
            class_id=class_id,
            day=day,
            book_state=int(outcome.book_state),
            reservation_id=None if outcome.reservation_id is None else str(outcome.reservation_id),
            outside=outside,
        )

    def _decide(
        self,
        account: Account,
        *,
        class_id: int,
        day: str,
        box: int | None,
        insist: bool,
        now: float,
    ) -> BookingOutcome:
        state = self._classes.get(class_id)
        refused = self._refusal(account, state, day=day, box=box, now=now)
        if refused is not None or state is None:
            return refused or BookingOutcome(book_state=BookState.NOT_ALLOWED)
        if state.has_spot_free():
            reservation = self._new_reservation(class_id)
            state.take_spot(account.id, reservation)
            self.plans.spend(account.id)
            return BookingOutcome(book_state=BookState.BOOKED, reservation_id=reservation)
        # Default policy: only insist=1 joins the waitlist (API.md, "Full class and insist").
        may_wait = insist or self._policy is FullClassPolicy.WAITLIST_WHEN_ROOM
        if may_wait and state.has_waitlist_room():
            reservation = self._new_reservation(class_id)
            state.join_waitlist(account.id, reservation)
            self.plans.spend(account.id)
            return BookingOutcome(book_state=BookState.WAITLISTED, reservation_id=reservation)
        return BookingOutcome(book_state=BookState.FULL, refusal=CLASS_FULL)

    def _refusal(
        self, account: Account, state: ClassState | None, *, day: str, box: int | None, now: float
    ) -> BookingOutcome | None:
        """The refusals before capacity, in AimHarder's order (as far as clients show it)."""
        if state is None or state.spec.day != day or (box is not None and state.spec.box != box):
            return BookingOutcome(book_state=BookState.NOT_ALLOWED, refusal=UNKNOWN_CLASS)
        spec = state.spec
        if not spec.enabled:
            return BookingOutcome(book_state=BookState.NOT_ALLOWED, refusal=CLASS_DISABLED)
        # The window is judged by AimHarder's clock, ``clock_offset`` ahead of the clients'.
        timed = self.timing.refusal(spec, now + self.clock_offset)
        if timed is not None:
            return BookingOutcome(book_state=timed[0], refusal=timed[1])
        if state.place_of(account.id) is not None:
            return BookingOutcome(book_state=BookState.NOT_ALLOWED, refusal=ALREADY_BOOKED)
        holdings = (
            self._holdings(account.id, spec.day) if self.plans.counts_holdings(account.id) else None
        )
        planned = self.plans.refusal(account.id, spec.name, holdings)
        if planned is not None:
            return BookingOutcome(
                book_state=planned.book_state, refusal=planned.refusal, max=planned.max
            )
        return None

    def _holdings(self, user_id: int, day: str) -> Holdings:
        held = [s.spec.day for s in self._classes.values() if s.place_of(user_id) is not None]
        return Holdings(total=len(held), that_day=held.count(day))

    def cancel(
        self,
        account: Account,
        *,
        reservation_id: int,
        received: Stamp,
        processed: Stamp,
        late: bool = False,
    ) -> CancelOutcome:
        """Cancel one of the user's live reservations; a freed spot promotes the waitlist head.

        Giving up a spot within ``late_cancel_minutes`` of the start answers ``cancelState`` 2
        and changes nothing, unless the client confirms with ``late=1`` (rudeayelo asks the
        user, Marc-Roig retries at once); then the credit is not given back.
        """
        class_id = self._reservation_class.get(reservation_id)
        state = None if class_id is None else self._classes.get(class_id)
        if state is None or state.owner_of(reservation_id) != account.id:
            outcome = CancelOutcome(cancel_state=CancelState.DENIED, refusal=RESERVATION_UNKNOWN)
        else:
            place = state.place_of(account.id)
            is_late = place is not None and place[0] is Place.SPOT
            is_late = is_late and self.timing.is_late_cancel(state.spec, processed.wall)
            if is_late and not late:
                outcome = CancelOutcome(cancel_state=CancelState.LATE, refusal=LATE_CANCELLATION)
            else:
                promoted = state.release(reservation_id)
                if not is_late:
                    self.plans.refund(account.id)
                outcome = CancelOutcome(
                    cancel_state=CancelState.CANCELLED, promoted_reservation=promoted
                )
        self.journal.record(
            kind=EntryKind.CANCEL,
            received=received,
            processed=processed,
            user=account.email,
            user_id=account.id,
            class_id=class_id,
            day=None if state is None else state.spec.day,
            cancel_state=int(outcome.cancel_state),
            reservation_id=str(reservation_id),
        )
        return outcome

    def _new_reservation(self, class_id: int) -> int:
        reservation = self._next_reservation
        self._next_reservation += 1
        self._reservation_class[reservation] = class_id
        return reservation
