"""Outside demand in the pure model: the seeded stream, and outsiders under the same rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_aimharder.model.codes import BookState
from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.distributions import Fixed, Uniform
from mock_aimharder.model.gym import Gym
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.outside import (
    MAX_OUTSIDE_REQUESTS,
    OutsideDemand,
    outside_email,
    outside_rng,
    outside_stream,
)
from tests.mock_aimharder.support import DAY, a_class, email, users

OPENS = 1_000_000.0


def _at(t: float) -> Stamp:
    return Stamp(monotonic=t, wall=OPENS + t)


def test_the_same_seed_and_class_give_the_same_stream_and_another_class_another() -> None:
    demand = OutsideDemand(burst=5, latency=Uniform(low=0.1, high=0.3), rate=2.0, tail=10.0)
    service = Uniform(low=0.0, high=0.01)
    first = outside_stream(demand, outside_rng(7, 1), service=service)
    assert first == outside_stream(demand, outside_rng(7, 1), service=service)
    assert first != outside_stream(demand, outside_rng(7, 2), service=service)


@given(
    burst=st.integers(0, 50),
    spread=st.floats(0, 5),
    rate=st.floats(0, 10),
    tail=st.floats(0, 20),
    seed=st.integers(0, 2**32),
)
def test_the_burst_arrives_within_its_spread_and_the_tail_within_its_length(
    burst: int, spread: float, rate: float, tail: float, seed: int
) -> None:
    demand = OutsideDemand(
        burst=burst, burst_spread=spread, latency=Fixed(value=0.25), rate=rate, tail=tail
    )
    stream = outside_stream(demand, np.random.default_rng(seed), service=Fixed(value=0.01))
    arrivals = [r.arrives for r in stream]
    assert arrivals == sorted(arrivals)
    assert [r.member for r in stream] == list(range(len(stream)))
    assert len(stream) >= burst
    assert all(0.25 <= a <= max(spread, tail) + 0.25 for a in arrivals)
    assert all(r.service == 0.01 for r in stream)
    if rate == 0 or tail == 0:
        assert len(stream) == burst


def test_a_tail_is_bounded_in_count() -> None:
    demand = OutsideDemand(burst=9_990, rate=100.0, tail=3600.0)
    assert len(outside_stream(demand, outside_rng(1, 1), service=Fixed())) == MAX_OUTSIDE_REQUESTS


@pytest.mark.parametrize("field", ["burst", "rate", "tail", "burst_spread"])
def test_negative_demand_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        OutsideDemand.model_validate({field: -1})


def _gym(capacity: int, demand: OutsideDemand, clock_offset: float = 0.0) -> Gym:
    spec = a_class(capacity=capacity, opens_at=OPENS, outside=demand)
    return Gym(MockConfig(users=users(3), classes=[spec], clock_offset=clock_offset))


def _ours(gym: Gym, n: int, t: float) -> BookState:
    account = gym.accounts.get(100001 + n)
    assert account is not None
    outcome = gym.book(
        account, class_id=1, day=DAY, box=None, insist=False, received=_at(t), processed=_at(t)
    )
    return outcome.book_state


def test_outsiders_take_places_in_processing_order_with_ours_and_are_journaled_as_outside() -> None:
    demand = OutsideDemand(burst=2, burst_spread=0.0, latency=Fixed(value=0.5))
    gym = _gym(capacity=2, demand=demand)
    (first, second) = gym.outside_schedule(seed=3, service=Fixed())
    assert [(at - OPENS, cid, r.member) for at, cid, r in (first, second)] == [
        (0.5, 1, 0),
        (0.5, 1, 1),
    ]
    states = [_ours(gym, 0, 0.1)]
    for at, class_id, request in (first, second):
        stamp = _at(at - OPENS)
        states.append(
            gym.book_outside(class_id, request, received=stamp, processed=stamp).book_state
        )
    states.append(_ours(gym, 1, 0.6))
    assert states == [BookState.BOOKED, BookState.BOOKED, BookState.FULL, BookState.FULL]
    assert [(e.user, e.outside, e.book_state) for e in gym.journal.since(0)] == [
        (email(0), False, 1),
        (outside_email(1, 0), True, 1),
        (outside_email(1, 1), True, -1),
        (email(1), False, -1),
    ]


def test_an_outsider_before_the_opening_is_too_early_like_ours() -> None:
    gym = _gym(capacity=2, demand=OutsideDemand(burst=1))
    ((_, class_id, request),) = gym.outside_schedule(seed=0, service=Fixed())
    early = gym.book_outside(class_id, request, received=_at(-0.1), processed=_at(-0.1))
    assert early.book_state == BookState.NOT_ALLOWED
    assert _ours(gym, 0, -0.1) == BookState.NOT_ALLOWED


def test_a_clock_offset_opens_the_window_early_by_the_clients_clock_and_the_outsiders_too() -> None:
    gym = _gym(capacity=2, demand=OutsideDemand(burst=1, burst_spread=0.0), clock_offset=0.3)
    assert _ours(gym, 0, -0.31) == BookState.NOT_ALLOWED
    assert _ours(gym, 0, -0.29) == BookState.BOOKED
    ((at, _, _),) = gym.outside_schedule(seed=0, service=Fixed())
    assert at == pytest.approx(OPENS - 0.3)
