"""How close a real invocation comes to its floor, measured in one run on this machine.

    parallel,   N=50, booking 200 ms: makespan / (latency + database time of one prebooking)
    sequential, N=20, booking 100 ms: makespan / (N x (latency + database time))

and one prebooking alone against the parallel floor (what the machine adds to any invocation),
on SQLite and on PostgreSQL (``HARNESS_TEST_PG_URL``, the tests' server by default; each case in
a schema of its own, dropped after). "Database time" is measured here too, on the same kind of
store: the mean time of the four queries one prebooking costs on its own (find ready, claim, get
session, record the result). The mock runs in its own process on 127.0.0.1 with a fixed latency
(in a thread of this one, its work would hold this interpreter's lock and count against the
scheduler); the scheduler is the real one (its HTTP client, the store), on the event loop it is
served on (uvloop, as ``python -m scheduler invoke`` runs it too).

Where the time goes (second table, for one prebooking and for parallel N=50): every request is
watched (``scheduler.connections.Watch``) and stamped when its flow asked for it, when
its last byte left, when it reached the mock (the mock's journal: arrival at its HTTP parser),
when the mock processed it, when its answer was heard and when its result was committed. The
segments run from the start to the latest of each stamp, so they add up to the invocation's
time. Below them: connections taken from the pool and opened by the requests, the CPU time
per booking of the scheduler's process (all its threads, then split: the event loop's thread,
which runs the flows, the driver and the HTTP client, and the store's threads) and of the
mock's, and the scheduler's CPU time until its last request was out (what the burst costs it,
whatever else runs on the machine).

Run from the top folder: .venv/bin/python -m benchmarks.scheduler_makespan
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from harness.children import cpu_seconds, mock_child
from harness.gym import SEED, enqueue, gym_config, journal, log_in_all, users
from harness.mocks import reset_mock
from scheduler.aio import run
from scheduler.client import SESSION_COOKIE
from scheduler.core.domain import InstanceId, PrebookingId, UserId
from scheduler.core.effects import MarkResult
from scheduler.core.status import Event
from scheduler.core.strategies import strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, normalize_url

ROUNDS = 5  # each case runs this many times; the median is reported
PG_URL = os.environ.get("HARNESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class StampedStore(SqlStore):
    """A ``SqlStore`` that notes when each prebooking's result was committed."""

    def __init__(self, url: str | os.PathLike[str]) -> None:
        super().__init__(url)
        self.recorded: dict[PrebookingId, float] = {}

    def record_result(self, prebooking_id: PrebookingId, *args: Any, **kwargs: Any) -> bool:
        written = super().record_result(prebooking_id, *args, **kwargs)
        self.recorded[prebooking_id] = time.time()
        return written

    def record_results(self, marks: Sequence[MarkResult]) -> list[bool]:
        written = super().record_results(marks)
        now = time.time()
        self.recorded.update((mark.prebooking_id, now) for mark in marks)
        return written


