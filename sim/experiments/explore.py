"""Deterministic simulation testing: the real core through many seeded worlds full of faults,
every guarantee checked after each run (as FoundationDB's simulator and TigerBeetle's VOPR do).

Run ``i`` of an exploration seeded ``s`` runs the world of seed ``run_seed(s, i)``
(``sim.experiments.worlds``), lets it settle fault-free, and checks every guarantee
(``sim.experiments.guarantees``). The exploration stops at the first run that broke one: the
first by run number, whichever worker found it, so the same command finds the same failure.
Bounded in runs (``MAX_RUNS``) and in time: no chunk is sent once the time is up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass

from commandline.stages import SILENT, Stages
from harness.measures import attempts
from sim.experiments.executors import parallelism
from sim.experiments.guarantees import Violation, check
from sim.experiments.worlds import World, draw, run_seed, scenario_of
from sim.model.replication import Replication, run_replication

__all__ = ["MAX_RUNS", "MAX_SECONDS", "Exploration", "Judged", "explore", "judge", "run_world"]

MAX_RUNS = 1_000_000
MAX_SECONDS = 24 * 3600.0
CHUNK = 8  # runs per task: a run takes tens of ms, a message to a worker about one


@dataclass(frozen=True, slots=True, kw_only=True)
class Judged:
    """One run: its world and the guarantees it broke (none: it passed)."""

    run: int
    world: World
    violations: tuple[Violation, ...]

    @property
    def failed(self) -> bool:
        return bool(self.violations)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exploration:
    """What an exploration did: how many runs in how long, and its first failure."""

    seed: int
    runs: int  # runs judged (up to and including the first failure)
    seconds: float
    failure: Judged | None


def run_world(world: World) -> tuple[Replication, tuple[Violation, ...]]:
    """Run ``world`` once, settled, with its journal and evidence; and judge it."""
    scenario = scenario_of(world)
    replication = run_replication(
        scenario, world.strategy, world.load, 0, keep_journal=True, keep_evidence=True
    )
    assert replication.evidence is not None  # asked for above
    violations = check(
        replication.evidence,
        attempts(replication.journal),
        replication.invocations,
        policy=scenario.policy_for(world.strategy),
        max_duration=scenario.platform.max_duration,
    )
    return replication, tuple(violations)


def judge(world: World) -> tuple[Violation, ...]:
    return run_world(world)[1]


def _chunk(
    seed: int, runs: range, strategies: Sequence[str], faults: Sequence[str]
) -> list[Judged]:
    judged = []
    for run in runs:
        world = draw(run_seed(seed, run), strategies=strategies, faults=faults)
        judged.append(Judged(run=run, world=world, violations=judge(world)))
        if judged[-1].failed:
            break  # the rest of the chunk would come after the first failure
    return judged


def explore(
    *,
    seed: int,
    runs: int | None,
    seconds: float | None,
    strategies: Sequence[str],
    faults: Sequence[str],
    executor: Executor,
    progress: Stages = SILENT,
) -> Exploration:
    """Run worlds until ``runs`` are judged, ``seconds`` are up, or one breaks a guarantee."""
    total = MAX_RUNS if runs is None else min(runs, MAX_RUNS)
    budget = MAX_SECONDS if seconds is None else min(seconds, MAX_SECONDS)
    began = time.monotonic()
    in_flight: dict[Future[list[Judged]], range] = {}
    done: list[Judged] = []
    next_run = 0
    failure: Judged | None = None
    description = f"exploring {total} worlds" if runs is not None else f"exploring {budget:g} s"
    with progress.stage(description, total if runs is not None else int(budget)) as advance:
        shown = 0
        while True:
            time_left = time.monotonic() - began < budget
            while (
                failure is None
                and time_left
                and next_run < total
                and len(in_flight) < 2 * parallelism(executor)
            ):
                chunk = range(next_run, min(total, next_run + CHUNK))
                future = executor.submit(_chunk, seed, chunk, list(strategies), list(faults))
                in_flight[future] = chunk
                next_run = chunk.stop
            if not in_flight:
                break
            finished, _ = wait(in_flight, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in finished:
                del in_flight[future]
                judged = future.result()
                done += judged
                failed = [j for j in judged if j.failed]
                if failed and (failure is None or failed[0].run < failure.run):
                    failure = failed[0]
                if runs is not None:
                    advance(len(judged))
            if failure is not None:  # only runs before it still count
                for future, chunk in list(in_flight.items()):
                    if chunk.start > failure.run and future.cancel():
                        del in_flight[future]
            if runs is None:
                elapsed = min(int(time.monotonic() - began), int(budget))
                advance(elapsed - shown)
                shown = elapsed
    counted = [j for j in done if failure is None or j.run <= failure.run]
    return Exploration(
        seed=seed, runs=len(counted), seconds=time.monotonic() - began, failure=failure
    )
