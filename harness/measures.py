"""The measures every judge uses, each defined once.

A judge reads what a run left behind: the server's journal, as ``Attempt``s in the order the
server processed them (the journal alone judges order), and the store's rows. The simulation's
metrics, the load tests' check and the reliability tests all count with these definitions.

**Places won** is the share of our prebookings that got a place: outside members (other members
and bots, ``mock_aimharder.model.outside``) book the same classes and take the rest.

Where two judges need different things they get different names: ``lost`` (never final),
``overdue`` (still pending although its window opened) and ``phantom`` (completed without a
place) are three measures, not three meanings of one; so are ``double`` (sent again after
it took a place) and ``booked_twice`` (two places).

Beside the journal, the scheduler's own history (``scheduler.core.exchange``) says what it
heard when it recorded each status. A status that disagrees with either is ``misrecorded``:
AimHarder's journal says otherwise (``orphan``, ``phantom``), the history holds no answer that
says so (``unheard``), or an unknown outcome was left standing after its lease (``unsettled``).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mock_aimharder.model.journal import EntryKind, JournalEntry
from scheduler.core.domain import Instant, Prebooking, Seconds
from scheduler.core.exchange import Exchange, Heard, Request
from scheduler.core.status import Status
from scheduler.core.verdict import holds_place

__all__ = [
    "Attempt",
    "ClassMeasures",
    "Pair",
    "attempts",
    "booked_twice",
    "by_pair",
    "class_measures",
    "double",
    "first_place",
    "holds_place",
    "inversion_rate",
    "inversions",
    "lost",
    "misrecorded",
    "orphan",
    "overdue",
    "pairs",
    "phantom",
    "placed_after_refusal",
    "places_won",
    "resent_after_place",
    "sent_after_place",
    "stuck",
    "time_to_book",
    "unfair_outcomes",
    "unheard",
    "unsettled",
]

Pair = tuple[str, int]  # (user, class_id): whose booking of which class


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One booking attempt in the journal: who, which class, AimHarder's answer, and when the
    server processed it (wall clock, the clock the booking window opens on)."""

    seq: int
    user: str
    class_id: int
    book_state: int | None
    processed: Instant

    @property
    def took_place(self) -> bool:
        return holds_place(self.book_state)


def attempts(journal: Iterable[JournalEntry | Mapping[str, Any]]) -> list[Attempt]:
    """The booking attempts of a journal in processing order: the model's entries, or the
    objects of the mock's ``GET /_admin/journal``. Cancels are left out."""
    found = []
    for entry in journal:
        if isinstance(entry, JournalEntry):
            kind, class_id, state = entry.kind, entry.class_id, entry.book_state
            seq, user, processed = entry.seq, entry.user, entry.processed_wall
        else:
            kind, class_id, state = entry["kind"], entry["class_id"], entry["book_state"]
            seq, user, processed = entry["seq"], entry["user"], entry["processed_wall"]
        if kind != EntryKind.BOOK or class_id is None:
            continue
        found.append(
            Attempt(
                seq=int(seq),
                user=str(user),
                class_id=int(class_id),
                book_state=None if state is None else int(state),
                processed=float(processed),
            )
        )
    return sorted(found, key=lambda a: a.seq)


def by_pair(tried: Iterable[Attempt]) -> dict[Pair, list[Attempt]]:
    """Each (user, class)'s attempts, in processing order."""
    pairs_: dict[Pair, list[Attempt]] = defaultdict(list)
    for attempt in sorted(tried, key=lambda a: a.seq):
        pairs_[(attempt.user, attempt.class_id)].append(attempt)
    return dict(pairs_)


def first_place(tried: Sequence[Attempt]) -> int | None:
    """The index of the first of one pair's attempts that took a place, if any did."""
    return next((i for i, a in enumerate(tried) if a.took_place), None)


def double(tried: Sequence[Attempt]) -> bool:
    """Sent again after it took a place. AimHarder answers the resend "already booked", which
    the scheduler counts as completed: only the journal shows that it was sent twice."""
    first = first_place(tried)
    return first is not None and first < len(tried) - 1


