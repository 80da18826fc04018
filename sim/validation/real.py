"""One invocation for real: the mock AimHarder in its own process, the real scheduler, SQLite.

What the model is checked against (``sim.validation.compare``) and what its machinery is measured on
(``sim.validation.calibration``): ``load`` logged-in users, one ready prebooking each in one
class, the
rows stored first (as they would be long before a real opening), then one invocation started
the way the cron endpoint starts it. Makespan and times to book count from that start, as in
the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.children import mock_process
from harness.gym import enqueue, gym_config, log_in_all, users
from harness.journal import journal_entries
from harness.mocks import MockFor
from scheduler.core.domain import Prebooking
from scheduler.core.strategies import PolicyConfig
from scheduler.invoke import Answer, invoke
from scheduler.settings import Settings
from scheduler.store import open_store
from scheduler.tracing import Tracer

__all__ = ["RealRun", "real_invocation"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RealRun:
    opening: float  # the invocation's start (wall clock)
    answer: Answer
    rows: list[Prebooking]  # the store's rows after it
    entries: list[dict[str, Any]]  # the mock's journal


def real_invocation(
    *,
    policy: PolicyConfig,
    latency: Mapping[str, Any],
    load: int,
    seed: int,
    max_duration: float,
    created_seed: list[int],
    tracer: Tracer | None = None,
    mocks: MockFor | None = None,
) -> RealRun:
    """``latency``: the mock's per-endpoint latencies; ``seed``: its random draws;
    ``created_seed``: the draws of when each user asked (in the last day); ``tracer``: told of
    the invocation's every effect and store batch (``scheduler.tracing``); ``mocks``: where
    the mock comes from (``harness.mocks``: one process reset for each run), else a process of
    its own."""
    rng = np.random.default_rng(created_seed)
    athletes = users(load)
    mock = gym_config(load, capacity=load, latency=dict(latency))
    serving = contextlib.nullcontext(mocks(mock, seed)) if mocks else mock_process(mock, seed=seed)
    with tempfile.TemporaryDirectory() as folder, serving as url:
        with open_store(Path(folder) / "validate.sqlite") as store:
            log_in_all(store, url, athletes)
            ready = time.time()
            created = ready - rng.uniform(0, 86_400, size=load)
            enqueue(store, athletes, available_at=ready, created_at=[float(c) for c in created])
            # The rows are in (as they would be long before a real opening): the invocation
            # starts now, and makespan and time to book count from here, as in the model.
            opening = time.time()
            settings = Settings(
                database_url="unused",
                aimharder_url=url,
                policy=policy,
                max_duration=max_duration,
            )
            answer = asyncio.run(invoke(settings, store, started_at=opening, tracer=tracer))
            rows = store.list()
        entries = journal_entries(url)
    return RealRun(opening=opening, answer=answer, rows=rows, entries=entries)
