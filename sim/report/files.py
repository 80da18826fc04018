"""The strategy report: writes what a scenario's experiments found.

Out: ``report.md``, a self-contained ``report.html`` (plots embedded), ``figures/*.png`` and
``data/*.csv`` + ``data/*.json`` for every figure and table, so any number can be re-plotted.
The experiments are ``sim.study``, the answer ``sim.report.answer``, the words the templates of
``sim/report/templates`` (``sim.report.rendering``) that ``sim.report.sections`` feeds.
"""

from __future__ import annotations

import base64
import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import markdown
from markupsafe import Markup

from sim.experiments.replay import run_id
from sim.model.summary import Measure
from sim.report import figures
from sim.report.answer import all_zero, answers, recommended_points
from sim.report.glossary import with_glossary
from sim.report.outside_demand import offset_figures, speed_figure
from sim.report.recommendation import choice_rows, difference_rows
from sim.report.rendering import phrase, render_html, render_markdown
from sim.report.run import RunInfo
from sim.report.sections import (
    left_out_markdown,
    report_markdown,
    shown_measures,
    validation_markdown,
)
from sim.report.triggers import section_markdown
from sim.selection.binding import Lifted
from sim.selection.rules import safe_point, smallest_gap
from sim.study import SEED_SCENARIO, Findings, gather

__all__ = [
    "SEED_SCENARIO",
    "Findings",
    "build_report",
    "data_column",
    "gather",
    "validation_markdown",
    "write_rows",
    "write_validation",
]


def build_report(
    findings: Findings,
    out: Path,
    *,
    validation: Sequence[dict[str, Any]] | None = None,
    left_out: Sequence[tuple[str, str]] = (),
    run: RunInfo | None = None,
) -> Path:
    """Writes every file under ``out``; returns the HTML page's path. ``validation``: rows of
    ``sim.validation.compare.compare``, shown in a section of their own when given.
    ``left_out``: (what,
    the flag that puts it back) for each section this run skipped, named in one line."""
    data, pictures = out / "data", out / "figures"
    replications = [
        {**r.summary.row(), "run_id": run_id(r), "journal_hash": r.journal_hash}
        for r in findings.replications
    ]
    for name, rows in (
        ("sweep", findings.sweep),
        ("replications", replications),
        ("stagger_gaps", findings.gaps),
        ("one_invocation", findings.whole),
        ("seed_tables", findings.seed),
        ("triggers", findings.triggers),
        ("selections", choice_rows(findings.selections)),
        ("differences", difference_rows(findings.differences)),
        ("trigger_presets", findings.trigger_presets),
        ("outside_demand", findings.competition.speed),
        ("losing_places", findings.competition.losing),
        ("send_offsets", findings.competition.offsets),
        ("auto_against_best", findings.auto),
        ("what_binds", [_lift_row(lift) for lift in findings.lifts]),
    ):
        write_rows(data / name, rows)
    target = findings.scenario.experiment.inversion_target
    chosen_gap = smallest_gap(findings.gaps, target)
    for metric, label, title in shown_measures(findings.sweep):
        figures.plot_metric_by_load(
            findings.sweep,
            metric,
            classes_per_minute=findings.scenario.workload.classes_per_minute,
            ylabel=label,
            title=title,
            path=pictures / f"{metric}.png",
        )
    figures.plot_gap_sweep(
        findings.gaps,
        target=target,
        chosen=chosen_gap,
        title=phrase("title", "stagger_gap"),
        path=pictures / "stagger_gap.png",
    )
    if findings.seed:
        figures.plot_seed_ranges(
            findings.seed, title=phrase("title", "seed_ranges"), path=pictures / "seed_ranges.png"
        )
    seeds = [{"run_id": run_id(r), **r.seeds} for r in findings.replications]
    (data / "seeds.json").write_text(json.dumps(seeds, indent=1), "utf-8")
    if findings.competition.speed:
        _competition_figures(findings, pictures)
    _tradeoff_figure(findings, pictures / "tradeoff.png")
    text = report_markdown(findings, chosen_gap)
    if findings.trigger_presets:
        text += "\n" + section_markdown(findings.trigger_presets, findings.scenario)
    if validation:
        write_rows(data / "validation", validation)
        text += "\n" + validation_markdown(validation, more_runs="--validation-replications")
    if left_out or findings.quick:
        text += "\n" + left_out_markdown(left_out, quick=findings.quick) + "\n"
    scenario_json = findings.scenario.model_dump(mode="json")
    (data / "scenario.json").write_text(json.dumps(scenario_json, indent=1), "utf-8")
    if run is not None:
        (data / "run.json").write_text(json.dumps(run.row(), indent=1), "utf-8")
        text += "\n" + render_markdown("run", run=run) + "\n"
    text = with_glossary(text)
    (out / "report.md").write_text(text, encoding="utf-8")
    html = out / "report.html"
    html.write_text(_html(text, out, findings.scenario.name), encoding="utf-8")
    return html