def resent_after_place(tried: Sequence[Attempt], heard: Sequence[Exchange]) -> bool:
    """Sent again after it took a place, by the scheduler's own history (``heard``): a booking
    request sent after the server processed the pair's first place. A request sent before the
    place and landing after it (queued on the way for longer than its sender waited: issue 22)
    is an attempt after the place in the journal, and no resend: ``double`` alone counts it."""
    first = first_place(tried)
    if first is None:
        return False
    placed = tried[first].processed
    return any(e.request is Request.BOOK and e.sent_at > placed for e in heard)


def placed_after_refusal(tried: Sequence[Attempt], refused: int) -> bool:
    """The pair's place was taken by an attempt the server processed after it had answered the
    pair ``refused`` (a ``bookState``): what a request landing late does when a place came free
    after a later request of the same pair was refused (issue 22: the scheduler that recorded
    the refusal ``failed`` left the user holding a place it said was lost)."""
    first = first_place(tried)
    return first is not None and any(a.book_state == refused for a in tried[:first])


def booked_twice(tried: Sequence[Attempt]) -> bool:
    """More than one of one pair's attempts took a place."""
    return sum(a.took_place for a in tried) > 1


def lost(row: Prebooking) -> bool:
    """Never reached a final status: still pending, executing or unknown when the judge looks."""
    return not row.status.is_final


def stuck(row: Prebooking) -> bool:
    """Left executing: claimed, and no result recorded (judged once every invocation ended)."""
    return row.status is Status.EXECUTING


def overdue(row: Prebooking, now: Instant) -> bool:
    """Still pending although its window opened at or before ``now``."""
    return row.status is Status.PENDING and row.available_at <= now


def phantom(row: Prebooking, tried: Sequence[Attempt]) -> bool:
    """Completed in the store, and none of its attempts in the journal took a place."""
    return row.status is Status.COMPLETED and first_place(tried) is None


def orphan(row: Prebooking, tried: Sequence[Attempt]) -> bool:
    """Failed in the store although the server gave the user a place (the client gave up, or
    was killed, before the answer)."""
    return row.status is Status.FAILED and first_place(tried) is not None


def unsettled(row: Prebooking, now: Instant, lease: Seconds) -> bool:
    """Left ``unknown`` although its lease ran out at or before ``now``: an invocation since
    then should have read AimHarder's listing and settled it."""
    return row.status is Status.UNKNOWN and (
        row.claimed_at is None or row.claimed_at <= now - lease
    )


def unheard(row: Prebooking, heard: Sequence[Exchange]) -> bool:
    """Final in the store with nothing heard to say so (``heard``: the prebooking's requests
    in the order they were sent): failed while its last request had no answer, or completed
    while no answer and no listing ever said the user held the place. A failure with no
    request at all (no session) rests on the store, not on AimHarder, and is not judged."""
    if row.status is Status.FAILED:
        return bool(heard) and heard[-1].heard is Heard.NO_ANSWER
    if row.status is Status.COMPLETED:
        return not any(e.holds_place for e in heard)
    return False


def sent_after_place(heard: Sequence[Exchange]) -> bool:
    """A booking sent by an invocation after it had heard that the user holds the place
    (``heard``: one prebooking's requests in the order they were sent, with the invocation that
    sent each). A later invocation's resend of a row whose holder died before recording it is
    not this: that one never heard, and AimHarder answers it "already booked" (the lease rule,
    ``scheduler.core.rules``)."""
    places = [e for e in heard if e.holds_place and e.heard_at is not None]
    return any(
        later.request is Request.BOOK
        and any(
            e.instance_id == later.instance_id
            and e.heard_at is not None
            and e.heard_at <= later.sent_at
            for e in places
        )
        for later in heard
    )


