"""``scheduler status`` at 80 columns: each prebooking's fields stay together on its lines."""

from __future__ import annotations

from rich.console import Console

from scheduler.core.domain import Prebooking, PrebookingId, UserId
from scheduler.core.status import Status
from scheduler.overview import print_status

USER = "carmen.valderrama-iturbe@example.test"  # a long address, as real ones are


def test_status_fits_80_columns_without_splitting_a_prebooking() -> None:
    rows = [
        Prebooking(
            id=PrebookingId(f"0f8c2c1e-6b1d-4c3a-9d55-00000000000{n}"),
            user=UserId(USER),
            class_id=123456,
            day="20301128",
            box=10122,
            available_at=1_900_000_000.0 + n,
            created_at=1_800_000_000.0 + n,
            status=Status.FAILED,
            attempts=3,
            error="-12 ERROR_ANTELACION_CLIENTE",
        )
        for n in range(3)
    ]
    counts = {
        Status.PENDING: 12,
        Status.EXECUTING: 0,
        Status.COMPLETED: 40,
        Status.FAILED: 3,
        Status.UNKNOWN: 1,
    }
    console = Console(width=80, record=True)
    print_status(console, counts, rows)
    lines = console.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0] == "prebookings: 12 pending · 0 executing · 40 completed · 3 failed · 1 unknown"
    heads = [n for n, line in enumerate(lines) if USER in line]
    assert len(heads) == 3  # one line per prebooking with its status and user, then its details
    assert all(lines[n].endswith(f"failed  {USER}") for n in heads)
    details = [lines[n + 1] for n in heads]
    assert details[0] == "     class 123456 on 20301128 · opens 2030-03-17 17:46:40 · 3 attempts"
    assert sum("error: -12 ERROR_ANTELACION_CLIENTE" in line for line in lines) == 3
