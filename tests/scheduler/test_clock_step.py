"""Deadlines from a monotonic clock (issue 22, item 3): a wall clock stepping back 60 s during
an invocation does not stretch its limit, nor make its time negative. The old invocation, under
a table lock held past the limit, lived 40.8 s against a 10 s limit and reported -50025 ms."""

from __future__ import annotations

import asyncio
import time

import pytest

from scheduler.core.strategies import strategy
from scheduler.invoke import invoke, steady
from scheduler.settings import Settings
from scheduler.store import open_store
from tests.scheduler.real import locked

from .test_store_cut import LIMIT, ready_gym

pytestmark = pytest.mark.long(10)  # seconds: see tests/conftest.py

STEP = 60.0
# The invocation ends by its limit; this much more is the loaded machine's, not the limit's.
LATE = 3.0


class SteppingBack:
    """The wall clock, stepped back ``STEP`` seconds after its first reading (an NTP step)."""

    def __init__(self) -> None:
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return time.time() - (STEP if self.readings > 1 else 0.0)


def test_a_steady_clock_reads_the_wall_once_and_never_steps_back() -> None:
    wall = SteppingBack()
    clock = steady(wall)
    first = clock()
    assert clock() >= first and wall.readings == 1


def test_an_invocation_under_a_lock_ends_by_its_limit_when_the_wall_clock_steps_back(
    sql_url: str,
) -> None:
    with ready_gym(sql_url) as aimharder, open_store(sql_url) as store:
        settings = Settings.from_environment(
            database_url=sql_url,
            aimharder_url=aimharder,
            max_duration=LIMIT,
            policy=strategy("parallel", max_duration=LIMIT, buffer=0.5),
        )
        with locked(sql_url):
            began = time.monotonic()
            answer = asyncio.run(invoke(settings, store, clock=SteppingBack()))
            lived = time.monotonic() - began
    assert lived < LIMIT + LATE, f"lived {lived:.1f} s against a {LIMIT} s limit"
    assert 0 <= answer.body["executionTimeMs"] <= (LIMIT + LATE) * 1000, answer.body
