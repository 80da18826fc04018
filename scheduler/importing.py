"""Prebookings from a JSON or CSV file, for ``python -m scheduler add``.

Each record has ``user``, ``class_id``, ``day`` (YYYYMMDD), ``box``, ``available_at`` (or
``available_in``, a duration from now such as ``"30s"``) and optionally ``created_at`` and
``id``. Times are Unix seconds or ISO 8601 with a UTC offset (a time without an offset is
refused: a booking window is an instant, not a wall-clock reading), between the years 2000 and
2100: anything else is a typo (milliseconds for seconds, a sign), and a far-past
``created_at`` would jump the FIFO queue. Conversion errors name the record and the field;
value checks are the store's (``intake.admit``). The whole file is read and checked before the
store is opened, so a bad file changes nothing.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic_core

from commandline.durations import DurationError, parse_duration
from scheduler.core.domain import Instant, PrebookingId, UserId
from scheduler.core.errors import ConfigurationError
from scheduler.store import NewPrebooking

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_FILE_BYTES",
    "parse_instant",
    "read_prebooking_file",
    "read_prebookings",
]

REQUIRED = ("user", "class_id", "day", "box", "available_at")
KNOWN = (*REQUIRED, "available_in", "created_at", "id")
MAX_AVAILABLE_IN = 366 * 86_400.0  # seconds: a booking window opens within a year
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
LATEST = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
MAX_FILE_BYTES = 16 * 2**20  # ~100,000 prebookings of ~150 bytes: more is not one operator's file
SHOWN = 80  # characters of a bad value in a message
MAX_FIELD = 1024  # characters in a CSV field; the longest legal value (a user) is 320


def read_prebooking_file(name: str, *, fmt: str | None, now: Instant) -> list[NewPrebooking]:
    """The prebookings in file ``name`` (``-``: standard input); ``fmt`` None: by its suffix."""
    path = Path(name)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in ("csv", "json"):
        raise ConfigurationError(
            f"format {fmt!r} of {name!r}; expected one of ['csv', 'json'] (a .csv or .json "
            "file, or --format)"
        )
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with path.open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(f"{name!r} cannot be read: {reason}; expected a file") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigurationError(
            f"{name!r} is larger than {MAX_FILE_BYTES} bytes; expected a smaller file "
            "(split it and add each part)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{name!r}: byte {exc.start} is {data[exc.start : exc.start + 1]!r}; expected "
            "UTF-8 text"
        ) from None
    return read_prebookings(text, fmt=fmt, now=now)


def read_prebookings(text: str, *, fmt: str, now: Instant) -> list[NewPrebooking]:
    """Records of ``text`` (``fmt`` "json" or "csv"); a missing ``created_at`` is ``now``,
    nudged by a microsecond per record so that the file's order is the FIFO order."""
    # A byte order mark is no part of the first column's name (spreadsheets write one); the
    # file decoded as plain UTF-8 kept it, and "user" was reported missing (issue 22, item 14).
    text = text.removeprefix("\ufeff")
    if fmt == "json":
        records = _json_records(text)
    elif fmt == "csv":
        records = _csv_records(text)
    else:
        raise ConfigurationError(f"format {fmt!r}; expected one of ['csv', 'json']")
    return [_record(r, index=i, now=now + i * 1e-6) for i, r in enumerate(records, start=1)]


def _json_records(text: str) -> list[Any]:
    # pydantic-core's parser refuses nesting past its recursion limit (about 250 levels) with
    # an error, where ``json.loads`` would exhaust the interpreter's stack a few thousand down.
    try:
        records = pydantic_core.from_json(text)
    except ValueError as exc:
        raise ConfigurationError(f"not valid JSON: {exc}; expected a list of objects") from None
    if not isinstance(records, list):
        raise ConfigurationError(
            f"JSON holds a {type(records).__name__}; expected a list of prebooking objects"
        )
    return records


