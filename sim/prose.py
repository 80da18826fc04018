"""The report's words and tables, in Markdown, from the findings (``sim.findings``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.competition_text import auto_markdown, competition_markdown
from sim.equivalence import MARGINS, verdict
from sim.findings import Findings
from sim.markdown import ci as _ci
from sim.markdown import num as _num
from sim.markdown import table as _table
from sim.recommend import choices_by_load, largest_whole_load
from sim.selections import recommendation_markdown

__all__ = ["METRIC_FIGURES", "left_out_markdown", "report_markdown", "validation_markdown"]

METRIC_FIGURES = (
    ("makespan_mean", "seconds", "Invocation time, request to answer (mean of busy ones)"),
    ("kill_rate", "share of busy invocations", "Killed at maxDuration"),
    ("skipped", "prebookings per run", "Skipped by the guard (stay pending)"),
    ("inversion_rate", "inverted pairs / all pairs", "Inversions (Kendall tau rate)"),
    ("unfair", "users per run", "Unfair outcomes: refused while a later requester got a place"),
    ("places_won", "share of our prebookings", "Places won"),
    ("book_p95", "seconds after the opening", "Time to book, p95"),
)


def report_markdown(findings: Findings, chosen_gap: float | None) -> str:
    scenario, plan = findings.scenario, findings.scenario.experiment
    choices = choices_by_load(findings.sweep)
    share = {(w["strategy"], w["prebookings"]): w["whole_share"] for w in findings.whole}
    largest = {s: largest_whole_load(share, s) for s in plan.strategies}
    loads = sorted({r["load"] for r in findings.sweep})
    top = max(loads)
    at_top = {r["point"]: r for r in findings.sweep if r["load"] == top}
    guard = scenario.policy_for(plan.strategies[0])
    origin = "set in [policy]" if "budget" in scenario.policy else "the limit: [policy] sets none"
    parts = [
        f"# Prebooking strategy report: scenario `{scenario.name}`",
        scenario.description,
        f"{plan.replications} replications per point (seed {plan.seed}); one class's booking "
        f"window opens every minute for {scenario.workload.minutes} minutes, with "
        f"{scenario.workload.capacity_ratio:.0%} as many places as prebookings; a cron "
        f"({scenario.cron.mode}) calls a function killed at {scenario.platform.max_duration:g} s "
        f"(the platform limit); its guard's budget is {guard.budget:g} s ({origin}): every "
        f"request answered by {guard.deadline_after:g} s, no send started after "
        f"{guard.cutoff_after:g} s. "
        "Intervals are 95% Student-t intervals of the mean over replications; every strategy "
        "meets the same users, jitter and latencies at a given load and replication.",
        "## Recommendation",
        recommendation_markdown(findings.selections, findings.differences),
        "### The seed's open questions",
        "1. **Is strict FIFO worth its price?** " + _fifo_answer(findings.sweep, choices),
        "2. **How many prebookings can one invocation take?** One guarded invocation finishes "
        "all N ready prebookings in at least 95% of replications up to: "
        + ", ".join(f"{s} **{_num(largest[s])}**" for s in plan.strategies)
        + f" (tested N: {', '.join(map(str, plan.loads))}; the seed's own query limit is 50).",
        "3. **What happens to partial work near the limit?** The guard stops starting sends "
        "before the cut-off; what it skipped was never claimed, stays `pending` and is taken by "
        f"the next invocation, a cron period later. At {top} per class: "
        + "; ".join(
            f"{name} skips {_num(row['skipped'], 1)} per run, p95 time to book "
            f"{_num(row['book_p95'], 1)} s, killed {_num(row['kill_rate'], 3)}, "
            f"unfinished {_num(row['lost'], 1)}, doubles {_num(row['doubles'], 1)}"
            for name, row in sorted(at_top.items())
        )
        + ". Nothing is lost that the next minutes do not pick up, but a skipped prebooking "
        "waits a whole period, so under scarcity it usually finds the class full.",
        "4. **Stagger gap.** "
        + (
            f"The smallest gap that keeps the inversion rate under {plan.inversion_target:.1%} "
            f"(whole interval, at {plan.gap_load} per class) is **{chosen_gap * 1000:g} ms**."
            if chosen_gap is not None
            else f"No tested gap keeps inversions under {plan.inversion_target:.1%}."
        ),
        "## Results by strategy and load",
    ]
    for metric, label, title in METRIC_FIGURES:
        parts.append(f"### {title}\n\n![{title}](figures/{metric}.png)")
        parts.append(
            _table(
                ["strategy", *map(str, loads)],
                [
                    [point] + [_ci(_row(findings.sweep, point, load), metric) for load in loads]
                    for point in sorted({r["point"] for r in findings.sweep})
                ],
            )
            + f"\n\nUnit: {label}; mean [95% interval]."
        )
    parts += [
        "## Stagger gap against inversions",
        f"![stagger gap](figures/stagger_gap.png)\n\nStaggered at {plan.gap_load} prebookings "
        "per class: with a gap shorter than the spread of the booking call's latency, later "
        "requests overtake earlier ones.",
        _table(
            ["gap (ms)", "inversion rate", "unfair", "p95 time to book (s)"],
            [
                [
                    f"{r['gap'] * 1000:g}",
                    _ci(r, "inversion_rate", 4),
                    _ci(r, "unfair"),
                    _ci(r, "book_p95"),
                ]
                for r in sorted(findings.gaps, key=lambda r: r["gap"])
            ],
        ),
        "## What the minute cron costs",
        f"At {plan.gap_load} prebookings per class, the same runs fired by the minute cron "
        "alone (its jitter as configured) and fired exactly at each window opening "
        f"(+{scenario.cron.exact_delay * 1000:g} ms, as a delayed-message service or an "
        "always-on worker would) with the cron kept for what the first call leaves "
        "(`both`). Windows open on whole minutes here, as classes start on the hour or half "
        "hour, so the cron's cost is its jitter and the minute a skipped prebooking waits.",
        _table(
            ["trigger", "p50 time to book (s)", "p95 time to book (s)", "unfair", "skipped"],
            [
                [
                    r["point"],
                    _ci(r, "book_p50"),
                    _ci(r, "book_p95"),
                    _ci(r, "unfair"),
                    _ci(r, "skipped"),
                ]
                for r in sorted(findings.triggers, key=lambda r: r["point"])
            ],
        ),
        auto_markdown(
            findings.auto,
            delta_places=plan.auto_delta_places,
            delta_inv=plan.auto_delta_inversions,
        ),
        competition_markdown(scenario, findings.competition) if findings.competition.speed else "",
        *_seed_section(findings.seed),
        "## How this was measured",
        "The scheduler's own core (`scheduler/`: policy, flows, guard, retries) runs inside SimPy "
        "through `sim/driver.py`; the cron, the platform (cold starts, the kill), the database, "
        "the network and AimHarder are models (`sim/`), AimHarder's booking rules being the mock "
        "server's own (`mock_aimharder/model/gym.py`). Order is judged from the server's journal. "
        "Inversions: pairs of one class processed against their `created_at` order. Unfair: a "
        "user refused while a later requester got a place. Time to book: opening to processing "
        "of the booking that got the place. Unfinished: prebookings not final when the run ends "
        f"({plan.drain_minutes} minutes after the last opening). Doubles: processed again after "
        "taking effect. Data for every figure: `data/`. Any replication reruns alone, printing its "
        "journal: `python -m sim replay RUN_ID --scenario FILE` (run ids and journal hashes in "
        "`data/replications.csv`, each run's seeds in `data/seeds.json`).",
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _seed_section(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The seed's claims against the simulation; nothing when they were not run."""
    if not rows:
        return []
    return [
        "## The seed's tables against the simulation",
        "One invocation that finds N ready prebookings, triggered at the opening, warm, with no "
        "guard, under the seed's own assumptions (`sim/scenarios/seed.toml`). Simulated: p5 at "
        "the row's smallest N to p95 at its largest.\n\n![seed](figures/seed_ranges.png)",
        _table(
            ["table", "N", "strategy", "seed (s)", "simulated (s)", "seed says", "agreement"],
            [
                [
                    r["table"],
                    r["prebookings"],
                    r["strategy"],
                    f"{_num(r['seed_low'])}-{_num(r['seed_high'])}",
                    f"{_num(r['sim_low'])}-{_num(r['sim_high'])}",
                    r["seed_verdict"],
                    r["agreement"],
                ]
                for r in rows
            ],
        ),
    ]


