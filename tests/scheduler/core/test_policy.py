"""The policy alone, its clock scripted: properties over any configuration and any latencies."""

from __future__ import annotations

import heapq
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.domain import PrebookingId
from scheduler.core.policy import Policy, PolicyError
from scheduler.core.strategies import PolicyConfig

IDS = [PrebookingId(f"p{i:02d}") for i in range(40)]


def run(
    config: PolicyConfig, count: int, durations: list[float]
) -> tuple[Policy, list[tuple[float, PrebookingId]], int]:
    """Drives the policy as a driver would; returns starts and the most ever in flight."""
    policy = Policy(config, started_at=0.0)
    policy.enqueue(IDS[:count])
    now = 0.0
    running: list[tuple[float, PrebookingId]] = []
    starts: list[tuple[float, PrebookingId]] = []
    most = 0
    for _ in range(10_000):  # bounded: a stuck policy fails the test instead of hanging it
        for pid in policy.due(now):
            starts.append((now, pid))
            heapq.heappush(running, (now + durations[len(starts) - 1], pid))
        most = max(most, len(policy.in_flight))
        if policy.done:
            return policy, starts, most
        wake = policy.next_wakeup()
        if running and (wake is None or running[0][0] <= wake):
            now, pid = heapq.heappop(running)
            policy.finished(pid, now=now)
        else:
            assert wake is not None, "nothing in flight and no wake-up: the policy is stuck"
            now = wake
    raise AssertionError("policy never finished")


configs = st.builds(
    PolicyConfig,
    max_in_flight=st.none() | st.integers(1, 5),
    gap=st.sampled_from([0.0, 0.01, 0.05, 0.3]),
    batch_size=st.none() | st.integers(1, 4),
    barrier=st.booleans(),
    pause=st.sampled_from([0.0, 0.1, 0.5]),
)


@settings(max_examples=200, deadline=None)
@given(
    config=configs,
    count=st.integers(0, 40),
    durations=st.lists(st.floats(0.0, 3.0), min_size=40, max_size=40),
)
def test_policy_keeps_every_rule(config: PolicyConfig, count: int, durations: list[float]) -> None:
    policy, starts, most = run(config, count, durations)
    started = [pid for _, pid in starts]
    # FIFO: starts are a prefix of the queue; the rest is skipped, nothing lost or doubled
    assert started + list(policy.skipped()) == IDS[:count]
    assert all(t <= policy.cutoff for t, _ in starts)
    if config.max_in_flight is not None:
        assert most <= config.max_in_flight
    times = [t for t, _ in starts]
    assert all(b - a >= config.gap - 1e-9 for a, b in itertools.pairwise(times))


def test_sequential_starts_each_after_the_previous_answer() -> None:
    _, starts, most = run(PolicyConfig(max_in_flight=1), 3, [0.5, 0.2, 0.1] + [0.0] * 37)
    assert starts == [(0.0, IDS[0]), (0.5, IDS[1]), (0.7, IDS[2])]
    assert most == 1


def test_batches_without_barrier_pause_after_their_last_start() -> None:
    config = PolicyConfig(batch_size=2, pause=0.3, gap=0.1)
    _, starts, _ = run(config, 4, [5.0] * 40)
    assert [t for t, _ in starts] == pytest.approx([0.0, 0.1, 0.4, 0.5])


def test_the_guard_closes_when_the_next_start_would_fall_after_the_cutoff() -> None:
    config = PolicyConfig(gap=3.0)  # cutoff 7: starts at 0, 3, 6; 9 would be too late
    policy, starts, _ = run(config, 5, [0.1] * 40)
    assert [t for t, _ in starts] == [0.0, 3.0, 6.0]
    assert policy.skipped() == (IDS[3], IDS[4])


def test_the_guard_closes_at_once_instead_of_waiting_for_a_start_it_would_refuse() -> None:
    policy = Policy(PolicyConfig(gap=3.0), started_at=0.0)
    policy.enqueue(IDS[:4])
    assert policy.due(0.0) == [IDS[0]]
    assert policy.next_wakeup() == 3.0
    assert policy.due(6.0) == [IDS[1]]  # the next could only start at 9.0, after the 7.0 cut-off
    assert (policy.next_wakeup(), policy.skipped()) == (None, (IDS[2], IDS[3]))
    policy.finished(IDS[1], now=6.1)
    policy.finished(IDS[0], now=6.2)
    assert policy.done


def test_finishing_something_never_started_is_an_error() -> None:
    policy = Policy(PolicyConfig(), started_at=0.0)
    with pytest.raises(PolicyError, match="'p00' finished but was not in flight"):
        policy.finished(IDS[0], now=1.0)


def test_queueing_the_same_prebooking_twice_is_an_error() -> None:
    policy = Policy(PolicyConfig(), started_at=0.0)
    with pytest.raises(PolicyError, match="'p01' is already queued"):
        policy.enqueue([IDS[1], IDS[1]])
