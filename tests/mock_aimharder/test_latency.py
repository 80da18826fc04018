"""Latency: samplers against their distributions, seeds, replay, delivery over HTTP, capacity.

Sampler tolerances: with 20,000 draws the sample quantiles of these distributions have a
relative standard error well under 2 %, so 5 % (about 3 standard errors) fails only when the
sampler is wrong. Over HTTP, the delivered delay is the drawn delay plus the server's and the
client's own work: each delivered quantile must lie within [drawn, drawn + 60 ms].
"""

from __future__ import annotations

import asyncio
import itertools
import time

import numpy as np
import pytest

from mock_aimharder.model import distributions as dist
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.latency import EndpointLatency, Sampler, name_number, seeded_streams
from tests.mock_aimharder import support as mock
from tests.mock_aimharder.support import StartMock

DRAWS = 20_000
QUANTILES = (0.1, 0.5, 0.9, 0.99)


def _rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize(
    ("distribution", "reference", "parameters"),
    [
        (dist.Uniform(low=0.1, high=0.3), "uniform", {"loc": 0.1, "scale": 0.2}),
        (dist.Exponential(mean=0.2), "expon", {"scale": 0.2}),
        (
            dist.LogNormal(median=0.2, p99=0.5),
            "lognorm",
            {"s": np.log(2.5) / 2.3263478740408408, "scale": 0.2},
        ),
        (
            dist.Normal(mean=0.5, sd=0.1),
            "truncnorm",
            {"a": -5, "b": np.inf, "loc": 0.5, "scale": 0.1},
        ),
        (
            dist.Normal(mean=0.05, sd=0.1),
            "truncnorm",
            {"a": -0.5, "b": np.inf, "loc": 0.05, "scale": 0.1},
        ),
    ],
    ids=["uniform", "exponential", "lognormal", "normal", "normal-truncated"],
)
def test_sample_quantiles_match_the_configured_distribution_within_5_percent(
    distribution: dist.Distribution, reference: str, parameters: dict[str, float]
) -> None:
    # scipy.stats's distribution by name, imported here, not with the module: every pytest
    # worker collects this file (scipy.stats costs each about a second).
    from scipy import stats  # noqa: PLC0415

    draws = Sampler(distribution, _rng()).samples(DRAWS)
    measured = np.quantile(draws, QUANTILES)
    expected = getattr(stats, reference)(**parameters).ppf(QUANTILES)
    assert min(draws) >= 0
    np.testing.assert_allclose(measured, expected, rtol=0.05)


def test_lognormal_is_given_by_its_median_and_p99() -> None:
    draws = Sampler(dist.LogNormal(median=0.2, p99=0.5), _rng()).samples(DRAWS)
    np.testing.assert_allclose(np.quantile(draws, [0.5, 0.99]), [0.2, 0.5], rtol=0.05)


def test_fixed_always_gives_its_value() -> None:
    assert Sampler(dist.Fixed(value=0.25), _rng()).samples(5) == [0.25] * 5


def test_empirical_without_cycle_draws_only_recorded_samples_about_equally() -> None:
    draws = Sampler(dist.Empirical(samples=[0.1, 0.2, 0.3]), _rng()).samples(3000)
    values, counts = np.unique(draws, return_counts=True)
    assert values.tolist() == [0.1, 0.2, 0.3]
    assert all(900 <= c <= 1100 for c in counts)  # binomial sd ~26: about 4 sd either way


def test_empirical_with_cycle_replays_the_samples_in_order() -> None:
    sampler = Sampler(dist.Empirical(samples=[0.3, 0.2, 0.1], cycle=True), _rng())
    assert sampler.samples(7) == [0.3, 0.2, 0.1, 0.3, 0.2, 0.1, 0.3]


def test_the_same_seed_gives_the_same_samples_and_another_seed_others() -> None:
    def draws(seed: int) -> list[float]:
        streams = seeded_streams(seed)[Endpoint.BOOK]
        return Sampler(dist.Exponential(mean=0.1), streams.service).samples(50)

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_each_endpoint_and_stage_has_its_own_stream() -> None:
    streams = seeded_streams(7)
    firsts = {
        (endpoint, stage): float(getattr(streams[endpoint], stage).random())
        for endpoint in Endpoint
        for stage in ("inbound", "service", "outbound", "faults")
    }
    assert len(set(firsts.values())) == len(firsts)


