"""Whole invocations under any policy, latencies and answers: the rules that always hold.

Each example runs ``run_invocation`` in the scripted driver and checks the trace: nothing is
started twice or lost, starts are FIFO and never after the cut-off, the cap, the gap, the batches
and their barrier and pause are kept, and no request outlives the deadline.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.domain import BookingResult, InstanceId
from scheduler.core.effects import Book, Claim, MarkResult
from scheduler.core.errors import HttpStatusError, TransportError
from scheduler.core.flows import run_invocation
from scheduler.core.outcome import Disposition, InvocationReport
from scheduler.core.strategies import PolicyConfig
from tests.scheduler.core.script import Answer, Run, Script, prebooking, run

EPS = 1e-9
STORE = 0.03  # every store call

configs = st.builds(
    PolicyConfig,
    max_in_flight=st.none() | st.integers(1, 4),
    gap=st.sampled_from([0.0, 0.05, 0.4]),
    batch_size=st.none() | st.integers(1, 4),
    barrier=st.booleans(),
    pause=st.sampled_from([0.0, 0.1, 0.7]),
    budget=st.sampled_from([3.0, 10.0]),
    buffer=st.sampled_from([0.5, 1.5]),
    margin=st.sampled_from([0.0, 0.25, 1.0]),
)
answers = st.tuples(
    st.sampled_from([0.05, 0.3, 1.1, 2.5]),
    st.sampled_from(
        [
            BookingResult(book_state=1),
            BookingResult(book_state=-1, message="Clase llena"),
            HttpStatusError(503, now=0),
            TransportError("reset", now=0),
        ]
    ),
)


@dataclass(frozen=True)
class Span:
    """One started prebooking, from its claim to the end of its last store call."""

    pid: str
    start: float
    end: float


def spans(result: Run) -> list[Span]:
    claims = {e.prebooking_id: at for at, e in result.trace if isinstance(e, Claim)}
    ends = {e.prebooking_id: at + STORE for at, e in result.trace if isinstance(e, MarkResult)}
    return [Span(pid, at, ends.get(pid, at + STORE)) for pid, at in claims.items()]


def most_at_once(spans_: list[Span]) -> int:
    # a finish at t frees its place for a start at t: ends sort before starts at the same time
    events = sorted([(s.start, 1) for s in spans_] + [(s.end, -1) for s in spans_])
    return max(itertools.accumulate(delta for _, delta in events), default=0)


@settings(max_examples=150, deadline=None)
@given(
    config=configs,
    count=st.integers(0, 12),
    table=st.lists(st.lists(answers, min_size=1, max_size=3), min_size=12, max_size=12),
    lost=st.sets(st.integers(0, 11), max_size=3),
)
def test_an_invocation_keeps_every_rule(
    config: PolicyConfig, count: int, table: list[list[Answer]], lost: set[int]
) -> None:
    # FindReady's order is the reverse of FIFO
    ready = tuple(prebooking(i, created_at=float(count - i)) for i in range(count))
    fifo = [p.id for p in sorted(ready, key=lambda p: p.fifo_key)]
    script = Script(
        ready=ready,
        latency={"FindReady": STORE, "Claim": STORE, "GetSession": STORE, "MarkResult": STORE},
        answers={f"p{i:02d}": table[i] for i in range(count)},
        lost={f"p{i:02d}" for i in lost},
    )
    result = run(run_invocation(instance_id=InstanceId("i"), config=config, now=0.0), script)
    report = result.value
    assert isinstance(report, InvocationReport)
    started = spans(result)
    cutoff, deadline = config.budget - config.buffer - config.margin, config.budget - config.buffer

    # nothing started twice or lost; starts are a FIFO prefix; the rest skipped, never claimed
    assert [s.pid for s in started] + list(report.skipped) == fifo
    assert [o.prebooking_id for o in report.outcomes] == [s.pid for s in started]
    lost_ids = {f"p{i:02d}" for i in lost}
    assert report.count(Disposition.LOST_RACE) == len(lost_ids & {s.pid for s in started})
    # the guard: no start after the cut-off, no request beyond the deadline, the answer in time
    assert all(s.start <= cutoff + EPS for s in started)
    for at, effect in result.trace:
        if isinstance(effect, Book):
            assert at < deadline and abs(effect.timeout - (deadline - at)) < EPS
    # the last store call after a booking cut at the deadline, or after a send that started at
    # the cut-off and found no time left to book (claim, session, mark)
    assert report.finished_at <= max(deadline + STORE, cutoff + 3 * STORE, STORE) + EPS
    # the cap, the gap, the batches
    if config.max_in_flight is not None:
        assert most_at_once(started) <= config.max_in_flight
    for a, b in itertools.pairwise(started):
        assert b.start - a.start >= config.gap - EPS
    if config.batch_size is not None:
        batches = [
            started[i : i + config.batch_size] for i in range(0, len(started), config.batch_size)
        ]
        for done, following in itertools.pairwise(batches):
            ended = max(s.end for s in done) if config.barrier else done[-1].start
            assert following[0].start >= ended + config.pause - EPS


@settings(max_examples=100, deadline=None)
@given(table=st.lists(st.lists(answers, min_size=1, max_size=3), min_size=8, max_size=8))
def test_sequential_never_has_two_bookings_in_flight(table: list[list[Answer]]) -> None:
    ready = tuple(prebooking(i) for i in range(8))
    script = Script(ready=ready, answers={f"p{i:02d}": table[i] for i in range(8)})
    config = PolicyConfig(max_in_flight=1)
    result = run(run_invocation(instance_id=InstanceId("i"), config=config, now=0.0), script)
    owners = [e.prebooking.id for _, e in result.trace if isinstance(e, Book)]
    # all attempts of one prebooking come before any of the next one, in created_at order
    assert owners == sorted(owners)
