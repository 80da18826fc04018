"""The four AimHarder endpoints whose latency, capacity and faults are configured separately."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Endpoint"]


class Endpoint(StrEnum):
    """A configurable endpoint; both login flows (form and JSON) share ``login``."""

    LOGIN = "login"
    BOOKINGS = "bookings"
    BOOK = "book"
    CANCEL = "cancel"
