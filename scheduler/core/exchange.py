"""What the scheduler sent to AimHarder and what it heard back: its own history of requests.

Beside AimHarder's journal (what AimHarder did), the history says what the scheduler knew when
it recorded a status: a request was sent, then it was answered (and whether the answer gave the
user a place) or no answer came (a time-out, a dropped connection, or a process cut before the
answer: a request sent and never heard of again). A judge reads both (``harness.measures``):
a failure recorded while the last request had no answer, or a completion nothing ever said,
is a record made up rather than heard.

Each request is two notes, written as they happen, so that a process killed in between leaves
the first: ``sent`` and then ``heard``, joined by the request's ``key``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Exchange", "Heard", "Request", "exchanges", "heard_note", "sent_note"]


class Request(StrEnum):
    BOOK = "book"  # POST /api/book
    LISTING = "listing"  # GET /api/bookings, read to settle an unknown booking


class Heard(StrEnum):
    ANSWERED = "answered"  # an answer came (a booking answer, a listing, or an error status)
    NO_ANSWER = "no answer"  # timed out, dropped, or the process ended first


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """One request and what came of it, as the scheduler saw it."""

    key: str
    prebooking_id: str
    user: str
    class_id: int
    request: Request
    sent_at: float
    heard: Heard
    holds_place: bool  # the answer said the user holds the place (never without an answer)
    detail: str | None = None  # what was heard otherwise: a refusal, an error, a time-out
    heard_at: float | None = None  # when the answer (or the failure) was heard; None: never
    instance_id: str | None = None  # the invocation that sent it, where the history says


def sent_note(
    key: str,
    *,
    prebooking_id: str,
    user: str,
    class_id: int,
    request: Request,
    at: float,
    instance_id: str | None = None,
) -> dict[str, Any]:
    note = {
        "key": key,
        "note": "sent",
        "prebooking_id": prebooking_id,
        "user": user,
        "class_id": class_id,
        "request": request.value,
        "at": at,
    }
    if instance_id is not None:
        note["instance_id"] = instance_id
    return note


def heard_note(
    key: str, *, heard: Heard, holds_place: bool, detail: str | None, at: float
) -> dict[str, Any]:
    return {
        "key": key,
        "note": "heard",
        "heard": heard.value,
        "holds_place": holds_place and heard is Heard.ANSWERED,
        "detail": detail,
        "at": at,
    }


def exchanges(notes: Iterable[Mapping[str, Any]]) -> list[Exchange]:
    """The requests of a history's notes in the order they were sent; one never heard of
    again counts as not answered."""
    sent: dict[str, Mapping[str, Any]] = {}
    heard: dict[str, Mapping[str, Any]] = {}
    for note in notes:
        (sent if note["note"] == "sent" else heard)[str(note["key"])] = note
    found = []
    for key, first in sent.items():
        last = heard.get(key)
        answered = last is not None and last["heard"] == Heard.ANSWERED.value
        found.append(
            Exchange(
                key=key,
                prebooking_id=str(first["prebooking_id"]),
                user=str(first["user"]),
                class_id=int(first["class_id"]),
                request=Request(first["request"]),
                sent_at=float(first["at"]),
                heard=Heard.ANSWERED if answered else Heard.NO_ANSWER,
                holds_place=bool(last is not None and answered and last["holds_place"]),
                detail=None if last is None else last.get("detail"),
                heard_at=None if last is None else float(last["at"]),
                instance_id=first.get("instance_id"),
            )
        )
    return sorted(found, key=lambda e: e.sent_at)
