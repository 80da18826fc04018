"""The journal: every booking attempt, in the order the server processed it.

It is the only judge of booking order: order is judged from the journal, never from the
client's side. ``seq`` counts from 1 with no gaps; an entry is written at the instant
the attempt took effect, so the list order is the processing order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

__all__ = ["EntryKind", "Journal", "JournalEntry", "Stamp"]


class EntryKind(StrEnum):
    """What the journaled request did."""

    BOOK = "book"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True, kw_only=True)
class Stamp:
    """One instant on both clocks: monotonic for durations, wall for the window and for people."""

    monotonic: float
    wall: float


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    """One processed booking (or cancel) attempt.

    ``received_*`` is when the request reached the server: its arrival at the HTTP parser
    plus its inbound delay, when it joined the endpoint's queue (the server's
    ``pipeline``);
    ``processed_*`` is when it took effect, at least its service time later.
    """

    seq: int
    kind: EntryKind
    received_monotonic: float
    received_wall: float
    processed_monotonic: float
    processed_wall: float
    user: str
    user_id: int
    class_id: int | None
    day: str | None
    book_state: int | None
    cancel_state: int | None
    reservation_id: str | None
    outside: bool = False  # booked by a member who is not ours (``model.outside``)

    def to_json(self) -> dict[str, Any]:
        """A flat JSON object with the field names above (every value a scalar: no copies)."""
        return {name: getattr(self, name) for name in _ENTRY_FIELDS}


_ENTRY_FIELDS = tuple(f.name for f in fields(JournalEntry))


class Journal:
    """An append-only list of entries with consecutive ``seq`` from 1."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []

    def record(
        self,
        *,
        kind: EntryKind,
        received: Stamp,
        processed: Stamp,
        user: str,
        user_id: int,
        class_id: int | None,
        day: str | None,
        book_state: int | None = None,
        cancel_state: int | None = None,
        reservation_id: str | None = None,
        outside: bool = False,
    ) -> JournalEntry:
        """Append an entry with the next ``seq`` and return it."""
        entry = JournalEntry(
            seq=len(self._entries) + 1,
            kind=kind,
            received_monotonic=received.monotonic,
            received_wall=received.wall,
            processed_monotonic=processed.monotonic,
            processed_wall=processed.wall,
            user=user,
            user_id=user_id,
            class_id=class_id,
            day=day,
            book_state=book_state,
            cancel_state=cancel_state,
            reservation_id=reservation_id,
            outside=outside,
        )
        self._entries.append(entry)
        return entry

    def since(self, seq: int = 0, *, limit: int | None = None) -> list[JournalEntry]:
        """The entries with ``seq`` greater than ``seq``, in order; at most ``limit`` of them."""
        start = max(seq, 0)
        return self._entries[start:] if limit is None else self._entries[start : start + limit]

    def clear(self) -> None:
        """Forget everything; the next entry is ``seq`` 1 again."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
