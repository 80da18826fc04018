"""What ``scheduler status`` shows: counts by status and the oldest prebookings, as text that
fits 80 columns (one short block per prebooking, no wide table) or as JSON."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.text import Text

from scheduler.core.domain import Prebooking
from scheduler.core.status import Status

__all__ = ["print_status", "status_json"]

_STYLE = {
    Status.PENDING: "yellow",
    Status.EXECUTING: "cyan",
    Status.COMPLETED: "green",
    Status.FAILED: "red",
    Status.UNKNOWN: "magenta",
}


def status_json(counts: dict[Status, int], rows: list[Prebooking]) -> dict[str, Any]:
    """Counts by status and the listed rows; instants in Unix seconds as stored."""
    return {
        "counts": {status.value: counts.get(status, 0) for status in Status},
        "prebookings": [
            {
                "id": p.id,
                "user": p.user,
                "class_id": p.class_id,
                "day": p.day,
                "box": p.box,
                "available_at": p.available_at,
                "created_at": p.created_at,
                "status": p.status.value,
                "attempts": p.attempts,
                "error": p.error,
            }
            for p in rows
        ],
    }


def print_status(console: Console, counts: dict[Status, int], rows: list[Prebooking]) -> None:
    line = Text("prebookings: ")
    for index, status in enumerate(Status):
        if index:
            line.append(" · ")
        line.append(f"{counts.get(status, 0)} {status.value}", style=_STYLE[status])
    console.print(line)
    if not rows:
        return
    console.print(f"the first {len(rows)} by created_at (times in UTC):")
    for number, p in enumerate(rows, start=1):
        head = Text(f"{number:>3}. ")
        head.append(p.status.value, style=_STYLE[p.status])
        head.append(f"  {_printable(p.user)}")
        console.print(head)
        tries = "1 attempt" if p.attempts == 1 else f"{p.attempts} attempts"
        console.print(
            f"     class {p.class_id} on {p.day} · opens {_utc(p.available_at)} · {tries}"
        )
        console.print(Text(f"     id {_printable(p.id)}", style="dim"))
        if p.error:
            console.print(Text(f"     error: {_printable(p.error)}", style="red"))


def _printable(text: str) -> str:
    """``text`` with every character a terminal would act on (escape sequences, newlines, NUL)
    shown as its escape: a row stored before such values were refused, or by hand, must not
    move the operator's cursor or recolour the screen (issue 22, item 14)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _utc(instant: float) -> str:
    """``instant`` as a UTC time, or as the raw number when no calendar holds it (a row
    written by hand or by an older version: the listing must still show it)."""
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(instant))
    except (OverflowError, OSError, ValueError):
        return repr(instant)
