"""Prebookings from a JSON or CSV file, for ``python -m scheduler add``.

Each record has ``user``, ``class_id``, ``day`` (YYYYMMDD), ``box``, ``available_at`` and
optionally ``created_at`` and ``id``. Times are Unix seconds or ISO 8601 with a UTC offset
(a time without an offset is refused: a booking window is an instant, not a wall-clock reading).
Conversion errors name the record and the field; value checks are the store's (``intake.admit``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scheduler.core.domain import Instant, PrebookingId, UserId
from scheduler.core.errors import ConfigurationError
from scheduler.store import NewPrebooking

__all__ = ["parse_instant", "read_prebookings"]

REQUIRED = ("user", "class_id", "day", "box", "available_at")
KNOWN = (*REQUIRED, "created_at", "id")


def read_prebookings(text: str, *, fmt: str, now: Instant) -> list[NewPrebooking]:
    """Records of ``text`` (``fmt`` "json" or "csv"); a missing ``created_at`` is ``now``,
    nudged by a microsecond per record so that the file's order is the FIFO order."""
    if fmt == "json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"not valid JSON: {exc}") from None
        if not isinstance(records, list):
            raise ConfigurationError(
                f"JSON holds a {type(records).__name__}; expected a list of prebooking objects"
            )
    elif fmt == "csv":
        records = list(csv.DictReader(io.StringIO(text)))
    else:
        raise ConfigurationError(f"format {fmt!r}; expected one of ['csv', 'json']")
    return [_record(r, index=i, now=now + i * 1e-6) for i, r in enumerate(records, start=1)]


def parse_instant(value: object, *, field: str, where: str) -> Instant:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.timestamp()
    raise ConfigurationError(
        f"{where}: field {field!r} is {value!r}; expected Unix seconds or an ISO 8601 time "
        "with a UTC offset, e.g. '2026-11-30T07:00:00+01:00'"
    )


def _record(raw: object, *, index: int, now: Instant) -> NewPrebooking:
    where = f"prebooking #{index}"
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{where} is {raw!r}; expected an object with {list(REQUIRED)}")
    unknown = sorted(set(raw) - set(KNOWN))
    missing = [name for name in REQUIRED if raw.get(name) in (None, "")]
    if unknown or missing:
        raise ConfigurationError(
            f"{where}: missing {missing}, unknown {unknown}; expected fields {list(KNOWN)}"
        )
    created = raw.get("created_at")
    return NewPrebooking(
        id=PrebookingId(str(raw["id"])) if raw.get("id") not in (None, "") else None,
        user=UserId(str(raw["user"])),
        class_id=_integer(raw["class_id"], field="class_id", where=where),
        day=str(raw["day"]),
        box=_integer(raw["box"], field="box", where=where),
        available_at=parse_instant(raw["available_at"], field="available_at", where=where),
        created_at=now
        if created in (None, "")
        else parse_instant(created, field="created_at", where=where),
    )


def _integer(value: Any, *, field: str, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ConfigurationError(f"{where}: field {field!r} is {value!r}; expected a whole number")