def _competition_figures(findings: Findings, pictures: Path) -> None:
    speed = findings.competition.speed
    for trigger in dict.fromkeys(r["trigger"] for r in speed):
        figures.plot_metric_against(
            [r for r in speed if r["trigger"] == trigger],
            "burst",
            "places_won",
            xlabel="outside requests per class (burst)",
            ylabel=f"places won ({Measure.PLACES_WON.unit})",
            title=phrase("title", "speed", trigger=trigger),
            path=pictures / speed_figure(trigger),
        )
    for metric, label, title in offset_figures():
        figures.plot_metric_against(
            findings.competition.offsets,
            "offset",
            metric,
            xlabel="send offset from the opening (s)",
            ylabel=label,
            title=title,
            path=pictures / f"offset_{metric}.png",
        )


def _tradeoff_figure(findings: Findings, path: Path) -> None:
    ranges = answers(findings.sweep, findings.selections, findings.differences, findings.lifts)
    # Unfair outcomes when any strategy causes some; otherwise inversions, the other unfairness.
    fairness = Measure.UNFAIR if not all_zero(findings.sweep, "unfair") else Measure.INVERSION_RATE
    figures.plot_tradeoff(
        findings.sweep,
        fairness=fairness,
        xlabel=f"{'unfair outcomes' if fairness == Measure.UNFAIR else 'inversions'}"
        f" ({fairness.unit})",
        recommended=recommended_points(ranges),
        safe={(r["point"], r["load"]) for r in findings.sweep if safe_point(r)},
        title=phrase("title", "tradeoff"),
        path=path,
    )


def _lift_row(lift: Lifted) -> dict[str, Any]:
    b = lift.binding
    column = f"lifted_{Measure.BOOK_P95.column}"
    p95 = {} if lift.book_p95 is None else lift.book_p95.as_dict(column)
    return {
        "load": b.load,
        "binds": b.bound.value,
        "value": b.value,
        "ready_per_period": b.ready,
        "lifted_to": b.lift,
        "lifted_choice": lift.chosen,
        **p95,
    }


# Columns named for what they hold, with their unit: every measure's (``Measure.column``) and
# the settings swept in seconds.
_COLUMNS = {m.value: m.column for m in Measure} | {
    "gap": "gap_s",
    "offset": "offset_s",
    "clock_offset": "clock_offset_s",
}


def data_column(key: str) -> str:
    """A row's key as ``data/`` names its column: ``book_p95_low`` -> ``book_p95_s_low``."""
    for bound in ("_low", "_high", ""):
        stem = key.removesuffix(bound) if bound else key
        if (not bound or key.endswith(bound)) and stem in _COLUMNS:
            return _COLUMNS[stem] + bound
    return key


def write_rows(stem: Path, rows: Sequence[dict[str, Any]]) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    rows = [{data_column(key): value for key, value in row.items()} for row in rows]
    stem.with_suffix(".json").write_text(json.dumps(rows, indent=1, default=str), "utf-8")
    with stem.with_suffix(".csv").open("w", newline="", encoding="utf-8") as handle:
        columns = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _html(text: str, out: Path, title: str) -> str:
    # A table of contents under the title, linked to every section (the page is long).
    text = re.sub(r"^(# .*\n)", r"\1\n[TOC]\n", text, count=1)
    body = markdown.markdown(text, extensions=["tables", "toc"])

    def embed(match: re.Match[str]) -> str:
        data = base64.b64encode((out / match.group(1)).read_bytes()).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="(figures/[^"]+\.png)"', embed, body)
    # The Markdown's own HTML; what a scenario file supplies was escaped by the ``text`` filter.
    return render_html("page", title=title, body=Markup(body))  # noqa: S704


def write_validation(rows: Sequence[dict[str, Any]], out: Path) -> None:
    write_rows(out / "validation", rows)
    (out / "validation.md").write_text(validation_markdown(rows), encoding="utf-8")
