"""What the report is made of: every experiment a scenario's report needs, run and summarised.

``gather`` runs the strategy x load sweep, the stagger-gap sweep, one-invocation capacity, the
seed's tables under the seed's assumptions, the cron-against-exact comparison, every trigger
preset at every platform limit (``sim.experiments.trigger_presets``), and the world around the bot
(``sim.experiments.outside_demand``: outside demand, the send offset, auto against the best).
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from commandline.stages import SILENT, Stages
from sim.experiments.grid import Task, run_tasks, summarise, sweep_tasks
from sim.experiments.outside_demand import Competition, compete
from sim.experiments.quick import QuickLook
from sim.experiments.seed_tables import compare_with_seed, one_invocation
from sim.experiments.trigger_presets import gather_presets
from sim.model.replication import Replication
from sim.scenario import SEED_SCENARIO, Scenario
from sim.selection.auto import auto_against_best
from sim.selection.binding import Lifted, binding, lifted
from sim.selection.per_load import Choice, Difference, recommend
from sim.selection.rules import choices_by_load

__all__ = ["SEED_SCENARIO", "Findings", "gather"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Findings:
    scenario: Scenario
    sweep: list[dict[str, Any]]
    replications: list[Replication]  # the sweep's, in the order of its tasks
    gaps: list[dict[str, Any]]
    whole: list[dict[str, Any]]
    seed: list[dict[str, Any]]  # empty when the seed's tables were not asked for
    triggers: list[dict[str, Any]]  # the same sweep point under a minute cron and exact firing
    selections: list[Choice]  # KN's choice per load and objective
    differences: list[Difference]  # paired differences from each choice
    trigger_presets: list[dict[str, Any]]  # each preset x limit x strategy x load; may be empty
    competition: Competition  # outside demand and the send offset
    auto: list[dict[str, Any]]  # auto against the best fixed strategy, per load
    lifts: list[Lifted]  # where no strategy is safe: what binds, and the load run with it lifted
    quick: QuickLook | None = None  # a what-if's quick look: its sizes and the full ones


def gather(
    scenario: Scenario,
    *,
    seed_scenario: Scenario | None,
    presets: bool = True,
    outside_demand: bool = True,
    executor: Executor | None = None,
    progress: Stages = SILENT,
    quick: QuickLook | None = None,
) -> Findings:
    """Every experiment the report needs: the sweep, the gap sweep, one-invocation capacity, the
    seed's tables under the seed's assumptions (none without ``seed_scenario``), the cron against
    exact firing, the trigger presets (none unless ``presets``), and what speed buys against
    outside demand and the send offset (none unless ``outside_demand``). ``quick``: the quick
    look ``scenario`` was cut to (``sim.experiments.quick``): KN decides in full only the
    cells the answer reads."""
    plan = scenario.experiment
    kwargs: dict[str, Any] = {"executor": executor, "progress": progress}
    results = run_tasks(scenario, sweep_tasks(scenario), description="strategies x loads", **kwargs)
    gap_tasks = [
        Task(
            strategy="staggered",
            load=plan.gap_load,
            replication=r,
            policy=(("gap", g),),
            label=f"{g:g}",
        )
        for g in plan.stagger_gaps
        for r in range(plan.replications)
    ]
    gap_results = run_tasks(scenario, gap_tasks, description="stagger gaps", **kwargs)
    gaps = [
        {**row, "gap": float(row["point"])}
        for row in summarise(gap_results, key=lambda t: (t.label, t.load))
    ]
    guarded = one_invocation(scenario, guard=True)
    whole_tasks = [
        Task(strategy=s, load=n, replication=r)
        for s in plan.strategies
        for n in plan.loads
        for r in range(plan.replications)
    ]
    whole_results = run_tasks(guarded, whole_tasks, description="one invocation", **kwargs)
    finished: dict[tuple[str, int], list[bool]] = {}
    for task, result in whole_results:
        whole_run = result.summary.skipped == 0 and result.summary.killed == 0
        finished.setdefault((task.strategy, task.load), []).append(whole_run)
    whole = [
        {"strategy": s, "prebookings": n, "whole_share": sum(v) / len(v)}
        for (s, n), v in sorted(finished.items())
    ]
    seed = (
        []
        if seed_scenario is None
        else compare_with_seed(
            seed_scenario, replications=seed_scenario.experiment.replications, **kwargs
        )
    )
    with progress.working("choosing per load and objective (KN)"):
        selections, differences = recommend(
            scenario, results, executor=executor, answer_only=quick is not None
        )
    triggers = []
    for mode in ("cron", "both"):
        variant = scenario.variant(cron={"mode": mode})
        point_tasks = [
            Task(strategy=s, load=plan.gap_load, replication=r, label=f"{s} ({mode})")
            for s in plan.strategies
            for r in range(plan.replications)
        ]
        if variant == scenario and plan.gap_load in plan.loads:  # the sweep ran these: reuse
            ran = {(t.strategy, t.load, t.replication): r for t, r in results}
            done = [(t, ran[(t.strategy, t.load, t.replication)]) for t in point_tasks]
        else:
            done = run_tasks(variant, point_tasks, description=f"trigger: {mode}", **kwargs)
        triggers += [{**row, "trigger": mode} for row in summarise(done)]
    trigger_presets = (
        gather_presets(scenario, executor=executor, progress=progress) if presets else []
    )
    sweep = summarise(results)
    return Findings(
        scenario=scenario,
        lifts=_lifts(scenario, sweep, **kwargs),
        trigger_presets=trigger_presets,
        competition=compete(scenario, **kwargs)
        if outside_demand
        else Competition(speed=[], losing=[], offsets=[]),
        auto=auto_against_best(scenario, results),
        sweep=sweep,
        replications=[r for _, r in results],
        selections=selections,
        differences=differences,
        gaps=gaps,
        whole=whole,
        seed=seed,
        triggers=triggers,
        quick=quick,
    )


def _lifts(scenario: Scenario, sweep: list[dict[str, Any]], **kwargs: Any) -> list[Lifted]:
    """At each load where no strategy is safe: what binds, and that load run again with it
    lifted (the same replications and seeds), when a setting lifts it."""
    plan = scenario.experiment
    found = []
    for choice in choices_by_load(sweep):
        if choice["safe"]:
            continue
        load = choice["load"]
        limit = binding(scenario, load, [r for r in sweep if r["load"] == load])
        tasks = [
            Task(strategy=s, load=load, replication=r)
            for s in plan.strategies
            for r in range(plan.replications)
        ]
        rows = (
            []
            if limit.lift is None
            else summarise(
                run_tasks(limit.applied(scenario), tasks, description=f"lifted at {load}", **kwargs)
            )
        )
        found.append(lifted(limit, rows))
    return found
