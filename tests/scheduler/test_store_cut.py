"""The limit is the limit: under a lock held past the platform's limit, an invocation's store
work ends at the cut and nothing it started commits afterwards, on SQLite and PostgreSQL.

The old scheduler answered 504 on time, but its store threads waited on (busy timeout, no
``lock_timeout``) and committed their claims once the lock went: ``scheduler invoke`` lived
until then, and rows were claimed after the answer.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from harness.gym import enqueue, journal, log_in_all, users
from scheduler.core.domain import PrebookingId
from scheduler.core.errors import StoreError
from scheduler.core.status import Status
from scheduler.core.strategies import strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import open_store
from scheduler.store.cut import Cut
from tests.scheduler.real import locked, mock_gym

from .test_store_contract import T0, A, new

pytestmark = pytest.mark.long(12)  # seconds: see tests/conftest.py

LIMIT = 2.0  # seconds: the platform's limit for these invocations
# Seconds for ``scheduler invoke`` to start, run to its limit and exit: its start-up on a
# loaded machine takes most of it.
EXIT_WITHIN = LIMIT + 40.0
ATHLETES = 4
POLICY = ["--strategy", "parallel", "--max-duration", str(LIMIT), "--buffer", "0.5"]


def untouched(url: str) -> None:
    """Every prebooking as it was added: pending, never claimed, never sent."""
    with open_store(url) as store:
        rows = store.list()
    assert [(p.status, p.claimed_by, p.attempts) for p in rows] == [
        (Status.PENDING, None, 0)
    ] * ATHLETES


def nothing_decided(results: dict[str, int] | None) -> bool:
    """Cut (504: nothing known), or every claim gave up at the cut or was skipped by the guard."""
    if results is None:
        return True
    return results["storeErrors"] + results["skipped"] == ATHLETES


@contextmanager
def ready_gym(url: str) -> Iterator[str]:
    """The mock, and a store at ``url`` with a ready prebooking per athlete; yields the mock."""
    athletes = users(ATHLETES)
    with mock_gym(ATHLETES) as aimharder:
        with open_store(url) as store:
            log_in_all(store, aimharder, athletes)
            enqueue(store, athletes, available_at=time.time() - 1)
        yield aimharder


def test_scheduler_invoke_ends_at_its_limit_and_commits_nothing_after(sql_url: str) -> None:
    with ready_gym(sql_url) as aimharder:
        command = [sys.executable, "-m", "scheduler", "invoke", "--json", "--db", sql_url]
        command += ["--aimharder-url", aimharder, *POLICY]
        # Held until the process has exited: it must end on its own while the lock is held
        # (the old one waited for the lock, on PostgreSQL for ever: the timeout here).
        with locked(sql_url):
            done = subprocess.run(
                command, check=False, capture_output=True, text=True, timeout=EXIT_WITHIN
            )
        # The lock is gone: a thread still waiting on it would have committed by now, since
        # the process it belonged to has exited.
        untouched(sql_url)
        assert journal(aimharder) == []
    answer = json.loads(done.stdout)
    assert done.returncode in (0, 1), done.stderr
    assert nothing_decided(answer["results"]), answer


def test_a_served_invocation_leaves_no_store_work_behind_its_504(sql_url: str) -> None:
    with ready_gym(sql_url) as aimharder:
        with open_store(sql_url) as store:
            settings = Settings.from_environment(
                database_url=sql_url,
                aimharder_url=aimharder,
                max_duration=LIMIT,
                policy=strategy("parallel", max_duration=LIMIT, buffer=0.5),
            )
            with locked(sql_url):  # held until the answer is in and the test lets it go
                answer = asyncio.run(invoke(settings, store))
            # The invocation's store threads (``store-<id>``) end on their own: none is left
            # to commit once the lock is gone. Joined, not slept for.
            prefix = f"store-{answer.body['instanceId'][:8]}"
            for thread in threading.enumerate():
                if thread.name.startswith(prefix):
                    thread.join(timeout=LIMIT + 5)
                    assert not thread.is_alive(), f"{thread.name} still waits on the store"
        untouched(sql_url)
        assert journal(aimharder) == []
    assert answer.status in (504, 200), answer.body
    assert nothing_decided(answer.body["results"]), answer.body


def test_a_stopped_or_passed_cut_refuses_to_start_anything(sql_url: str) -> None:
    with open_store(sql_url) as store:
        store.add([new(1), new(2)])
        stopped, passed = Cut(time.time() + 60), Cut(time.time() - 1)
        stopped.stop()
        for cut, pid in ((stopped, "p001"), (passed, "p002")):
            with cut.applied(), pytest.raises(StoreError, match=r"claim on \S+: not started, "):
                store.claim(PrebookingId(pid), A, T0)
        assert [p.status for p in store.list()] == [Status.PENDING] * 2


def test_a_bounded_stop_does_not_wait_on_a_hung_commit_and_nothing_commits_after_it() -> None:
    cut, committing, release = Cut(time.time() + 60), threading.Event(), threading.Event()

    def hung_commit() -> None:
        with cut.committing("claim on p001"):
            committing.set()
            release.wait(30)

    holder = threading.Thread(target=hung_commit)
    holder.start()
    try:
        assert committing.wait(10)
        stopped_cleanly = cut.stop(within=0.01)
        still_hung = not release.is_set()
    finally:
        release.set()
        holder.join(10)
    assert (stopped_cleanly, still_hung) == (False, True)  # it came back while the commit hung
    refused = pytest.raises(StoreError, match="not committed, the invocation was cut")
    with refused, cut.committing("claim on p002"):
        pass
