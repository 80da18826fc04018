"""One class session's places: who holds a spot, who waits, and in which order.

Pure bookkeeping with no rules about windows or duplicates (those are ``gym``'s): spots are
kept in the order they were taken, the waitlist first-come first-served, and cancelling a spot
promotes the head of the waitlist, as AimHarder does (a cancellation frees the spot for the
first of the waitlist).
"""

from __future__ import annotations

from enum import StrEnum

from mock_aimharder.model.config import ClassSpec

__all__ = ["ClassState", "Place"]


class Place(StrEnum):
    """Where a live reservation stands."""

    SPOT = "spot"
    WAITLIST = "waitlist"


class ClassState:
    """The reservations of one class; ``spec`` may be replaced, the reservations stay."""

    def __init__(self, spec: ClassSpec) -> None:
        self.spec = spec
        self._spots: dict[int, int] = {}  # reservation id -> user id, in booking order
        self._waiting: dict[int, int] = {}  # reservation id -> user id, in joining order
        self._by_user: dict[int, int] = {}  # user id -> live reservation id
        self._cancelled: dict[int, int] = {}  # user id -> last cancelled reservation id

    @property
    def occupation(self) -> int:
        """Spots taken (AimHarder's ``ocupation``)."""
        return len(self._spots)

    @property
    def waiting(self) -> int:
        """People on the waitlist."""
        return len(self._waiting)

    def has_spot_free(self) -> bool:
        """A spot is free under the current capacity."""
        return len(self._spots) < self.spec.capacity

    def has_waitlist_room(self) -> bool:
        """The waitlist exists and is not full."""
        return len(self._waiting) < self.spec.waitlist

    def place_of(self, user_id: int) -> tuple[Place, int] | None:
        """The user's live reservation: where it stands and its id."""
        reservation = self._by_user.get(user_id)
        if reservation is None:
            return None
        return (Place.SPOT if reservation in self._spots else Place.WAITLIST), reservation

    def cancelled_of(self, user_id: int) -> int | None:
        """The user's last cancelled reservation id here (``cancelledId``), if any."""
        return self._cancelled.get(user_id)

    def owner_of(self, reservation: int) -> int | None:
        """The user holding a live reservation id."""
        return self._spots.get(reservation, self._waiting.get(reservation))

    def take_spot(self, user_id: int, reservation: int) -> None:
        """Give the user a spot under ``reservation``."""
        self._spots[reservation] = user_id
        self._by_user[user_id] = reservation

    def join_waitlist(self, user_id: int, reservation: int) -> None:
        """Put the user at the end of the waitlist under ``reservation``."""
        self._waiting[reservation] = user_id
        self._by_user[user_id] = reservation

    def release(self, reservation: int) -> int | None:
        """Cancel a live reservation; a freed spot goes to the head of the waitlist.

        Returns the promoted reservation id, if anybody was promoted.
        """
        user_id = self._spots.pop(reservation, None)
        freed_spot = user_id is not None
        if user_id is None:
            user_id = self._waiting.pop(reservation)
        del self._by_user[user_id]
        self._cancelled[user_id] = reservation
        if freed_spot and self._waiting and self.has_spot_free():
            promoted = next(iter(self._waiting))
            self._spots[promoted] = self._waiting.pop(promoted)
            return promoted
        return None

    def holders(self) -> list[int]:
        """User ids holding a spot, in booking order."""
        return list(self._spots.values())

    def waiters(self) -> list[int]:
        """User ids on the waitlist, first first."""
        return list(self._waiting.values())