def _csv_records(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[dict[str, Any]] = []
    try:
        header = next(reader, [])
        twice = sorted({name for name in header if header.count(name) > 1})
        if twice:  # a dict keeps the last: the first column's values would be lost unseen
            raise ConfigurationError(
                f"CSV header names {twice} more than once; expected each column once"
            )
        for row in reader:
            if not row:
                continue
            where = f"prebooking #{len(records) + 1} (line {reader.line_num})"
            if len(row) > len(header):
                raise ConfigurationError(
                    f"{where} has {len(row)} values: {row[len(header) :]!r} under no column; "
                    f"expected at most the header's {len(header)} ({header})"
                )
            for value in row:
                if len(value) > MAX_FIELD:
                    raise ConfigurationError(
                        f"{where}: a value of {len(value)} characters ({value[:20]!r}...); "
                        f"expected at most {MAX_FIELD}"
                    )
            records.append(dict(zip(header, row, strict=False)))
    except csv.Error as exc:
        raise ConfigurationError(
            f"CSV line {reader.line_num}: {exc}; expected comma-separated values"
        ) from None
    return records


def parse_instant(value: object, *, field: str, where: str) -> Instant:
    """``value`` as Unix seconds, between ``EARLIEST`` and ``LATEST``."""
    instant = _instant(value)
    if instant is None or not EARLIEST <= instant < LATEST:
        raise ConfigurationError(
            f"{where}: field {field!r} is {_shown(value)}; expected Unix seconds or an ISO 8601 "
            "time with a UTC offset, e.g. '2026-11-30T07:00:00+01:00', in the years 2000 to 2099"
        )
    return instant


def _instant(value: object) -> Instant | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        return float(value) if value.isascii() else None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _record(raw: object, *, index: int, now: Instant) -> NewPrebooking:
    where = f"prebooking #{index}"
    if not isinstance(raw, Mapping):
        raise ConfigurationError(
            f"{where} is {_shown(raw)}; expected an object with {list(REQUIRED)}"
        )
    unknown = sorted(str(name) for name in set(raw) - set(KNOWN))
    relative = raw.get("available_in") not in (None, "")
    missing = [
        name
        for name in REQUIRED
        if raw.get(name) in (None, "") and not (name == "available_at" and relative)
    ]
    if unknown or missing:
        raise ConfigurationError(
            f"{where}: missing {missing}, unknown {unknown}; expected fields {list(KNOWN)}"
        )
    created = raw.get("created_at")
    return NewPrebooking(
        id=None if raw.get("id") in (None, "") else PrebookingId(_text(raw, "id", where)),
        user=UserId(_text(raw, "user", where)),
        class_id=_integer(raw["class_id"], field="class_id", where=where),
        day=_text(raw, "day", where),
        box=_integer(raw["box"], field="box", where=where),
        available_at=_available_at(raw, where=where, now=now),
        created_at=now
        if created in (None, "")
        else parse_instant(created, field="created_at", where=where),
    )


def _available_at(raw: Mapping[str, Any], *, where: str, now: Instant) -> Instant:
    """``available_at``, or ``now`` + ``available_in`` (a duration: ``"30s"``, ``"2m"``), the
    way an example's windows open a moment after it is added."""
    given = raw.get("available_in")
    if given in (None, ""):
        return parse_instant(raw["available_at"], field="available_at", where=where)
    if raw.get("available_at") not in (None, ""):
        raise ConfigurationError(
            f"{where}: both 'available_at' and 'available_in'; expected one of the two"
        )
    try:
        seconds = parse_duration(str(given))
    except DurationError as exc:
        raise ConfigurationError(f"{where}: field 'available_in' is {exc}") from None
    if not 0 <= seconds <= MAX_AVAILABLE_IN:
        raise ConfigurationError(
            f"{where}: field 'available_in' is {_shown(given)}; expected 0 to 366 days"
        )
    return now + seconds


def _text(raw: Mapping[str, Any], field: str, where: str) -> str:
    """A text field; a number is taken as its digits (a CSV exported from a sheet, an id)."""
    value = raw[field]
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ConfigurationError(f"{where}: field {field!r} is {_shown(value)}; expected text")


def _integer(value: Any, *, field: str, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    digits = value.strip() if isinstance(value, str) else ""
    if digits.isascii() and digits.lstrip("-").isdigit() and len(digits) <= 20:
        return int(digits)
    raise ConfigurationError(
        f"{where}: field {field!r} is {_shown(value)}; expected a whole number in ASCII digits"
    )


def _shown(value: object) -> str:
    """``value``'s repr, cut short: the message names the value, it does not reproduce it."""
    text = repr(value)
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 20]}... ({len(text)} characters)"
