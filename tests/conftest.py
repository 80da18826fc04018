"""The order files are handed to pytest-xdist's workers: the longest first.

``make test`` keeps a file's tests on one worker (``--dist loadfile``) and hands files out in
collection order as workers free up (``--no-loadscope-reorder``: xdist's own reordering puts the
files with the most tests first, which sends the few-but-long ones, the load runs, the reports,
the kills, to the end, where one of them alone kept a worker busy while the other sat idle).
A file that holds a worker for long says so with ``pytestmark = pytest.mark.long(seconds)``;
those start first, longest first (the classic longest-processing-time rule), and the many short
files fill in behind them. Unmarked files keep their alphabetical order.
"""

from __future__ import annotations

import pytest


def _long_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("long")
    if marker is None:
        return 0.0
    (seconds,) = marker.args
    if not isinstance(seconds, int | float) or seconds <= 0:
        raise pytest.UsageError(
            f"{item.nodeid}: long({seconds!r}); expected the file's seconds, a positive number"
        )
    return float(seconds)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable: within a file, and among unmarked files, the order stays as collected. Every
    # worker sorts the same items the same way, as xdist requires.
    items.sort(key=lambda item: -_long_seconds(item))
