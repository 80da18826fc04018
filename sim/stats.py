"""Every statistic the simulation states, once: intervals of a mean, paired differences,
percentiles, and the tests of model against real runs.

- ``estimate``: a mean over replications with its two-sided 95% Student-t interval
  (``t95(n)`` standard errors each side), cut where the quantity cannot go (0 for counts, rates
  and durations, 1 for a share).
- ``paired_difference``: ``a - b`` over replications both ran (common random numbers), the same
  interval over the differences: far narrower than two independent means' intervals.
- ``half_width``: how wide that interval is over ``n`` values, in standard deviations (what a
  smaller count of replications costs).
- ``percentile``: numpy's linear interpolation, NaN over nothing.
- ``welch_interval``: the 90% interval of mean(a) - mean(b) of two independent samples, whose
  lying within +-margin is two one-sided tests at 5% each (``sim.validation.equivalence``).
- ``ks_test``: the two-sample Kolmogorov-Smirnov test of two samples' shapes.

scipy is imported only where it is needed: scipy.stats by the two tests (it adds about a second
to every command's start), scipy.special by the first interval; one replication loads neither.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Estimate",
    "Interval",
    "KsTest",
    "estimate",
    "half_width",
    "ks_test",
    "paired_difference",
    "percentile",
    "t95",
    "welch_interval",
]


def t95(n: int) -> float:
    """Student's t quantile of a two-sided 95% interval over ``n`` values (n - 1 degrees of
    freedom): every interval of the report, paired or not, is ``t95(n)`` standard errors wide
    on each side."""
    # Student's t quantile from scipy.special (stats.t.ppf calls this very function), loaded
    # at the first interval: one replication (``sim.model``) needs no scipy.
    from scipy.special import stdtrit  # noqa: PLC0415

    return float(stdtrit(n - 1, 0.975))


def half_width(n: int) -> float:
    """A 95% Student-t interval's half-width over ``n`` values, in standard deviations
    (infinite for one value: nothing to say)."""
    return t95(n) / math.sqrt(n) if n > 1 else math.inf


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A mean over replications with its two-sided 95% Student-t interval."""

    mean: float
    low: float
    high: float
    n: int

    def as_dict(self, prefix: str) -> dict[str, float]:
        return {prefix: self.mean, f"{prefix}_low": self.low, f"{prefix}_high": self.high}

    @classmethod
    def from_row(cls, row: Mapping[str, Any], prefix: str) -> Estimate:
        """The estimate ``as_dict`` wrote into a summary row under ``prefix``."""
        return cls(
            mean=row[prefix],
            low=row[f"{prefix}_low"],
            high=row[f"{prefix}_high"],
            n=row["replications"],
        )


def estimate(
    values: Iterable[float], *, floor: float | None = None, ceiling: float | None = None
) -> Estimate:
    """Mean and 95% interval, NaN values left out; ``floor`` and ``ceiling``: the least and the
    largest value the quantity can take, where the interval is cut."""
    data = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    n = len(data)
    if n == 0:
        nan = float("nan")
        return Estimate(mean=nan, low=nan, high=nan, n=0)
    mean = float(data.mean())
    if n == 1:
        return Estimate(mean=mean, low=mean, high=mean, n=1)
    half = float(t95(n) * data.std(ddof=1) / math.sqrt(n))
    low = mean - half if floor is None else max(floor, mean - half)
    high = mean + half if ceiling is None else min(ceiling, mean + half)
    return Estimate(mean=mean, low=low, high=high, n=n)


def paired_difference(a: Sequence[float | None], b: Sequence[float | None]) -> Estimate | None:
    """``a[j] - b[j]`` over the pairs where both are finite numbers, with its 95% interval;
    None when fewer than two pairs are left."""
    diffs = [
        x - y
        for x, y in zip(a, b, strict=True)
        if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)
    ]
    if len(diffs) < 2:
        return None
    mean = sum(diffs) / len(diffs)
    # The standard error as scipy.stats.sem computes it (its very expression).
    sem = float(np.std(diffs, ddof=1)) / len(diffs) ** 0.5 if len(set(diffs)) > 1 else 0.0
    half = t95(len(diffs)) * sem
    return Estimate(mean=mean, low=mean - half, high=mean + half, n=len(diffs))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), numpy's linear interpolation; NaN over nothing."""
    return float(np.percentile(values, q)) if len(values) else float("nan")


@dataclass(frozen=True, slots=True, kw_only=True)
class Interval:
    low: float
    high: float


def welch_interval(a: Sequence[float], b: Sequence[float], *, level: float) -> Interval:
    """The ``level`` interval of mean(a) - mean(b), Welch's (unequal variances); unbounded with
    fewer than two values on a side, a point when neither side varies."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        return Interval(low=-math.inf, high=math.inf)
    if x.var() == 0 and y.var() == 0:
        difference = float(x.mean() - y.mean())
        return Interval(low=difference, high=difference)
    from scipy import stats  # noqa: PLC0415 (see the module's docstring)

    with warnings.catch_warnings():
        # One side's runs all equal (two runs inverting the same pairs): scipy warns of
        # precision loss in their variance, which is exactly 0; Welch's interval stands.
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        interval = stats.ttest_ind(x, y, equal_var=False).confidence_interval(level)
    return Interval(low=float(interval.low), high=float(interval.high))


@dataclass(frozen=True, slots=True, kw_only=True)
class KsTest:
    statistic: float
    p_value: float


def ks_test(a: Sequence[float], b: Sequence[float]) -> KsTest | None:
    """The two-sample Kolmogorov-Smirnov test; None when every value is the same."""
    if len(set(a) | set(b)) <= 1:
        return None
    from scipy import stats  # noqa: PLC0415 (see the module's docstring)

    test = stats.ks_2samp(a, b)
    return KsTest(statistic=float(test.statistic), p_value=float(test.pvalue))
