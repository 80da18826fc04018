"""The report's words and tables, in Markdown, from the findings (``sim.study``): what each
template of ``sim/report/templates`` is given; the words themselves are in the templates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sim.experiments.quick import QuickLook
from sim.model.summary import Measure
from sim.report.answer import advice, all_zero, answers, setting
from sim.report.outside_demand import auto_markdown, competition_markdown
from sim.report.recommendation import recommendation_markdown
from sim.report.rendering import phrase, render_markdown
from sim.report.shapes import batch_shapes
from sim.selection.rules import choices_by_load, largest_whole_load
from sim.study import Findings
from sim.validation.equivalence import MARGINS, verdict
from sim.validation.outcome import MEANINGS, MORE_RUNS, said

__all__ = [
    "METRIC_FIGURES",
    "left_out_markdown",
    "report_markdown",
    "shown_measures",
    "validation_markdown",
]

# The sweep's measures shown by load, in this order; their units and titles are phrases
# (``sim/report/templates/phrases.j2``).
METRIC_FIGURES = (
    Measure.MAKESPAN_MEAN,
    Measure.KILL_RATE,
    Measure.SKIPPED_PREBOOKINGS,
    Measure.INVERSION_RATE,
    Measure.UNFAIR,
    Measure.PLACES_WON,
    Measure.BOOK_P95,
)


def report_markdown(
    findings: Findings, chosen_gap: float | None, *, sections: Sequence[str] = ()
) -> str:
    """The report in Markdown (``sim/report/templates/report.md.j2``). The sections other
    modules write
    in Markdown (auto against the best, the world around the bot, then ``sections``) come after
    the cron's cost."""
    scenario, plan = findings.scenario, findings.scenario.experiment
    ranges = answers(findings.sweep, findings.selections, findings.differences, findings.lifts)
    share = {(w["strategy"], w["prebookings"]): w["whole_share"] for w in findings.whole}
    loads = sorted({r["load"] for r in findings.sweep})
    top = max(loads)
    measures = [
        {"metric": metric, "label": label, "title": title}
        for metric, label, title in _measures(METRIC_FIGURES)
    ]
    zeros = [m for m in measures if all_zero(findings.sweep, m["metric"])]
    return (
        render_markdown(
            "report",
            s=setting(scenario),
            plan=plan,
            answers=ranges,
            advice=advice(scenario, ranges, findings.triggers, findings.trigger_presets),
            recommendation=recommendation_markdown(
                findings.selections,
                findings.differences,
                most=findings.scenario.experiment.kn_max_replications,
            ),
            fifo=_fifo(findings.sweep),
            capacity=[(s, largest_whole_load(share, s)) for s in plan.strategies],
            top=top,
            at_top=sorted(
                (r for r in findings.sweep if r["load"] == top), key=lambda r: r["point"]
            ),
            chosen_gap=chosen_gap,
            measures=[m for m in measures if m not in zeros],
            titles=[m["title"][0].lower() + m["title"][1:] for m in zeros],
            zeros=zeros,
            loads=loads,
            points=sorted({r["point"] for r in findings.sweep}),
            cell=lambda point, load: _row(findings.sweep, point, load),
            gaps=sorted(findings.gaps, key=lambda r: r["gap"]),
            batch_shapes=batch_shapes(findings.sweep, scenario=scenario),
            exact_delay=scenario.cron.exact_delay,
            triggers=sorted(findings.triggers, key=lambda r: r["point"]),
            sections=[
                text
                for text in (
                    auto_markdown(
                        findings.auto,
                        delta_places=plan.auto_delta_places,
                        delta_inv=plan.auto_delta_inversions,
                    ),
                    competition_markdown(scenario, findings.competition)
                    if findings.competition.speed
                    else "",
                    *sections,
                )
                if text
            ],
            seed=findings.seed,
            quick=findings.quick,
            stopped=sum(1 for c in findings.selections if c.selection.bounded and not c.cut),
            choices=sum(1 for c in findings.selections if not c.cut),
            cut=sum(1 for c in findings.selections if c.cut),
        )
        + "\n"
    )


def shown_measures(sweep: Sequence[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The measures of ``METRIC_FIGURES`` worth a plot, not 0 everywhere: (metric, unit, title)."""
    return _measures(m for m in METRIC_FIGURES if not all_zero(sweep, m))


def _measures(metrics: Iterable[str]) -> list[tuple[str, str, str]]:
    return [(m, Measure(m).unit, phrase("title", m)) for m in metrics]


def left_out_markdown(parts: Sequence[tuple[str, str]], *, quick: QuickLook | None = None) -> str:
    """One line naming the sections a what-if left out and the flag that puts each back, and
    one saying how to get the full sizes after a quick look."""
    return render_markdown("left_out", parts=parts, quick=quick) if parts or quick else ""


def _row(rows: Sequence[dict[str, Any]], point: str, load: int) -> dict[str, Any]:
    return next(r for r in rows if r["point"] == point and r["load"] == load)


def _fifo(sweep: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Sequential's worst inversion rate and the loads where it is safe; parallel's worst row."""
    sequential = [r for r in sweep if r["point"] == "sequential"]
    parallel = [r for r in sweep if r["point"] == "parallel"]
    safe = [c["load"] for c in choices_by_load(sweep) if "sequential" in c["safe"]]
    return {
        "sequential_safe": safe,
        "sequential_worst": max((r["inversion_rate"] for r in sequential), default=0.0),
        "parallel": max(parallel, key=lambda r: r["inversion_rate"], default=None),
    }


def validation_markdown(rows: Sequence[dict[str, Any]], *, more_runs: str = MORE_RUNS) -> str:
    """The section of real runs against the model (``sim/report/templates/validation.md.j2``),
    in the words of ``sim.validation.outcome``; ``more_runs``: the option that asks for more."""
    return (
        render_markdown(
            "validation",
            rows=rows,
            margins=list(MARGINS.items()),
            verdict=verdict(rows, more_runs),
            said=lambda row: said(row, more_runs),
            meanings=MEANINGS,
        )
        + "\n"
    )
