"""The scheduler's own machinery measured on real invocations, and the model's tables it implies.

Real invocations (``sim.validation.real``) against a mock whose booking delays are a fixed 100
ms each
way leave, once those are taken off, what the scheduler itself spends. Every effect and store
batch is timed by the driver's tracing hook (``scheduler.tracing``):

- start-up: the invocation's start to its first query;
- turn: one effect's end (the store's thread done, the answer read) to the same flow's next
  effect (the thread's result back on the loop, the flow's own step, the driver);
- thread hand-off: a store call's submission to its start on the store's thread;
- store query: its run on that thread (find ready, claim, get session, mark result);
- send: the flow's ``Book`` to the mock handling it, its inbound delay taken off (asyncio,
  httpx, opening a connection when none is idle, the loopback, the mock's own lateness); the
  first send of an invocation opens the first connection, parallel's open one each, at once;
- answer back: the mock's handling to the flow having the answer, its outbound delay taken off;
- send spacing: between consecutive ``Book`` effects of one invocation, the planned gap
  taken off (what the database and the event loop add).

``measure`` runs them in turns (one of each strategy, then again), so that a machine whose load
changes while it measures weighs on every strategy alike; ``sim.validation.compare``
interleaves them with
its own real runs for the same reason. ``calibration`` turns them into the model's ``[client]``
and ``[database]`` tables: each a log-normal with the measured median and mean. The mean matters
because the tails are long on a busy machine (a thread hand-off's mean is several times its
median when other processes hold the cores), and every measure the model is checked on is a mean
or a sum of these.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, assert_never

from commandline.stages import SILENT, Stages
from harness.mocks import MockFor, reused_mocks
from mock_aimharder.model.distributions import Distribution, Fixed, LogNormal
from scheduler.core.effects import Book, FindReady
from scheduler.core.strategies import strategy
from scheduler.tracing import BatchRan, EffectAnswered, EffectAsked, TraceEvent
from sim.scenario import Scenario
from sim.validation.real import real_invocation

__all__ = [
    "WAY",
    "Machinery",
    "calibrated",
    "calibration",
    "calibration_toml",
    "measure",
    "measure_one",
    "quantities",
]

WAY = 0.1  # the mock's fixed inbound and outbound delay, taken off what is measured
MAX_SIGMA = 3.0  # a log-normal wider than this is one outlier, not a shape
TURN_CUTOFF = 0.05  # a flow's longer turns are waits for its children, not the loop's turn
Tables: TypeAlias = dict[str, dict[str, Distribution]]  # [client] and [database]
STORE_QUERIES = {
    "FindReady": "find_ready",
    "Claim": "claim",
    "GetSession": "get_session",
    "MarkResult": "mark_result",
}


@dataclass(slots=True)
class Machinery:
    """Seconds per component (``start-up``, ``turn``, ``thread hand-off``, ``store claim``,
    ...; per strategy: ``{name}: send, first``, ``send, later``, ``answer back``, ``send
    spacing``), and per strategy the share of pairs reaching the mock swapped."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    overtaken: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


class _Invocation:
    """One invocation as the driver's tracer tells it (``scheduler.tracing``): its effects and
    its store batches, timed into ``machinery``'s samples of strategy ``name``."""

    def __init__(self, machinery: Machinery, name: str) -> None:
        self.samples, self.name = machinery.samples, name
        self.books: list[tuple[str, float]] = []  # (user, the flow's Book)
        self.answered: dict[str, float] = {}  # user -> the flow had the answer
        self.finished: dict[int, float] = {}  # flow -> its last effect ended
        self.queries: list[float] = []  # asked for ready prebookings
        self.thread_free: dict[int, float] = {}  # thread -> its last batch ended
        self.asked_at: dict[int, float] = {}  # an effect (its id) -> when its flow asked
        self.ended_at: dict[int, float] = {}  # -> when its batch ended on the store's thread

    def __call__(self, event: TraceEvent) -> None:
        match event:
            case EffectAsked(effect=effect, flow=flow, at=asked):
                if flow in self.finished:
                    turn = asked - self.finished.pop(flow)
                    if turn < TURN_CUTOFF:
                        self.samples[f"{self.name}: turn"].append(turn)
                if isinstance(effect, FindReady):
                    self.queries.append(asked)
                if isinstance(effect, Book):
                    self.books.append((effect.prebooking.user, asked))
                self.asked_at[id(effect)] = asked
            case EffectAnswered(effect=effect, flow=flow, at=at):
                # A store call's turn counts from its thread's end: its way back to the loop
                # is the flow's turn, as in the model.
                self.finished[flow] = self.ended_at.pop(id(effect), 0.0) or at
                if isinstance(effect, Book):
                    self.answered[effect.prebooking.user] = self.finished[flow]
            case BatchRan(effects=effects, thread=thread, started=started, ended=ended):
                self._batch(effects, thread, started, ended)
            case _:
                assert_never(event)

    def _batch(self, effects: Sequence[Any], thread: int, started: float, ended: float) -> None:
        latest = max(self.asked_at.get(id(e), started) for e in effects)
        free = self.thread_free.get(thread, 0.0)
        if free <= latest:  # the thread was idle: the hand-off alone
            self.samples[f"{self.name}: thread hand-off"].append(started - latest)
        else:  # it was busy with an earlier batch: its turn from that one to this
            self.samples[f"{self.name}: thread turnaround"].append(started - free)
        self.thread_free[thread] = ended
        for effect in effects:
            self.ended_at[id(effect)] = ended
        kind = STORE_QUERIES.get(type(effects[0]).__name__, type(effects[0]).__name__)
        self.samples[f"store {kind}"].append(ended - started)


