"""Mock processes kept across runs: one per configuration, reset with each run's seed.

A real run needs a mock AimHarder as if just started with its seed. Starting a process for each
costs about a second (a cold interpreter importing a web stack), most of a short run; the
mock's admin API resets one to exactly that state instead (``POST /_admin/reset`` with
``{"seed": N}``: bookings, sessions and the journal cleared, every stream drawn anew from N).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import httpx

from harness.children import mock_process
from harness.tls import shared_tls
from mock_aimharder.model.config import MockConfig

__all__ = ["MockFor", "reset_mock", "reused_mocks"]

MockFor = Callable[[MockConfig, int], str]
"""``mock_for(config, seed)``: the base URL of a mock serving ``config`` as if just started
with ``seed``."""

RESET_TIMEOUT = 10.0  # seconds: a reset is a few dictionaries cleared


@contextlib.contextmanager
def reused_mocks() -> Iterator[MockFor]:
    """``mock_for`` while the block runs; every process it started is stopped after it. The
    configuration must enable the admin API (the harness's gyms do)."""
    with contextlib.ExitStack() as stack:
        started: dict[str, str] = {}

        def mock_for(config: MockConfig, seed: int) -> str:
            key = config.model_dump_json()
            if key not in started:
                started[key] = stack.enter_context(mock_process(config, seed=seed))
                return started[key]
            reset_mock(started[key], seed)
            return started[key]

        yield mock_for


def reset_mock(url: str, seed: int) -> None:
    """The mock at ``url`` as if just started with ``seed`` (its admin API must be on)."""
    answer = httpx.post(
        f"{url}/_admin/reset", json={"seed": seed}, timeout=RESET_TIMEOUT, verify=shared_tls()
    )
    answer.raise_for_status()