def misrecorded(
    row: Prebooking,
    tried: Sequence[Attempt],
    heard: Sequence[Exchange] | None,
    *,
    now: Instant,
    lease: Seconds,
) -> str | None:
    """Why the store's status disagrees with what AimHarder did or said, or None if it does
    not. ``heard`` None: no history was kept, so only the journal judges."""
    if orphan(row, tried):
        return "booked, recorded failed"
    if phantom(row, tried):
        return "recorded completed, never booked"
    if unsettled(row, now, lease):
        return "unknown, left unsettled after its lease"
    if heard is not None and unheard(row, heard):
        return f"recorded {row.status.value} with no answer saying so"
    return None


def inversions(created_in_processing_order: Sequence[Any]) -> int:
    """Kendall tau distance between the processing order and the ``created_at`` order: the
    pairs the server processed in the opposite order of their creation (any comparable key
    that follows ``created_at`` will do)."""
    ordered = created_in_processing_order
    return sum(1 for a, b in itertools.combinations(ordered, 2) if a > b)


def pairs(count: int) -> int:
    """How many pairs ``count`` bookings make: the most inversions they can have."""
    return count * (count - 1) // 2


def inversion_rate(created_in_processing_order: Sequence[Any]) -> float:
    """Inversions per pair; 0 with fewer than two bookings."""
    among = pairs(len(created_in_processing_order))
    return inversions(created_in_processing_order) / among if among else 0.0


def unfair_outcomes(created: Mapping[str, Instant], holders: Collection[str]) -> int:
    """Users the server processed without giving them a place while a user who asked later
    (larger ``created_at``) got one. ``created``: every processed user's ``created_at``."""
    latest = max((created[u] for u in holders), default=-math.inf)
    return sum(1 for u, at in created.items() if u not in holders and at < latest)


def time_to_book(opening: Instant, placed: Attempt) -> Seconds:
    """From the window opening to the server processing the attempt that took the place."""
    return placed.processed - opening


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassMeasures:
    """One class's bookings, judged from the journal against its prebookings."""

    class_id: int
    requests: int  # prebookings for the class
    processed: int  # distinct prebooked users the server processed
    placed: int  # of them, users holding a place at the end
    inversions: int
    pairs: int
    unfair: int
    times_to_book: tuple[Seconds, ...]  # one per placed user, in processing order

    @property
    def inversion_rate(self) -> float:
        return self.inversions / self.pairs if self.pairs else 0.0


def class_measures(
    tried: Iterable[Attempt], prebookings: Iterable[Prebooking], openings: Mapping[int, Instant]
) -> list[ClassMeasures]:
    """Per class of ``openings`` (by id): each prebooked user counted at the first attempt the
    server processed for them, and placed at the first that took a place."""
    created: dict[Pair, Instant] = {}
    requests: dict[int, int] = defaultdict(int)
    for p in prebookings:
        created[(p.user, p.class_id)] = p.created_at
        requests[p.class_id] += 1
    seen: dict[int, dict[str, Instant]] = defaultdict(dict)  # class -> user -> created_at
    placed: dict[int, dict[str, Attempt]] = defaultdict(dict)  # class -> user -> its place
    for attempt in sorted(tried, key=lambda a: a.seq):
        key = (attempt.user, attempt.class_id)
        if key not in created:
            continue
        seen[attempt.class_id].setdefault(attempt.user, created[key])
        if attempt.took_place:
            placed[attempt.class_id].setdefault(attempt.user, attempt)
    measures = []
    for class_id in sorted(openings):
        order = seen[class_id]  # dicts keep insertion order: the processing order
        holders = placed[class_id]
        measures.append(
            ClassMeasures(
                class_id=class_id,
                requests=requests[class_id],
                processed=len(order),
                placed=len(holders),
                inversions=inversions(list(order.values())),
                pairs=pairs(len(order)),
                unfair=unfair_outcomes(order, holders),
                times_to_book=tuple(time_to_book(openings[class_id], a) for a in holders.values()),
            )
        )
    return measures


def places_won(placed: int, wanted: int) -> float:
    """The share of our prebookings that got a place: ``placed`` of the ``wanted`` (1.0 when
    none was wanted). Outside members' attempts are no prebooking's, so they count only as
    places ours did not get."""
    return placed / wanted if wanted else 1.0
