"""Named strategies are presets of one configuration; bad names and values are refused clearly."""

from __future__ import annotations

import pytest

from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import PolicyConfig, strategy, strategy_names


def test_presets_are_the_seeds_four_ways_and_auto() -> None:
    assert strategy_names() == ["auto", "batched", "parallel", "sequential", "staggered"]
    assert strategy("auto").adaptive is True
    assert strategy("sequential").max_in_flight == 1
    assert strategy("staggered").gap == 0.05
    batched = strategy("batched")
    assert (batched.batch_size, batched.barrier, batched.pause) == (3, True, 0.1)
    assert strategy("parallel").max_in_flight is None


def test_any_point_is_reachable_by_overrides() -> None:
    config = strategy("batched", batch_size=5, pause=0.0)
    assert (config.name, config.batch_size, config.pause) == ("batched", 5, 0.0)


def test_unknown_strategy_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as caught:
        strategy("fifo")
    assert str(caught.value) == (
        "unknown strategy 'fifo'; expected one of auto, batched, parallel, sequential, staggered"
    )


def test_a_mistyped_strategy_gets_the_closest_name() -> None:
    with pytest.raises(ConfigurationError, match=r"; did you mean 'sequential'\?$"):
        strategy("sequentail")


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(ConfigurationError, match=r"unknown policy parameter\(s\) \['stagger'\]"):
        strategy("staggered", stagger=0.1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gap": -0.05}, "gap=-0.05; expected a number of seconds >= 0"),
        ({"batch_size": 0}, "batch_size=0; expected a whole number >= 1 or None"),
        ({"max_in_flight": 2.5}, "max_in_flight=2.5; expected a whole number >= 1 or None"),
        ({"budget": 0}, "budget=0; expected a number of seconds > 0"),
        ({"pause": float("nan")}, "pause=nan; expected a number of seconds >= 0"),
        ({"limit": True}, "limit=True; expected a whole number >= 1"),
        ({"retry_backoff": 0.5}, "retry_backoff=0.5; expected a number >= 1"),
        ({"margin": 8.0}, "margin=8.0 leaves no time to send"),
        ({"barrier": "no"}, "barrier='no'; expected True or False"),
        ({"retry_backoff": "2"}, "retry_backoff='2'; expected a number >= 1"),
    ],
)
def test_bad_parameters_are_refused_naming_the_value(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace("[", r"\[")):
        PolicyConfig(**overrides)  # type: ignore[arg-type]


def test_the_guard_and_retry_defaults_are_the_seeds() -> None:
    config = PolicyConfig()
    assert (config.budget, config.buffer, config.margin, config.limit) == (10.0, 2.0, 1.0, 50)
    assert (config.deadline_after, config.cutoff_after) == (8.0, 7.0)
    assert (config.max_attempts, config.retry_delay, config.retry_backoff) == (3, 0.2, 2.0)


def test_requests_in_flight_at_once_are_capped_by_the_in_flight_cap_and_the_batch() -> None:
    """What the invocation opens connections ahead for: never more than it will use at once."""
    assert [strategy(name).sends_at_once(20) for name in strategy_names()] == [20, 3, 20, 1, 20]
    assert strategy("parallel").sends_at_once(0) == 0
    assert PolicyConfig(max_in_flight=5, batch_size=8).sends_at_once(20) == 5
    assert strategy("batched").sends_at_once(2) == 2
