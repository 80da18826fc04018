"""KN's choices (``sim.selection.per_load``) in words: the table of choices per load and
objective with the differences from each (``templates/recommendation.md.j2``), and their rows
for ``data/selections.csv`` and ``data/differences.csv``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.report.rendering import phrase, render_markdown
from sim.selection.objectives import FAIREST_SAFE, OBJECTIVES
from sim.selection.per_load import REPORT_OBJECTIVES, Choice, Difference
from sim.selection.rules import SAFE

__all__ = ["choice_rows", "difference_rows", "recommendation_markdown", "unsafe_mark"]


def choice_rows(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    return [
        {
            "load": c.load,
            "objective": c.objective.name,
            "verdict": phrase("verdict", c.selection),
            "chosen": " ".join(c.chosen),
            "delta": c.selection.delta,
            "pcs": c.selection.pcs,
            "bounded": c.selection.bounded,
            "identical": c.selection.identical,
            "ruled_out": " ".join(c.selection.ruled_out),
            **{f"n_{s}": n for s, n in c.selection.replications.items()},
        }
        for c in choices
    ]


def difference_rows(differences: Sequence[Difference]) -> list[dict[str, Any]]:
    return [
        {
            "load": d.load,
            "objective": d.objective.name,
            "other": d.other,
            "chosen": d.chosen,
            "text": _text(d),
            "mean": d.difference.mean,
            "low": d.difference.low,
            "high": d.difference.high,
            "n": d.difference.n,
        }
        for d in differences
    ]


def _text(d: Difference) -> str:
    return phrase("difference", d.difference, d.objective.label, d.objective.unit)


def unsafe_mark(chosen: Sequence[str], unsafe: Sequence[str]) -> str:
    """What a choice on an objective that does not ask for safety owes its reader: which of the
    chosen were not safe at that load (an empty string when all were)."""
    bad = [name for name in chosen if name in unsafe]
    if not bad:
        return ""
    if len(bad) == len(chosen):
        return f", not {SAFE.name} here" if len(bad) == 1 else f", none {SAFE.name} here"
    return f" ({', '.join(bad)} not {SAFE.name} here)"


def recommendation_markdown(
    choices: Sequence[Choice], differences: Sequence[Difference], *, most: int
) -> str:
    """The table of KN's choices and the differences from them; ``most``: the replications KN
    could take per strategy and load."""
    # The strategies unsafe at a load are those the safe objectives ruled out there.
    unsafe = {c.load: c.selection.ruled_out for c in choices if c.objective.name == FAIREST_SAFE}
    return render_markdown(
        "recommendation",
        objectives=[OBJECTIVES[o] for o in REPORT_OBJECTIVES],
        loads=sorted({c.load for c in choices}),
        cell={(c.load, c.objective.name): c for c in choices},
        verdict=lambda c: (
            phrase("verdict", c.selection) + unsafe_mark(c.chosen, unsafe.get(c.load, ()))
        ),
        most=most,
        differences=[{"load": d.load, "n": d.difference.n, "text": _text(d)} for d in differences],
    )
