"""How close a real invocation comes to its floor, measured in one run on this machine.

    parallel,   N=50, booking 200 ms: makespan / (latency + database time of one prebooking)
    sequential, N=20, booking 100 ms: makespan / (N x (latency + database time))

and one prebooking alone against the parallel floor (what the machine adds to any invocation),
on SQLite and on PostgreSQL (``HARNESS_TEST_PG_URL``, the tests' server by default; each case in
a schema of its own, dropped after). "Database time" is measured here too, on the same kind of
store: the mean time of the four queries one prebooking costs on its own (find ready, claim, get
session, record the result). The mock runs in its own process on 127.0.0.1 with a fixed latency
(in a thread of this one, its work would hold this interpreter's lock and count against the
scheduler); the scheduler is the real one (asyncio, httpx, the store).
Run from the top folder: .venv/bin/python -m benchmarks.scheduler_makespan
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from scheduler.core.domain import InstanceId, PrebookingId
from scheduler.core.status import Event
from scheduler.core.strategies import strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, normalize_url, open_store
from tests.scheduler.real import enqueue, log_in_all, mock_gym, users

ROUNDS = 3  # each case runs this many times; the median is reported
PG_URL = os.environ.get("HARNESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_store(kind: str, folder: Path, name: str) -> Iterator[SqlStore]:
    """An empty store: a SQLite file in ``folder``, or a new PostgreSQL schema."""
    if kind == "sqlite":
        with open_store(folder / f"{name}.sqlite") as store:
            yield store
        return
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(normalize_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = normalize_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        with open_store(url.render_as_string(hide_password=False)) as store:
            yield store
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def database_time(kind: str, folder: Path, count: int = 40) -> float:
    """Mean seconds of find_ready + claim + get_session + record_result for one prebooking."""
    with fresh_store(kind, folder, "calibration") as store:
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


def makespan(kind: str, name: str, count: int, latency: float, folder: Path) -> float:
    fixed: dict[str, Any] = {"latency": {"book": {"inbound": {"kind": "fixed", "value": latency}}}}
    runs = []
    for round_ in range(ROUNDS):
        athletes = users(count)
        with (
            fresh_store(kind, folder, f"{name}-{count}-{round_}") as store,
            mock_gym(count, own_process=True, **fixed) as url,
        ):
            log_in_all(store, url, athletes)
            enqueue(store, athletes, available_at=time.time() - 1)
            settings = Settings(database_url="unused", aimharder_url=url, policy=strategy(name))
            answer = asyncio.run(invoke(settings, store))
            assert answer.body["results"]["completed"] == count, answer.body
            runs.append(answer.body["executionTimeMs"] / 1000)
    return float(statistics.median(runs))


def main() -> None:
    table = Table(title=f"real invocations against the mock (median of {ROUNDS} runs)")
    for column in ("store", "case", "makespan (s)", "floor (s)", "ratio", "goal"):
        table.add_column(column)
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind, goal in (("sqlite", "<= 1.10"), ("postgresql", "<= 1.15")):
            db = database_time(kind, folder)
            console.print(
                f"database time of one prebooking (4 queries, {kind}): {db * 1000:.2f} ms"
            )
            parallel = makespan(kind, "parallel", 50, 0.2, folder)
            sequential = makespan(kind, "sequential", 20, 0.1, folder)
            alone = makespan(kind, "parallel", 1, 0.2, folder)
            floor_p = 0.2 + db
            floor_s = 20 * (0.1 + db)
            # One prebooking against the same floor: what this machine adds to any invocation
            # (start-up, one HTTP round trip, the mock's own work), whatever N.
            table.add_row(kind, "one prebooking, 200 ms", f"{alone:.3f}", f"{floor_p:.3f}",
                          f"{alone / floor_p:.3f}", "(reference)")  # fmt: skip
            table.add_row(kind, "parallel N=50, 200 ms", f"{parallel:.3f}", f"{floor_p:.3f}",
                          f"{parallel / floor_p:.3f}", goal)  # fmt: skip
            table.add_row(kind, "sequential N=20, 100 ms", f"{sequential:.3f}", f"{floor_s:.3f}",
                          f"{sequential / floor_s:.3f}", "<= 1.05")  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
