"""The scheduler's own history in the model: what each invocation sent and what it heard.

The notes are the real driver's (``scheduler.core.exchange``: a ``sent`` note, then a
``heard`` one, or none when the invocation died first), with the invocation that sent each
request, so a judge reads a simulated run's history as it reads a real one's. Beside them, what
only the model can know for certain: which journal entry each booking request became
(``origins``), with the instant its invocation started that prebooking, which the ordering
guarantees are stated from. Kept only when asked (``sim explore``): a report needs none of it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from scheduler.core.effects import Book, ReadPlace
from scheduler.core.exchange import Exchange, Heard, Request, exchanges, heard_note, sent_note

__all__ = ["History", "Origin"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """The request behind one journal entry: who sent it, and when it was started and sent."""

    instance_id: str
    prebooking_id: str
    started_at: float  # its invocation started the prebooking (the claim was asked), model clock
    sent_at: float


class History:
    """Every request's notes, in the order they were written, and each booking's journal seq."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []
        self.origins: dict[int, Origin] = {}  # journal seq -> the request it came from
        # Each invocation run's prebookings in the order its policy started them, with when.
        self.starts: dict[str, list[tuple[float, str]]] = {}
        self._keys = itertools.count(1)
        # The booking requests on their way, by the effect's identity (the effect object lives
        # as long as its request: the world holds it): only the model sees both ends.
        self._booking: dict[int, tuple[Book, Origin]] = {}

    def started(self, instance_id: str, prebooking_id: str, at: float) -> None:
        """Invocation run ``instance_id``'s policy started ``prebooking_id`` at ``at``."""
        self.starts.setdefault(instance_id, []).append((at, prebooking_id))

    def sent(
        self, effect: Book | ReadPlace, *, instance_id: str, started_at: float, at: float
    ) -> str:
        """Note a request as sent; returns its key for the ``heard`` note."""
        key = f"r{next(self._keys)}"
        prebooking = effect.prebooking
        request = Request.BOOK if type(effect) is Book else Request.LISTING
        self.notes.append(
            sent_note(
                key,
                prebooking_id=prebooking.id,
                user=prebooking.user,
                class_id=prebooking.class_id,
                request=request,
                at=at,
                instance_id=instance_id,
            )
        )
        if type(effect) is Book:
            origin = Origin(
                instance_id=instance_id,
                prebooking_id=prebooking.id,
                started_at=started_at,
                sent_at=at,
            )
            self._booking[id(effect)] = (effect, origin)
        return key

    def heard(
        self, key: str, *, heard: Heard, holds_place: bool, detail: str | None, at: float
    ) -> None:
        self.notes.append(
            heard_note(key, heard=heard, holds_place=holds_place, detail=detail, at=at)
        )

    def processed(self, effect: Book, seq: int) -> None:
        """AimHarder processed booking request ``effect`` as journal entry ``seq``."""
        found = self._booking.get(id(effect))
        if found is not None and found[0] is effect:
            self.origins[seq] = found[1]

    def exchanges(self) -> list[Exchange]:
        """The requests as the core reads a history: in the order they were sent."""
        return exchanges(self.notes)
