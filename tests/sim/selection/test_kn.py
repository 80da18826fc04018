"""KN on toy systems with known means (pure numpy, no simulation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from sim.report.rendering import phrase
from sim.selection.kn import Observe, kn_constants, select_best


def normal_systems(
    means: dict[str, float], *, seed: int, sigma: float = 1.0, common: float = 0.5
) -> Observe:
    """Observation j of system s: mean + sigma * (shared noise of j, own noise of (s, j)); the
    shared part plays common random numbers (correlation ``common``)."""
    rng = np.random.default_rng(seed)
    names = sorted(means)
    shared: list[float] = []
    own: list[np.ndarray] = []

    def observe(systems: Sequence[str], start: int, stop: int) -> dict[str, list[float | None]]:
        while len(shared) < stop:
            shared.append(float(rng.normal()))
            own.append(rng.normal(size=len(names)))
        return {
            s: [
                means[s]
                + sigma
                * (np.sqrt(common) * shared[j] + np.sqrt(1 - common) * own[j][names.index(s)])
                for j in range(start, stop)
            ]
            for s in systems
        }

    return observe


def test_a_best_far_ahead_is_chosen_after_the_first_stage() -> None:
    observe = normal_systems({"a": 0.0, "b": 5.0, "c": 5.0}, seed=1, sigma=0.1)
    selection = select_best(observe, ["a", "b", "c"], delta=0.5, n0=5)
    assert selection.chosen == ("a",)
    assert selection.replications == {"a": 5, "b": 5, "c": 5}
    assert not selection.bounded and not selection.identical
    assert "PCS >= 95%" in phrase("verdict", selection)


def test_identical_systems_are_returned_together_without_a_winner() -> None:
    base = normal_systems({"x": 1.0}, seed=2)

    def twins(systems: Sequence[str], start: int, stop: int) -> dict[str, list[float | None]]:
        values = base(["x"], start, stop)["x"]
        return {s: list(values) for s in systems}

    selection = select_best(twins, ["p", "q"], delta=0.1, n0=10)
    assert selection.chosen == ("p", "q")
    assert selection.identical
    assert phrase("verdict", selection).startswith("any of p, q")


def test_equal_means_at_the_bound_are_a_subset_and_the_verdict_says_so() -> None:
    observe = normal_systems({"p": 0.0, "q": 0.0}, seed=3, common=0.0)
    selection = select_best(observe, ["p", "q"], delta=0.05, n0=10, max_replications=15)
    assert selection.bounded
    assert selection.chosen == ("p", "q")
    assert selection.replications == {"p": 15, "q": 15}
    assert "not separated within 15 replications" in phrase("verdict", selection)


def test_a_ruled_out_system_leaves_the_contest() -> None:
    good = normal_systems({"a": 1.0, "b": 0.0}, seed=4, sigma=0.01)

    def observe(systems: Sequence[str], start: int, stop: int) -> dict[str, list[float | None]]:
        values = {s: list(v) for s, v in good(systems, start, stop).items()}
        if "b" in values:
            values["b"] = [None if start + i == 3 else v for i, v in enumerate(values["b"])]
        return values

    selection = select_best(observe, ["a", "b"], delta=0.5, n0=5)
    assert selection.chosen == ("a",)
    assert selection.ruled_out == ("b",)


def test_the_decisions_do_not_depend_on_how_many_stages_are_observed_at_once() -> None:
    means = {"a": 0.0, "b": 0.3, "c": 0.4, "d": 1.0}
    one = select_best(normal_systems(means, seed=5), list(means), delta=0.5, batch=1)
    seven = select_best(normal_systems(means, seed=5), list(means), delta=0.5, batch=7)
    assert one == seven
    assert max(one.replications.values()) > 10  # it went past the first stage


def test_after_the_first_stage_each_call_asks_for_about_a_batch_over_the_survivors() -> None:
    means = {"a": 0.0, "b": 0.3, "c": 0.4, "d": 1.0}
    observe = normal_systems(means, seed=5)
    asked: list[tuple[int, int]] = []  # (survivors, stages) of each call

    def recording(systems: Sequence[str], start: int, stop: int) -> dict[str, list[float | None]]:
        asked.append((len(systems), stop - start))
        return {s: list(v) for s, v in observe(systems, start, stop).items()}

    selection = select_best(recording, list(means), delta=0.5, n0=10, batch=4)
    assert asked[0] == (4, 10)  # the first stage, whole
    later = asked[1:]
    assert later, "KN went past its first stage"
    assert all(stages == -(-4 // survivors) for survivors, stages in later)
    assert selection == select_best(normal_systems(means, seed=5), list(means), delta=0.5)


def test_the_constant_matches_the_formula() -> None:
    # k = 2, n0 = 3, alpha = 0.05: eta = ((0.1) ** -1 - 1) / 2 = 4.5; h2 = 2 * 4.5 * 2 = 18
    assert kn_constants(2, 3, 0.05) == pytest.approx(18.0)


@pytest.mark.parametrize(
    ("delta", "alpha", "n0", "top", "batch"),
    [
        (0.0, 0.05, 10, 20, 1),
        (float("nan"), 0.05, 10, 20, 1),
        (1, 1.0, 10, 20, 1),
        (1, 0.05, 1, 20, 1),
        (1, 0.05, 10, 20, 0),
    ],
)
def test_bad_settings_are_refused_naming_the_value(
    delta: float, alpha: float, n0: int, top: int, batch: int
) -> None:
    observe = normal_systems({"a": 0.0, "b": 1.0}, seed=6)
    with pytest.raises(ValueError, match="expected"):
        select_best(
            observe, ["a", "b"], delta=delta, alpha=alpha, n0=n0, max_replications=top, batch=batch
        )


def test_the_probability_of_correct_selection_is_at_least_one_minus_alpha() -> None:
    """Slippage configuration (the least favourable: every other system exactly delta worse),
    correlated by common random numbers; over many seeds the best is chosen >= 95% of the time."""
    delta, alpha, runs = 0.5, 0.05, 400
    means = {"best": 0.0, "b": delta, "c": delta, "d": delta}
    correct = sum(
        select_best(
            normal_systems(means, seed=1000 + seed), list(means), delta=delta, alpha=alpha, batch=50
        ).chosen
        == ("best",)
        for seed in range(runs)
    )
    assert correct / runs >= 1 - alpha


@pytest.mark.parametrize("cap", [5, 6])
def test_the_replication_at_the_cap_is_screened(cap: int) -> None:
    """A best far ahead is chosen even when the cap leaves KN no replication beyond the first
    stage (cap = n0) or one (the last one fetched is screened like the others)."""
    observe = normal_systems({"a": 0.0, "b": 5.0}, seed=3, sigma=0.1)
    selection = select_best(observe, ["a", "b"], delta=0.5, n0=5, max_replications=cap)
    assert selection.chosen == ("a",)
    assert not selection.bounded
