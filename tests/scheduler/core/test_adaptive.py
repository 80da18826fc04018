"""``auto``: sequential while the queue fits, then staggered at the observed spread, never back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.core.adaptive import Firing, Mode, choose, spread_of
from scheduler.core.domain import PrebookingId
from scheduler.core.policy import Policy
from scheduler.core.strategies import strategy


def _choose(
    queued: int, left: float, durations: list[float], floor: Mode = Mode.SEQUENTIAL
) -> Firing:
    return choose(
        queued=queued,
        left=left,
        durations=durations,
        floor=floor,
        expected_duration=0.6,
        expected_spread=0.15,
    )


def test_sequential_while_the_whole_queue_fits_the_time_left_at_the_prior() -> None:
    assert _choose(10, 6.0, []) == Firing(mode=Mode.SEQUENTIAL, max_in_flight=1, gap=0.0)


def test_staggered_at_the_prior_spread_when_sequential_would_not_finish() -> None:
    assert _choose(11, 6.0, []) == Firing(mode=Mode.STAGGERED, max_in_flight=None, gap=0.15)


def test_the_gap_shrinks_so_that_the_whole_queue_starts_before_the_cut_off() -> None:
    firing = _choose(50, 5.0, [])
    assert firing.mode is Mode.STAGGERED
    assert firing.gap == pytest.approx(0.1)


def test_observed_durations_replace_the_duration_prior_and_only_widen_the_spread() -> None:
    fast = [0.30, 0.32, 0.34]
    assert _choose(15, 6.0, fast).mode is Mode.SEQUENTIAL
    assert _choose(30, 6.0, fast).gap == 0.15  # a range of 0.04 s: the prior stands
    wide = [0.3, 0.5, 0.8]
    assert _choose(30, 12.0, wide).gap == pytest.approx(0.25)
    assert spread_of(wide[:2], prior=0.15) == 0.15  # too few to trust


def test_no_spread_at_all_means_parallel() -> None:
    no_prior = choose(
        queued=30, left=6.0, durations=[0.4] * 5, expected_duration=0.6, expected_spread=0.0
    )
    assert no_prior.mode is Mode.PARALLEL


@given(
    queued=st.integers(1, 60),
    left=st.floats(0.01, 10),
    durations=st.lists(st.floats(0.01, 2), max_size=8),
    floor=st.sampled_from(Mode),
)
def test_never_a_slower_mode_than_the_floor(
    queued: int, left: float, durations: list[float], floor: Mode
) -> None:
    firing = _choose(queued, left, durations, floor)
    assert firing.mode >= floor
    if firing.mode is Mode.STAGGERED:
        assert firing.gap > 0 and queued * firing.gap <= left + 1e-9


def _ids(n: int) -> list[PrebookingId]:
    return [PrebookingId(f"p{i:02d}") for i in range(n)]


def test_auto_runs_sequentially_then_staggers_when_the_answers_come_slowly() -> None:
    # 9 ready, 7 s to the cut-off: 9 x 0.6 s fits, so one at a time. The first takes 0.9 s:
    # 8 more at 0.9 s no longer fit the 6.1 s left, so the rest go out at the prior spread,
    # 0.2 s apart.
    policy = Policy(strategy("auto"), started_at=0.0)
    policy.enqueue(_ids(9))
    # ... and woken when the 8 left stop fitting at 0.6 s each (7 - 4.8 s), answer or not
    assert (policy.due(0.0), policy.mode) == ([PrebookingId("p00")], Mode.SEQUENTIAL)
    assert policy.next_wakeup() == pytest.approx(2.2)
    policy.finished(PrebookingId("p00"), now=0.9)
    assert (policy.due(0.9), policy.mode) == ([PrebookingId("p01")], Mode.STAGGERED)
    assert policy.next_wakeup() == pytest.approx(1.1)
    assert policy.due(1.1) == [PrebookingId("p02")]
    policy.finished(PrebookingId("p01"), now=1.2)
    assert (policy.due(1.2), policy.mode) == ([], Mode.STAGGERED)  # never back to sequential


def test_a_fixed_strategy_has_no_mode() -> None:
    assert Policy(strategy("staggered"), started_at=0.0).mode is None