def test_a_stream_is_found_by_its_endpoint_and_stage_names_not_their_positions() -> None:
    # What the enum's order or the number of stages is does not enter: only the two names.
    for endpoint in Endpoint:
        key = (name_number(endpoint.value), name_number("service"))
        alone = np.random.default_rng(np.random.SeedSequence(7, spawn_key=key))
        assert seeded_streams(7)[endpoint].service.random(5).tolist() == alone.random(5).tolist()


async def test_delivered_delay_over_http_follows_the_drawn_samples(start_mock: StartMock) -> None:
    service = dist.LogNormal(median=0.2, p99=0.5)
    latency = {Endpoint.BOOKINGS: EndpointLatency(service=service)}
    url = start_mock(mock.config_with(latency=latency), seed=11)
    drawn = Sampler(service, seeded_streams(11)[Endpoint.BOOKINGS].service).samples(100)
    # 10 at a time on warm connections, so the client's own connection set-up is not measured.
    async with mock.jarless_client(url, connections=10, timeout=10) as client:
        await asyncio.gather(*(client.get("/_admin/journal") for _ in range(10)))
        gate = asyncio.Semaphore(10)

        async def timed(path: str) -> float:
            async with gate:
                started = time.perf_counter()
                await client.get(path, params={"day": "20250115"})
                return time.perf_counter() - started

        # The same requests to a route with no drawn delay: the HTTP round trip on this machine
        # as busy as it is now, which the bounds below add to the drawn delay.
        plain = np.array(await asyncio.gather(*(timed("/_admin/classes") for _ in range(100))))
        delivered = await asyncio.gather(*(timed("/api/bookings") for _ in range(100)))
    gaps = np.sort(delivered) - np.sort(drawn)
    # Never faster than drawn, but for the timer's own grain: uvicorn runs on uvloop, whose timers
    # count whole milliseconds from the time cached at the start of the loop's turn, so a delay
    # may end up to 1 ms early.
    assert gaps.min() >= -0.001
    # Quantile by quantile, the delivered delay is the drawn one plus the HTTP round trip. A lone
    # late request (the scheduler of a shared CPU) must not fail the test, so the worst gap is not
    # asserted.
    assert np.median(gaps) <= np.median(plain) + 0.02
    assert np.percentile(gaps, 90) <= np.percentile(plain, 90) + 0.04


async def test_inbound_service_and_outbound_delays_add_up(start_mock: StartMock) -> None:
    latency = {Endpoint.BOOKINGS: EndpointLatency(inbound=0.05, service=0.3, outbound=0.05)}
    url = start_mock(mock.config_with(latency=latency))
    async with mock.jarless_client(url) as client:
        started = time.perf_counter()
        await client.get("/api/bookings", params={"day": "20250115"})
        elapsed = time.perf_counter() - started
    # All three stages, once each: 0.4 s. A stage counted twice would make it at least 0.45 s
    # and the service time twice 0.7 s; the bound leaves a busy machine 0.2 s of round trip.
    assert 0.4 <= elapsed < 0.6


async def test_capacity_1_processes_one_request_at_a_time_in_arrival_order(
    start_mock: StartMock,
) -> None:
    latency = {Endpoint.BOOK: EndpointLatency(service=dist.Fixed(value=0.02), capacity=1)}
    config = mock.config_with(users=mock.users(10), classes=[mock.a_class()], latency=latency)
    url = start_mock(config)
    async with mock.jarless_client(url) as client:
        cookies = [await mock.login(client, mock.email(n)) for n in range(10)]
        await asyncio.gather(*(mock.book(client, cookie) for cookie in cookies))
        entries = (await client.get("/_admin/journal")).json()["entries"]
    received = [e["received_monotonic"] for e in entries]
    processed = [e["processed_monotonic"] for e in entries]
    assert received == sorted(received)  # journal (processing) order is arrival order
    assert all(b - a >= 0.02 - 1e-3 for a, b in itertools.pairwise(processed))
    assert all(p - r >= 0.02 - 1e-3 for r, p in zip(received, processed, strict=True))