@contextmanager
def fresh_store(kind: str, folder: Path, name: str) -> Iterator[StampedStore]:
    """An empty store: a SQLite file in ``folder``, or a new PostgreSQL schema."""
    if kind == "sqlite":
        with StampedStore(folder / f"{name}.sqlite") as store:
            yield store
        return
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(normalize_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = normalize_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        with StampedStore(url.render_as_string(hide_password=False)) as store:
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


@dataclass(slots=True)
class Watch:
    """Stamps of every request one invocation sends, by user (told apart by session cookie),
    as the scheduler's connections tell them (``scheduler.connections.Watch``)."""

    users_by_cookie: dict[str, UserId]
    out_at: dict[UserId, float] = field(default_factory=dict)  # the request was written whole
    out_cpu: float = 0.0  # this process's CPU time when the last of them was
    heard_at: dict[UserId, float] = field(default_factory=dict)  # its answer was read
    opened: int = 0  # connections the requests opened themselves
    reused: int = 0  # connections they took from the pool (opened ahead)

    def taken(self, *, opened: bool) -> None:
        if opened:
            self.opened += 1
        else:
            self.reused += 1

    def sent(self, headers: Mapping[str, str]) -> None:
        self.out_at[self._user(headers)] = time.time()
        self.out_cpu = time.process_time()

    def heard(self, headers: Mapping[str, str]) -> None:
        self.heard_at[self._user(headers)] = time.time()

    def _user(self, headers: Mapping[str, str]) -> UserId:
        return self.users_by_cookie[_session_cookie(headers.get("cookie", ""))]


def _session_cookie(header: str) -> str:
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == SESSION_COOKIE:
            return value
    raise ValueError(f"no {SESSION_COOKIE} in the request's cookies: {header!r}")


STAGES = (
    ("asked", "start to the first send asked (find ready, claims, sessions)"),
    ("asked_last", "first to last send asked"),
    ("out", "to the last request's last byte out"),
    ("reached", "to the last arrival at the mock"),
    ("processed", "to the last processed by the mock, less the latency"),
    ("heard", "to the last answer heard"),
    ("recorded", "to the last result committed"),
    ("finished", "to the invocation's end"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """One invocation: seconds after its start at which the last request of each stage got
    there (``first_asked`` for the first), and what it cost."""

    makespan: float
    latency: float  # the mock's, configured
    at: dict[str, float]  # stage -> seconds after the start (STAGES' keys)
    opened: int  # connections the requests opened themselves
    reused: int  # connections they took from the pool
    scheduler_cpu: float  # seconds, all its threads
    loop_cpu: float  # of those, the event loop's thread (flows, driver, HTTP)
    cpu_until_out: float  # of those, spent before the last request was out
    mock_cpu: float | None  # seconds; None where /proc cannot say


def _timeline(
    answer_body: dict[str, Any],
    report: Any,
    watch: Watch,
    store: StampedStore,
    entries: list[dict[str, Any]],
    *,
    latency: float,
    cpu: tuple[float, float | None, float],
    loop_cpu: float,
) -> Timeline:
    start = report.started_at
    asked = [o.sent_at[0] for o in report.outcomes if o.sent_at]
    stamps = {
        "asked": min(asked),
        "asked_last": max(asked),
        "out": max(watch.out_at.values()),
        "reached": max(e["received_wall"] - latency for e in entries),  # received: + inbound
        "processed": max(e["processed_wall"] for e in entries),
        "heard": max(watch.heard_at.values()),
        "recorded": max(store.recorded.values()),
        "finished": report.finished_at,
    }
    return Timeline(
        makespan=answer_body["executionTimeMs"] / 1000,
        latency=latency,
        at={stage: t - start for stage, t in stamps.items()},
        opened=watch.opened,
        reused=watch.reused,
        scheduler_cpu=cpu[0],
        loop_cpu=loop_cpu,
        cpu_until_out=watch.out_cpu - cpu[2],
        mock_cpu=cpu[1],
    )


def makespan(
    kind: str, name: str, count: int, latency: float, folder: Path, *, watched: bool = False
) -> tuple[float, float, Timeline | None, float]:
    """The median makespan of ``ROUNDS`` invocations and their median CPU time per booking
    (the scheduler's process, all its threads); ``watched``: with every request watched, and
    the timeline of the median one (the watching costs some CPU per request, so the first
    table's makespans and CPU are of invocations nobody watched); last, the makespan of the
    store's first invocation, not counted in the median.

    The invocations share one store, as those of a served scheduler do (``scheduler.app``
    opens one for the process): its first invocation also compiles the store's statements
    (SQLAlchemy caches them per engine; about 10 ms of a store thread at N=50 on SQLite),
    which every later one finds done. Each round resets the mock (``POST /_admin/reset``),
    logs the athletes in again and gives them new prebookings."""
    fixed: dict[str, Any] = {"latency": {"book": {"inbound": {"kind": "fixed", "value": latency}}}}
    makespans: list[float] = []
    cpus: list[float] = []
    runs: list[Timeline] = []
    first = 0.0
    athletes = users(count)
    with (
        fresh_store(kind, folder, f"{name}-{count}-{watched}") as store,
        mock_child(gym_config(count, **fixed), seed=SEED) as mock,
    ):
        for round_ in range(ROUNDS + 1):
            reset_mock(mock.url, SEED)
            log_in_all(store, mock.url, athletes)
            enqueue(store, athletes, available_at=time.time() - 1, tag=f"r{round_}-")
            store.recorded.clear()
            watch = Watch(users_by_cookie=_cookies(store, athletes)) if watched else None
            settings = Settings(
                database_url="unused", aimharder_url=mock.url, policy=strategy(name)
            )
            mock_before, cpu_before = _mock_cpu(mock.pid), time.process_time()
            loop_before = time.thread_time()  # the loop runs in this thread
            answer = run(invoke(settings, store, watch=watch))
            loop_after = time.thread_time()
            cpu_after, mock_after = time.process_time(), _mock_cpu(mock.pid)
            assert answer.body["results"]["completed"] == count, answer.body
            if round_ == 0:
                first = answer.body["executionTimeMs"] / 1000
                continue
            makespans.append(answer.body["executionTimeMs"] / 1000)
            cpus.append((cpu_after - cpu_before) / count)
            if watch is None:
                continue
            mock_cpu = (
                None if mock_before is None or mock_after is None else mock_after - mock_before
            )
            runs.append(
                _timeline(
                    answer.body,
                    answer.report,
                    watch,
                    store,
                    journal(mock.url),
                    latency=latency,
                    cpu=(cpu_after - cpu_before, mock_cpu, cpu_before),
                    loop_cpu=loop_after - loop_before,
                )
            )
    middle = sorted(runs, key=lambda run: run.makespan)[len(runs) // 2] if runs else None
    return float(statistics.median(makespans)), float(statistics.median(cpus)), middle, first


def _cookies(store: SqlStore, athletes: list[UserId]) -> dict[str, UserId]:
    cookies = {}
    for user in athletes:
        session = store.get_session(user)
        if session is None:
            raise RuntimeError(f"{user} did not log in")
        cookies[session.cookies[SESSION_COOKIE]] = user
    return cookies


def _mock_cpu(pid: int) -> float | None:
    try:
        return cpu_seconds(pid)
    except OSError:  # no /proc here
        return None


def breakdown(cases: dict[str, Timeline], count: dict[str, int]) -> Table:
    """Per case: each stage's milliseconds after the previous one, then costs per booking."""
    table = Table(title=f"where the time goes (ms; the median of {ROUNDS} watched runs)")
    table.add_column("stage")
    for case in cases:
        table.add_column(case)
    previous = dict.fromkeys(cases, 0.0)
    for stage, label in STAGES:
        cells = []
        for case, timeline in cases.items():
            less = timeline.latency if stage == "processed" else 0.0
            cells.append(f"{1000 * (timeline.at[stage] - previous[case] - less):.1f}")
            previous[case] = timeline.at[stage]
        table.add_row(label, *cells)
    table.add_row(
        "latency (configured)", *(f"{1000 * timeline.latency:.1f}" for timeline in cases.values())
    )
    table.add_row("makespan", *(f"{1000 * timeline.makespan:.1f}" for timeline in cases.values()))
    table.add_row(
        "connections taken from the pool (opened ahead, while the claims ran)",
        *(str(timeline.reused) for timeline in cases.values()),
    )
    table.add_row(
        "connections the requests opened themselves",
        *(str(timeline.opened) for timeline in cases.values()),
    )
    table.add_row(
        "scheduler CPU per booking (ms)",
        *(f"{1000 * timeline.scheduler_cpu / count[case]:.2f}" for case, timeline in cases.items()),
    )
    table.add_row(
        "  of which the event loop's thread (flows, driver, HTTP)",
        *(f"{1000 * timeline.loop_cpu / count[case]:.2f}" for case, timeline in cases.items()),
    )
    table.add_row(
        "  of which the store's threads (and any other)",
        *(
            f"{1000 * (timeline.scheduler_cpu - timeline.loop_cpu) / count[case]:.2f}"
            for case, timeline in cases.items()
        ),
    )
    table.add_row(
        "scheduler CPU until the last request was out (ms)",
        *(f"{1000 * timeline.cpu_until_out:.1f}" for timeline in cases.values()),
    )
    table.add_row(
        "mock CPU per booking (ms)",
        *(
            "n/a" if timeline.mock_cpu is None else f"{1000 * timeline.mock_cpu / count[case]:.2f}"
            for case, timeline in cases.items()
        ),
    )
    return table


def main() -> None:
    table = Table(
        title=f"real invocations against the mock (median of {ROUNDS} runs on a warm store)"
    )
    columns = ("store", "case", "makespan (s)", "floor (s)", "ratio", "goal", "CPU/booking (ms)",
               "a new store's first invocation (s)")  # fmt: skip
    for column in columns:
        table.add_column(column)
    console = Console(width=130)
    console.print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    timelines: dict[str, Timeline] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind, goal in (("sqlite", "<= 1.10"), ("postgresql", "<= 1.15")):
            db = database_time(kind, folder)
            console.print(
                f"database time of one prebooking (4 queries, {kind}): {db * 1000:.2f} ms"
            )
            parallel, parallel_cpu, _, parallel_first = makespan(kind, "parallel", 50, 0.2, folder)
            sequential, sequential_cpu, _, sequential_first = makespan(
                kind, "sequential", 20, 0.1, folder
            )
            alone, alone_cpu, _, alone_first = makespan(kind, "parallel", 1, 0.2, folder)
            for count in (1, 50):
                _, _, watched, _ = makespan(kind, "parallel", count, 0.2, folder, watched=True)
                assert watched is not None
                timelines[f"{kind} N={count}"], counts[f"{kind} N={count}"] = watched, count
            floor_p = 0.2 + db
            floor_s = 20 * (0.1 + db)
            # One prebooking against the same floor: what this machine adds to any invocation
            # (start-up, one HTTP round trip, the mock's own work), whatever N.
            table.add_row(kind, "one prebooking, 200 ms", f"{alone:.3f}", f"{floor_p:.3f}",
                          f"{alone / floor_p:.3f}", "(reference)",
                          f"{alone_cpu * 1000:.2f}", f"{alone_first:.3f}")  # fmt: skip
            table.add_row(kind, "parallel N=50, 200 ms", f"{parallel:.3f}", f"{floor_p:.3f}",
                          f"{parallel / floor_p:.3f}", goal,
                          f"{parallel_cpu * 1000:.2f} (goal <= 0.40)",
                          f"{parallel_first:.3f}")  # fmt: skip
            table.add_row(kind, "sequential N=20, 100 ms", f"{sequential:.3f}", f"{floor_s:.3f}",
                          f"{sequential / floor_s:.3f}", "<= 1.05",
                          f"{sequential_cpu * 1000:.2f}", f"{sequential_first:.3f}")  # fmt: skip
    console.print(table)
    console.print(breakdown(timelines, counts))
    console.print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
