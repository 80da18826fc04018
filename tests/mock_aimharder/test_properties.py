"""Properties over generated configurations and distributions (hypothesis, bounded).

- Any valid configuration survives its own JSON dump, on disk and through the admin API, so a
  scenario file written by a tool means what the tool meant.
- Any valid distribution draws finite, non-negative delays, and the same seed draws the same
  sequence (``sampler_for`` is the name the simulation imports, with ``Distribution``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_aimharder.model import distributions as dist
from mock_aimharder.model.config import ClassSpec, FullClassPolicy, MockConfig, UserAccount
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.faults import FaultSpec
from mock_aimharder.model.latency import Distribution, EndpointLatency, Sampler, sampler_for
from tests.mock_aimharder.support import StartMock

_seconds = st.floats(0, 10, allow_nan=False, allow_infinity=False)
_positive = st.floats(1e-3, 10, allow_nan=False, allow_infinity=False)


@st.composite
def _uniform(draw: st.DrawFn) -> dist.Uniform:
    low, high = sorted((draw(_seconds), draw(_seconds)))
    return dist.Uniform(low=low, high=high)


@st.composite
def _lognormal(draw: st.DrawFn) -> dist.LogNormal:
    median = draw(_positive)
    return dist.LogNormal(median=median, p99=median * draw(st.floats(1.01, 50)))


distributions: st.SearchStrategy[Distribution] = st.one_of(
    st.builds(dist.Fixed, value=_seconds),
    _uniform(),
    st.builds(dist.Normal, mean=_seconds, sd=st.floats(0, 5)),
    _lognormal(),
    st.builds(dist.Exponential, mean=_positive),
    st.builds(
        dist.Empirical, samples=st.lists(_seconds, min_size=1, max_size=6), cycle=st.booleans()
    ),
)


@st.composite
def _faults(draw: st.DrawFn) -> FaultSpec:
    weights = draw(st.lists(st.floats(0, 1), min_size=5, max_size=5))
    total = draw(st.floats(0, 1)) / max(sum(weights), 1.0)  # keeps the sum <= 1
    p500, p503, p429, hang, drop = (w * total for w in weights)
    return FaultSpec(
        error_500=p500,
        error_503=p503,
        rate_limit_429=p429,
        hang=hang,
        drop=drop,
        retry_after=draw(_seconds),
        hang_seconds=draw(_positive),
    )


@st.composite
def configs(draw: st.DrawFn) -> MockConfig:
    """Valid configurations: unique e-mails and class ids, any distributions and faults."""
    emails = draw(st.lists(st.from_regex(r"[a-z]{1,6}@x\.test", fullmatch=True), max_size=4,
                           unique=True))  # fmt: skip
    users = [UserAccount(email=e, password=draw(st.text(max_size=6))) for e in emails]
    ids = draw(st.lists(st.integers(1, 10_000), max_size=3, unique=True))
    classes = [
        ClassSpec(
            id=class_id,
            day=f"{draw(st.integers(2024, 2031))}{draw(st.integers(1, 12)):02d}"
            f"{draw(st.integers(1, 28)):02d}",
            time=f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}",
            capacity=draw(st.integers(0, 50)),
            waitlist=draw(st.integers(0, 5)),
            opens_at=draw(st.none() | st.floats(0, 1.7e9)),  # before 2024: before the class
            enabled=draw(st.booleans()),
        )
        for class_id in ids
    ]
    endpoints = st.sampled_from(list(Endpoint))
    latency = draw(
        st.dictionaries(
            endpoints,
            st.builds(
                EndpointLatency,
                inbound=distributions,
                service=distributions,
                outbound=distributions,
                capacity=st.none() | st.integers(1, 8),
            ),
            max_size=2,
        )
    )
    faults = draw(st.dictionaries(endpoints, _faults(), max_size=2))
    return MockConfig(
        users=users,
        classes=classes,
        latency=latency,
        faults=faults,
        login_failure_status=draw(st.sampled_from([200, 401, 403])),
        full_class_policy=draw(st.sampled_from(list(FullClassPolicy))),
    )


def _json_round_trip(config: MockConfig) -> Any:
    return json.loads(json.dumps(config.model_dump(mode="json")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs())
def test_a_valid_configuration_survives_its_json_dump(config: MockConfig) -> None:
    assert MockConfig.from_data(_json_round_trip(config)) == config


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs())
def test_a_valid_configuration_loads_back_from_a_json_file(
    tmp_path_factory: pytest.TempPathFactory, config: MockConfig
) -> None:
    path = tmp_path_factory.mktemp("configs") / "mock.json"
    path.write_text(json.dumps(config.model_dump(mode="json")), encoding="utf-8")
    assert MockConfig.from_file(path) == config


def test_put_then_get_config_gives_back_what_was_put(start_mock: StartMock) -> None:
    url = start_mock(MockConfig())  # one server for every example

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(config=configs())
    def check(config: MockConfig) -> None:
        with httpx.Client(base_url=url) as client:
            put = client.put("/_admin/config", json=_json_round_trip(config))
            got = client.get("/_admin/config")
        assert (put.status_code, got.status_code) == (200, 200)
        assert MockConfig.from_data(got.json()) == config

    check()


@settings(max_examples=80, deadline=None)
@given(distribution=distributions, seed=st.integers(0, 2**32 - 1))
def test_any_distribution_draws_finite_non_negative_delays_the_same_for_a_seed(
    distribution: Distribution, seed: int
) -> None:
    first = sampler_for(distribution, np.random.default_rng(seed)).samples(30)
    again = Sampler(distribution, np.random.default_rng(seed)).samples(30)
    assert first == again
    assert all(math.isfinite(x) and x >= 0 for x in first)
    if isinstance(distribution, dist.Empirical):
        assert set(first) <= set(distribution.samples)
        if distribution.cycle:
            period = len(distribution.samples)
            assert first == [distribution.samples[i % period] for i in range(30)]
