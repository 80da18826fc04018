"""The policy as a state machine under any sequence of calls (hypothesis.stateful).

A driver may call ``due`` at any time, not only at ``next_wakeup()``, and report finishes in any
order; whatever it does, the policy keeps its rules, and after ``due(now)`` it never asks to be
woken at or before ``now`` (a driver re-arming on it cannot spin).
"""

from __future__ import annotations

import itertools

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from scheduler.core.domain import PrebookingId
from scheduler.core.policy import Policy
from scheduler.core.strategies import PolicyConfig

IDS = [PrebookingId(f"p{i:02d}") for i in range(30)]
EPS = 1e-9


class PolicyMachine(RuleBasedStateMachine):
    policy: Policy
    config: PolicyConfig

    @initialize(
        config=st.builds(
            PolicyConfig,
            max_in_flight=st.none() | st.integers(1, 4),
            gap=st.sampled_from([0.0, 0.05, 0.5]),
            batch_size=st.none() | st.integers(1, 4),
            barrier=st.booleans(),
            pause=st.sampled_from([0.0, 0.2]),
        ),
        count=st.integers(0, 30),
    )
    def start(self, config: PolicyConfig, count: int) -> None:
        self.config = config
        self.policy = Policy(config, started_at=0.0)
        self.queued = IDS[:count]
        self.policy.enqueue(self.queued)
        self.now = 0.0
        self.starts: list[tuple[float, PrebookingId]] = []
        self.closed_with: int | None = None  # how many had started when the guard closed

    def _due(self) -> None:
        for pid in self.policy.due(self.now):
            self.starts.append((self.now, pid))
        wake = self.policy.next_wakeup()
        assert wake is None or wake > self.now

    @rule(step=st.sampled_from([0.0, 0.01, 0.05, 0.3, 1.0, 3.0]))
    def time_passes(self, step: float) -> None:
        self.now += step
        self._due()

    @precondition(lambda self: self.policy.next_wakeup() is not None)
    @rule()
    def the_timer_fires(self) -> None:
        wake = self.policy.next_wakeup()
        assert wake is not None
        self.now = max(self.now, wake)
        self._due()

    @precondition(lambda self: bool(self.policy.in_flight))
    @rule(data=st.data())
    def a_send_finishes(self, data: st.DataObject) -> None:
        pid = data.draw(st.sampled_from(sorted(self.policy.in_flight)))
        self.policy.finished(pid, now=self.now)
        self._due()

    @invariant()
    def never_more_in_flight_than_the_cap(self) -> None:
        if self.config.max_in_flight is not None:
            assert len(self.policy.in_flight) <= self.config.max_in_flight

    @invariant()
    def starts_are_fifo_gapped_and_before_the_cut_off(self) -> None:
        assert [pid for _, pid in self.starts] == self.queued[: len(self.starts)]
        assert list(self.policy.started) == [pid for _, pid in self.starts]
        assert all(at <= self.policy.cutoff for at, _ in self.starts)
        for (a, _), (b, _) in itertools.pairwise(self.starts):
            assert b - a >= self.config.gap - EPS

    @invariant()
    def each_queued_prebooking_is_started_once_or_skipped_once_done(self) -> None:
        if self.policy.done:
            assert list(self.policy.started) + list(self.policy.skipped()) == self.queued

    @invariant()
    def once_something_is_skipped_nothing_more_starts(self) -> None:
        if self.policy.skipped():
            if self.closed_with is None:
                self.closed_with = len(self.starts)
            assert len(self.starts) == self.closed_with


PolicyMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestPolicyMachine = PolicyMachine.TestCase
