"""Where a real invocation's send times spread, measured against a mock that adds no latency.

Each strategy runs ``ROUNDS`` real invocations of ``N`` ready prebookings (asyncio, httpx,
SQLite) against the mock on 127.0.0.1 with fixed booking delays (100 ms in, 100 ms back), taken
off, so what is left is the machinery's own. Measured per effect by wrapping the driver's world
(``scheduler.aio.RealWorld.perform``):

- start-up: the invocation's start (``asyncio.run``) to its first query;
- turn between effects: one effect's end (the store's thread done, the answer read) to the
  same flow's next effect (the thread's result back on the loop, the flow's own step, the
  driver);
- thread hand-off: a store call's submission to its start on the store's thread;
- store query: its run on that thread (claim, get session, mark result);
- send to parser: the flow's ``Book`` to the mock's HTTP parser stamping the request (asyncio,
  httpx, opening the connection, the loopback); the first send of an invocation opens the
  first connection, parallel's sends open one each, at once;
- server's lateness: the mock's handler journaling the booking after its inbound deadline
  (its event loop working through a burst, its timer waking late);
- answer back: the journal to the flow having the answer, the outbound delay taken off (the
  mock's timer, the response, httpx, the client's event loop);
- send spacing: between consecutive ``Book`` effects of one invocation, the planned gap
  (staggered: 50 ms) taken off; this is what the database and the event loop add.

Prints medians and p90s in milliseconds, and the calibration it implies for
``sim/scenarios/validate.toml``. Run: .venv/bin/python -m benchmarks.send_spread
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from scheduler import aio
from scheduler.core.effects import Book, FindReady
from scheduler.core.strategies import strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import open_store
from scheduler.store.perform import perform as store_perform
from tests.scheduler.real import enqueue, journal, log_in_all, mock_gym, users

N, ROUNDS = 10, 8
WAY = 0.1  # the mock's fixed inbound and outbound delay, taken off what is measured
FIXED = {"latency": {"book": {"inbound": WAY, "outbound": WAY}}}
STRATEGIES = ("sequential", "staggered", "batched", "parallel")

samples: dict[str, list[float]] = defaultdict(list)
books: list[tuple[str, float]] = []  # (user, the flow's Book) of the current invocation
answered: dict[str, float] = {}  # user -> when the flow had the answer
finished: dict[int, float] = {}  # asyncio task -> when its last effect ended
queries: list[float] = []  # when the current invocation asked for ready prebookings
overtaken: dict[str, list[float]] = defaultdict(list)  # share of pairs reaching the parser swapped


def _instrument() -> None:
    """Wrap the driver's world so every effect is timed (this process only)."""
    original = aio.RealWorld.perform

    async def timed(self: aio.RealWorld, effect: Any) -> Any:
        asked = time.time()
        task = id(asyncio.current_task())
        if task in finished:
            samples["turn between effects"].append(asked - finished.pop(task))
        if isinstance(effect, FindReady):
            queries.append(asked)
        if isinstance(effect, Book):
            books.append((effect.prebooking.user, asked))
            try:
                return await original(self, effect)
            finally:
                answered[effect.prebooking.user] = finished[task] = time.time()
        kind = type(effect).__name__

        def run() -> Any:
            started = time.time()
            samples["thread hand-off"].append(started - asked)
            try:
                return store_perform(self.store, effect)
            finally:
                finished[task] = time.time()
                samples[f"store {kind}"].append(finished[task] - started)

        return await asyncio.get_running_loop().run_in_executor(self.threads, run)

    aio.RealWorld.perform = timed  # type: ignore[method-assign]


def _round(name: str, folder: Path, index: int) -> None:
    athletes = users(N)
    books.clear()
    queries.clear()
    with open_store(folder / f"{name}-{index}.sqlite") as store, mock_gym(N, **FIXED) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        settings = Settings(database_url="unused", aimharder_url=url, policy=strategy(name))
        opening = time.time()
        asyncio.run(invoke(settings, store, started_at=opening))
        entries = {e["user"]: e for e in journal(url) if e["kind"] == "book"}
    samples["start-up"].append(queries[0] - opening)
    gap = strategy(name).gap
    asked = [t for _, t in books]
    for position, (user, at) in enumerate(books):
        entry = entries[user]
        which = "first" if position == 0 else "later"
        # received = the parser's stamp + the inbound delay; processed = the handler's turn
        samples[f"{name}: send to parser, {which}"].append(entry["received_wall"] - WAY - at)
        samples[f"{name}: server's lateness"].append(
            entry["processed_wall"] - entry["received_wall"]
        )
        samples[f"{name}: answer back"].append(answered[user] - entry["processed_wall"] - WAY)
    samples[f"{name}: send spacing"] += [b - a - gap for a, b in itertools.pairwise(asked)]
    arrived = [entries[user]["received_wall"] for user, _ in books]
    pairs = len(arrived) * (len(arrived) - 1) / 2
    crossed = sum(1 for i, a in enumerate(arrived) for b in arrived[i + 1 :] if b < a)
    overtaken[name].append(crossed / pairs)


def main() -> None:
    _instrument()
    with tempfile.TemporaryDirectory() as tmp:
        for name in STRATEGIES:
            for index in range(ROUNDS):
                _round(name, Path(tmp), index)
    title = f"{ROUNDS} real invocations of {N} per strategy, beyond the mock's delays (ms)"
    table = Table(title=title)
    for column in ("what", "count", "median", "mean", "p90", "max"):
        table.add_column(column)
    # A flow's turns include the invocation's waits for its children: only the short ones count.
    samples["turn between effects"] = [t for t in samples["turn between effects"] if t < 0.05]
    for what, values in sorted(samples.items()):
        ms = np.asarray(values) * 1000
        table.add_row(
            what,
            str(len(ms)),
            f"{statistics.median(ms):.2f}",
            f"{ms.mean():.2f}",
            f"{np.percentile(ms, 90):.2f}",
            f"{ms.max():.2f}",
        )
    console = Console()
    console.print(table)
    for name, rates in overtaken.items():
        console.print(
            f"{name}: pairs reaching the mock's parser in the opposite order of their Book: "
            f"{statistics.mean(rates):.3f} (mean of {len(rates)} invocations)"
        )


if __name__ == "__main__":
    main()