def left_out_markdown(parts: Sequence[tuple[str, str]]) -> str:
    """One line naming the sections a what-if left out and the flag that puts each back."""
    if not parts:
        return ""
    named = "; ".join(f"{what} (`{flag}`)" for what, flag in parts)
    return f"Left out of this run to keep it quick (the default scenario runs them all): {named}."


def _row(rows: Sequence[dict[str, Any]], point: str, load: int) -> dict[str, Any]:
    return next(r for r in rows if r["point"] == point and r["load"] == load)


def _fifo_answer(sweep: Sequence[dict[str, Any]], choices: Sequence[dict[str, Any]]) -> str:
    sequential_safe = [c["load"] for c in choices if "sequential" in c["safe"]]
    parallel = [r for r in sweep if r["point"] == "parallel"]
    worst = max(parallel, key=lambda r: r["inversion_rate"], default=None)
    text = (
        f"Sequential never inverts and is safe up to {max(sequential_safe)} per class; "
        if sequential_safe
        else "Sequential is never safe here; "
    )
    if worst is not None:
        text += (
            f"parallel inverts up to {worst['inversion_rate']:.0%} of pairs (at "
            f"{worst['load']}) and refuses {_num(worst['unfair'], 1)} users per run who asked "
            "before someone who got a place. "
        )
    return text + "The table above gives, per load, the fairest strategy that is also safe."