def measure(
    strategies: Sequence[str], rounds: int, *, load: int = 10, progress: Stages = SILENT
) -> Machinery:
    """``rounds`` real invocations of ``load`` ready prebookings per strategy, timed."""
    machinery = Machinery()
    stage = progress.stage("measuring the machinery", len(strategies) * rounds)
    with reused_mocks() as mocks, stage as advance:
        for index, name in itertools.product(range(rounds), strategies):
            measure_one(machinery, name, index, load=load, mocks=mocks)
            advance(1)
    return machinery


def measure_one(
    machinery: Machinery, name: str, index: int, *, load: int = 10, mocks: MockFor | None = None
) -> None:
    """One real invocation of ``name`` (mock seed ``index``), its timings added to
    ``machinery``; ``mocks``: where its mock comes from (``harness.mocks``)."""
    seen = _Invocation(machinery, name)
    run = real_invocation(
        policy=strategy(name),
        latency={"book": {"inbound": WAY, "outbound": WAY}},
        load=load,
        seed=index,
        max_duration=10.0,
        created_seed=[index],
        tracer=seen,
        mocks=mocks,
    )
    _record(machinery, name, seen, run.opening, run.entries)


def _record(
    machinery: Machinery,
    name: str,
    seen: _Invocation,
    opening: float,
    entries: list[dict[str, Any]],
) -> None:
    samples = machinery.samples
    samples["start-up"].append(seen.queries[0] - opening)
    handled = {e["user"]: e for e in entries if e["kind"] == "book"}
    for position, (user, at) in enumerate(seen.books):
        entry = handled[user]
        which = "first" if position == 0 else "later"
        samples[f"{name}: send, {which}"].append(entry["processed_wall"] - WAY - at)
        samples[f"{name}: answer back"].append(seen.answered[user] - entry["processed_wall"] - WAY)
    gap = strategy(name).gap
    asked = [t for _, t in seen.books]
    samples[f"{name}: send spacing"] += [b - a - gap for a, b in itertools.pairwise(asked)]
    arrived = [handled[user]["received_wall"] for user, _ in seen.books]
    pairs = len(arrived) * (len(arrived) - 1) / 2
    crossed = sum(1 for i, a in enumerate(arrived) for b in arrived[i + 1 :] if b < a)
    machinery.overtaken[name].append(crossed / pairs if pairs else 0.0)


def _fit(values: Sequence[float]) -> LogNormal:
    """The log-normal with the sample's median and mean (a mean at or below the median: the
    narrowest shape)."""
    median = max(statistics.median(values), 1e-5)
    mean = statistics.fmean(values)
    sigma = math.sqrt(2 * math.log(mean / median)) if mean > median * 1.005 else 0.1
    sigma = min(sigma, MAX_SIGMA)
    return LogNormal.of_spread(median, sigma)


def quantities(d: Distribution) -> tuple[float, float, float]:
    """Median, mean and p99 of a fitted distribution (a log-normal, or a fixed value)."""
    if isinstance(d, LogNormal):
        return d.median, d.mean, d.p99
    assert isinstance(d, Fixed)  # calibration makes nothing else
    return d.value, d.value, d.value


def _of(machinery: Machinery, what: str, names: Sequence[str]) -> list[float]:
    return [v for n in names for v in machinery.samples.get(f"{n}: {what}", [])]


def calibration(machinery: Machinery, *, load: int = 10) -> Tables:
    """The ``[client]`` and ``[database]`` distributions the measurements imply.

    ``send`` and ``receive`` come from the strategies that send over idle connections one at
    a time; ``connect`` is a first send's excess over them; ``connect_each`` what parallel's
    burst of ``load`` connections adds per further connection (the model's round:
    ``connect`` + ``connect_each`` per further one, then ``send``)."""
    samples = machinery.samples
    one_at_a_time = [
        n for n in ("sequential", "staggered", "batched") if f"{n}: send, later" in samples
    ]
    send = _of(machinery, "send, later", one_at_a_time)
    usual = statistics.median(send)
    client: dict[str, Distribution] = {
        "startup": _fit(samples["start-up"]),
        "turn": _fit(_of(machinery, "turn", one_at_a_time)),
        "handoff": _fit(_of(machinery, "thread hand-off", one_at_a_time)),
        "send": _fit(send),
        "receive": _fit(_of(machinery, "answer back", one_at_a_time)),
        "connect": _fit(
            [max(v - usual, 1e-4) for v in _of(machinery, "send, first", one_at_a_time)]
        ),
    }
    burst = _of(machinery, "send, later", ["parallel"])
    if burst and load > 1:
        opening = quantities(client["connect"])[0]
        client["connect_each"] = _fit(
            [max((v - opening - usual) / (load - 1), 1e-4) for v in burst]
        )
    # A session read with its claim (``scheduler.gathering``) has no query of its own.
    database: dict[str, Distribution] = {
        query: _fit(samples[f"store {query}"]) if samples.get(f"store {query}") else Fixed()
        for query in STORE_QUERIES.values()
    }
    return {"client": client, "database": database}


def calibrated(scenario: Scenario, tables: Tables) -> Scenario:
    """``scenario`` with its machinery and query times replaced by ``tables``."""
    return scenario.variant(client=tables["client"], database=tables["database"])


def calibration_toml(tables: Tables) -> str:
    """The tables as TOML to paste into a scenario (medians and p99s in seconds)."""
    lines = []
    for table, distributions in tables.items():
        lines.append(f"[{table}]")
        for name, d in distributions.items():
            fields = ", ".join(
                f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value:.6g}"
                for key, value in d.model_dump().items()
            )
            lines.append(f"{name} = {{ {fields} }}")
        lines.append("")
    return "\n".join(lines)
