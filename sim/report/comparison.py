"""``python -m sim compare`` in words: the two answers and the answer's measures, in Markdown
(``sim/report/templates/compare.md.j2``), and the rows of its ``data/`` files."""

from __future__ import annotations

from typing import Any

from sim.comparison import Comparison
from sim.model.summary import Measure
from sim.report.rendering import render_markdown

__all__ = ["answer_rows", "change_rows", "comparison_markdown"]


def comparison_markdown(comparison: Comparison, *, base_label: str, other_label: str) -> str:
    """``base_label``, ``other_label``: how each scenario was given (a file, with any --set)."""
    base, other = comparison.base, comparison.other
    return (
        render_markdown(
            "compare",
            base=base,
            other=other,
            base_label=base_label,
            other_label=other_label,
            plan=base.experiment,
            plan_replaced=comparison.plan_replaced,
            answers=comparison.answers,
            changed=[a.load for a in comparison.answers if a.changed],
            shown=comparison.shown,
            digits=_digits,
        )
        + "\n"
    )


def _digits(measure: Measure) -> int:
    """Seconds and counts to two places; shares, which are small, to three."""
    return 3 if measure.is_share else 2


def change_rows(comparison: Comparison) -> list[dict[str, Any]]:
    return [
        {
            "load": c.load,
            "strategy": c.strategy,
            "measure": c.measure.column,
            **c.base.as_dict("base"),
            **c.other.as_dict("other"),
            **({} if c.difference is None else c.difference.as_dict("other_minus_base")),
        }
        for c in comparison.changes
    ]


def answer_rows(comparison: Comparison) -> list[dict[str, Any]]:
    return [
        {
            "load": a.load,
            "base_chosen": " ".join(a.base.chosen),
            "base_tie": a.base.identical,
            "base_safe": " ".join(a.base.safe),
            "other_chosen": " ".join(a.other.chosen),
            "other_tie": a.other.identical,
            "other_safe": " ".join(a.other.safe),
            "changed": a.changed,
        }
        for a in comparison.answers
    ]
