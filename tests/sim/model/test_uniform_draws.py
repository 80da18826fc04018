"""The plain-Python uniform streams draw numpy's very doubles, seed for seed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.uniform_draws import UniformStreams

# Seeds and keys of one 32-bit word, of several, and 0 (one word of its own), as
# SeedSequence splits them; a seed past 128 bits is not padded to the pool.
words = st.one_of(
    st.just(0), st.integers(0, 2**32 - 1), st.integers(2**32, 2**70), st.just(2**130 + 7)
)
bounds = st.tuples(
    st.floats(0, 10, allow_nan=False), st.floats(0, 100, allow_nan=False, allow_subnormal=False)
)


@settings(max_examples=300, deadline=None)
@given(seed=words, load=words, replication=st.integers(0, 1000), number=words, bounds=bounds)
def test_each_draw_is_numpys(
    seed: int, load: int, replication: int, number: int, bounds: tuple[float, float]
) -> None:
    low, span = bounds
    high = low + span
    numpy_rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(load, replication, number))
    )
    draw = UniformStreams(seed, (load, replication)).uniform(number, low, high)
    assert [draw() for _ in range(12)] == [float(numpy_rng.uniform(low, high)) for _ in range(12)]


def test_streams_of_one_prefix_are_independent_of_the_order_they_are_made_in() -> None:
    streams = UniformStreams(20251001, (50, 3))
    first, second = streams.uniform(7, 0.1, 0.25), streams.uniform(8, 0.1, 0.25)
    again = UniformStreams(20251001, (50, 3)).uniform(8, 0.1, 0.25)
    first()
    assert [second() for _ in range(5)] == [again() for _ in range(5)]


def test_a_negative_seed_is_refused_as_numpy_refuses_it() -> None:
    with pytest.raises(ValueError, match="-1"):
        UniformStreams(-1, (1, 2))
