"""How close a real invocation comes to its floor, measured in one run on this machine.

    parallel,   N=50, booking 200 ms: makespan / (latency + database time of one prebooking)
    sequential, N=20, booking 100 ms: makespan / (N x (latency + database time))

"Database time" is measured here too, on a copy of the same SQLite store: the mean time of the
four queries one prebooking costs (find ready, claim, get session, record the result). The mock
runs on 127.0.0.1 with a fixed latency; the scheduler is the real one (asyncio, httpx, SQLite).
Run from the top folder: .venv/bin/python -m benchmarks.scheduler_makespan
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from scheduler.core.domain import InstanceId, PrebookingId
from scheduler.core.status import Event
from scheduler.core.strategies import strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, open_store
from tests.scheduler.real import enqueue, log_in_all, mock_gym, users

ROUNDS = 3  # each case runs this many times; the median is reported


def database_time(path: Path, count: int = 40) -> float:
    """Mean seconds of find_ready + claim + get_session + record_result for one prebooking."""
    with open_store(path) as store:
        athletes = users(count)
        enqueue(store, athletes, available_at=time.time() - 1)
        durations = []
        for user in athletes:
            started = time.perf_counter()
            store.find_ready(time.time(), 50)
            store.claim(PrebookingId(f"pb-{user.split('@')[0]}"), InstanceId("bench"), time.time())
            store.get_session(user)
            store.record_result(
                PrebookingId(f"pb-{user.split('@')[0]}"),
                InstanceId("bench"),
                event=Event.COMPLETE,
                executed_at=time.time(),
                result=None,
                error=None,
                attempts=1,
            )
            durations.append(time.perf_counter() - started)
        return statistics.mean(durations)


def makespan(name: str, count: int, latency: float, folder: Path) -> float:
    fixed: dict[str, Any] = {"latency": {"book": {"inbound": {"kind": "fixed", "value": latency}}}}
    runs = []
    for round_ in range(ROUNDS):
        athletes = users(count)
        store: SqlStore
        with (
            open_store(folder / f"{name}-{round_}.sqlite") as store,
            mock_gym(count, **fixed) as url,
        ):
            log_in_all(store, url, athletes)
            enqueue(store, athletes, available_at=time.time() - 1)
            settings = Settings(database_url="unused", aimharder_url=url, policy=strategy(name))
            answer = asyncio.run(invoke(settings, store))
            assert answer.body["results"]["completed"] == count, answer.body
            runs.append(answer.body["executionTimeMs"] / 1000)
    return float(statistics.median(runs))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = database_time(folder / "calibration.sqlite")
        parallel = makespan("parallel", 50, 0.2, folder)
        sequential = makespan("sequential", 20, 0.1, folder)
    table = Table(title=f"real invocations against the mock (median of {ROUNDS} runs)")
    for column in ("case", "makespan (s)", "floor (s)", "ratio", "goal"):
        table.add_column(column)
    floor_p = 0.2 + db
    floor_s = 20 * (0.1 + db)
    table.add_row("parallel N=50, 200 ms", f"{parallel:.3f}", f"{floor_p:.3f}",
                  f"{parallel / floor_p:.3f}", "<= 1.10")  # fmt: skip
    table.add_row("sequential N=20, 100 ms", f"{sequential:.3f}", f"{floor_s:.3f}",
                  f"{sequential / floor_s:.3f}", "<= 1.05")  # fmt: skip
    console = Console()
    console.print(f"database time of one prebooking (4 queries, SQLite): {db * 1000:.2f} ms")
    console.print(table)


if __name__ == "__main__":
    main()
