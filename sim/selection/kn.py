"""Fully sequential selection of the best system under common random numbers: the KN procedure.

Kim, S.-H. and Nelson, B. L. (2001), "A fully sequential procedure for indifference-zone
selection in simulation", ACM TOMACS 11(3), 251-273. Smaller is better here.

With k systems, an indifference zone ``delta`` and ``alpha``: take ``n0`` observations of each
(observation j of every system from the same random numbers), set
``eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2`` and ``h2 = 2 eta (n0 - 1)``, and
estimate from those ``n0`` the variance ``S2[i, l]`` of the paired differences ``X_i - X_l``.
Then, at each stage ``r``, system ``i`` survives while ``mean_i(r) <= mean_l(r) + W_il(r)`` for
every other survivor ``l``, with ``W_il(r) = max(0, delta / (2 r) * (h2 S2[i, l] / delta**2 - r))``;
every survivor gets one more observation, until one is left. If the best mean is at least
``delta`` below every other, it is the one left with probability >= 1 - alpha; otherwise the one
left is within ``delta`` of the best with that probability.

Two honest exits the paper does not need: survivors whose observations were equal in every
replication are returned together (nothing could ever separate them: "any of"), and at
``max_replications`` the survivors are returned as a subset that contains the best (or one
within ``delta`` of it) with probability >= 1 - alpha. A system may also be ruled out by the
objective (``None`` observation, e.g. a run that was not safe); it leaves the contest then.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MIN_DELTA", "Observe", "Selection", "delta_problem", "kn_constants", "select_best"]

MIN_DELTA = math.sqrt(sys.float_info.min)
"""The smallest ``delta`` whose square is a normal float (about 1.5e-154): ``W`` divides by
``delta**2``, which for 1e-300 underflowed to 0 (ZeroDivisionError, issue 22, item 7)."""


def delta_problem(delta: float) -> str | None:
    """What is wrong with ``delta`` as an indifference zone, or None."""
    if not (math.isfinite(delta) and delta >= MIN_DELTA):
        return f"delta {delta}; expected a positive number of at least {MIN_DELTA:.2g}"
    return None


Observe = Callable[[Sequence[str], int, int], Mapping[str, Sequence[float | None]]]
"""``observe(systems, start, stop)``: each system's observations ``start .. stop - 1`` (None:
this replication rules the system out)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What the procedure chose and what it cost (in words: ``phrase("verdict", selection)``,
    ``sim.report.rendering``)."""

    chosen: tuple[str, ...]  # one system, or the subset it could not separate
    delta: float
    alpha: float
    n0: int
    replications: dict[str, int]  # observations each system took before it left or was chosen
    means: dict[str, float]  # over those observations
    identical: bool  # the chosen ones gave equal observations in every replication
    bounded: bool  # stopped at max_replications with several survivors
    ruled_out: tuple[str, ...]  # systems the objective excluded (e.g. not safe)

    @property
    def pcs(self) -> float:
        """The guaranteed probability of a correct selection (within ``delta`` of the best)."""
        return 1.0 - self.alpha


def kn_constants(k: int, n0: int, alpha: float) -> float:
    """``h2`` of KN for ``k`` systems, ``n0`` first-stage observations and ``alpha``."""
    eta = ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2
    return float(2 * eta * (n0 - 1))


def select_best(
    observe: Observe,
    systems: Sequence[str],
    *,
    delta: float,
    alpha: float = 0.05,
    n0: int = 10,
    max_replications: int = 200,
    batch: int = 1,
) -> Selection:
    """KN over ``systems`` (smaller is better). ``batch``: observations wanted per call of
    ``observe`` after the first stage, so that one call can keep an executor's cores busy:
    each survivor gets ``ceil(batch / survivors)`` stages at once. Later stages' observations
    of a system eliminated earlier are ignored, so the decisions are those of one stage at a
    time; a batch much larger than the cores only runs replications nobody reads."""
    problem = delta_problem(delta)
    if problem is not None:
        raise ValueError(problem)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha {alpha}; expected a number between 0 and 1")
    if n0 < 2 or max_replications < n0:
        raise ValueError(f"n0 {n0}, max {max_replications}; expected 2 <= n0 <= max")
    if batch < 1:
        raise ValueError(f"batch {batch}; expected at least 1 observation per call")
    data: dict[str, list[float]] = {s: [] for s in systems}
    ruled_out: list[str] = []
    alive = list(systems)
    taken: dict[str, int] = {}

    def fetch(start: int, stop: int) -> None:
        for name, values in observe(list(alive), start, stop).items():
            for value in values:
                if name not in alive:
                    break
                if value is None:
                    alive.remove(name)
                    ruled_out.append(name)
                    taken[name] = len(data[name]) + 1
                    break
                data[name].append(float(value))

    fetch(0, n0)
    h2 = kn_constants(len(alive), n0, alpha) if len(alive) > 1 else 0.0
    first = {s: np.asarray(data[s][:n0]) for s in alive}
    s2 = {
        (i, j): float(np.var(first[i] - first[j], ddof=1)) for i in alive for j in alive if i != j
    }
    settings: dict[str, Any] = {"delta": delta, "alpha": alpha, "n0": n0, "ruled_out": ruled_out}
    r = n0
    while True:
        if len(alive) <= 1 or _identical(data, alive, r):
            break
        means = {s: float(np.mean(data[s][:r])) for s in alive}
        survivors = [
            i
            for i in alive
            if all(means[i] <= means[j] + _w(delta, r, h2, s2[(i, j)]) for j in alive if j != i)
        ]
        for gone in set(alive) - set(survivors):
            taken[gone] = r
        alive[:] = survivors
        if len(alive) <= 1:
            break
        # The cap is checked after the screening, so the last replication fetched (or the first
        # stage alone, when the cap is n0) is screened like every other.
        if r >= max_replications:
            return _done(data, alive, taken, bounded=True, r=r, **settings)
        if min(len(data[s]) for s in alive) <= r:
            fetch(r, min(r + math.ceil(batch / len(alive)), max_replications))
        r += 1
    return _done(data, alive, taken, bounded=False, r=r, **settings)


def _w(delta: float, r: int, h2: float, s2: float) -> float:
    return max(0.0, delta / (2 * r) * (h2 * s2 / delta**2 - r))


def _identical(data: Mapping[str, list[float]], alive: Sequence[str], r: int) -> bool:
    reference = data[alive[0]][:r]
    return all(data[s][:r] == reference for s in alive[1:])


def _done(
    data: Mapping[str, list[float]],
    alive: Sequence[str],
    taken: dict[str, int],
    *,
    delta: float,
    alpha: float,
    n0: int,
    ruled_out: Sequence[str],
    bounded: bool,
    r: int,
) -> Selection:
    for name in alive:
        taken[name] = r
    return Selection(
        chosen=tuple(sorted(alive)),
        delta=delta,
        alpha=alpha,
        n0=n0,
        replications=dict(sorted(taken.items())),
        means={s: float(np.mean(data[s][: taken[s]])) for s in sorted(taken) if data[s]},
        identical=len(alive) > 1 and not bounded,
        bounded=bounded,
        ruled_out=tuple(sorted(ruled_out)),
    )
