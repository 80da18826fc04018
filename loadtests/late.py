"""Late landings: a booking request that reaches AimHarder after its sender's lease (issue 22).

The mock delays a share of the booking requests on their way in (``RunPlan.late_landings``,
the inbound delay of ``/api/book``); an invocation hears nothing from them and leaves their
prebookings ``unknown``. What made such a request dangerous is the issue's case: a later
invocation reads the listing (no place yet: the request is still on its way), sends again and is
answered "class full" because another member holds the last place; that member cancels, the
first request lands and books. A scheduler that records the refusal ``failed`` leaves the user
holding a place the store says was lost.

After the run, the runner plays that other member: ``held_places`` fills every place left in
the prebooked classes while the cron is called once more (the resends are refused), then gives
them back, and the late requests land in them. The mock has no member to do this with a
booking and a cancel, so the place is held by the class's capacity: shrunk to the places taken,
then restored (the mock keeps a class's reservations when its spec is replaced,
``POST /_admin/classes``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from harness.tls import shared_tls

__all__ = ["held_places"]

ADMIN_TIMEOUT = 10.0  # seconds for one admin call to the mock on loopback


@contextmanager
def held_places(mock_url: str, class_ids: Sequence[int]) -> Iterator[int]:
    """Inside the block every prebooked class is full: its capacity is the places taken when
    the block starts; on leaving (whatever happened) the capacities are restored. Yields how
    many places were held."""
    wanted = set(class_ids)
    states = httpx.get(f"{mock_url}/_admin/classes", timeout=ADMIN_TIMEOUT, verify=shared_tls())
    states.raise_for_status()
    classes: list[dict[str, Any]] = [c for c in states.json()["classes"] if c["id"] in wanted]
    specs = [{k: v for k, v in c.items() if k not in _STATE} for c in classes]
    taken = [len(c["holders"]) for c in classes]
    _replace(mock_url, [{**s, "capacity": n} for s, n in zip(specs, taken, strict=True)])
    try:
        yield sum(s["capacity"] - n for s, n in zip(specs, taken, strict=True))
    finally:
        _replace(mock_url, specs)


_STATE = ("occupation", "holders", "waiting")  # GET /_admin/classes's fields beyond the spec


def _replace(mock_url: str, specs: list[dict[str, Any]]) -> None:
    answer = httpx.post(
        f"{mock_url}/_admin/classes", json=specs, timeout=ADMIN_TIMEOUT, verify=shared_tls()
    )
    answer.raise_for_status()