def validation_markdown(rows: Sequence[dict[str, Any]]) -> str:
    table = _table(
        [
            "strategy",
            "measure",
            "real p10/p50/p90",
            "simulated p10/p50/p90",
            "real - simulated, 90% interval",
            "margin",
            "agrees",
        ],
        [
            [
                r["strategy"],
                r["measure"],
                "/".join(_num(r[f"real_p{q}"], 3) for q in (10, 50, 90)),
                "/".join(_num(r[f"sim_p{q}"], 3) for q in (10, 50, 90)),
                f"{r['real_mean'] - r['sim_mean']:+.3f} "
                f"[{r['difference_low']:+.3f}, {r['difference_high']:+.3f}]",
                f"±{r['margin']:.3f}",
                "yes" if r["agrees"] else "**no**",
            ]
            for r in rows
        ],
    )
    margins = "; ".join(f"{name}: {m.text('')}" for name, m in MARGINS.items())
    runs = f"{rows[0]['real_runs']} real and {rows[0]['sim_runs']} simulated runs" if rows else ""
    return (
        "## The simulation against real runs\n\n"
        "The same invocation run for real (the mock AimHarder in its own process with the "
        "booking latencies of `sim/scenarios/validate.toml`, the real scheduler over HTTP and a "
        f"SQLite file) and in the model, {runs} per strategy. Agreement is equivalence: the "
        "whole 90% interval of mean(real) - mean(simulated) (Welch) within the margin, "
        f"relative to the real mean with an absolute floor ({margins}; seconds for makespan "
        "and time to book, whose per-run value is the mean over its bookings). Why these "
        "margins: `sim/equivalence.py` and the README. "
        f"{verdict(rows)}.\n\n{table}\n"
    )
