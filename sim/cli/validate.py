"""What ``python -m sim validate`` prints: each strategy's measures, real against simulated, with
what the comparison found in the words of ``sim.validation.outcome``, in 80 columns; and the
strategies it compares unless told (``auto``, the recommended one, among them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table

from sim.selection.auto import AUTO
from sim.validation.outcome import MEANINGS, MORE_RUNS, Outcome, outcome_of, said

__all__ = ["VALIDATED", "validation_table"]

VALIDATED = ("sequential", "staggered", "batched", "parallel", AUTO)
"""The strategies ``sim validate`` compares by default: the fixed ones and the recommended."""


def validation_table(
    rows: Sequence[dict[str, Any]], *, load: int, more_runs: str = MORE_RUNS
) -> Table:
    """One row per strategy and measure (rows of ``sim.validation.compare``), each strategy
    heading its measures, means and intervals in the measure's unit (seconds, or a share for
    the inversion rate); what was found is the outcome's word, and under the table what
    ``not shown`` says in full (every row of one comparison ran as many real runs)."""
    runs = f"{rows[0]['real_runs']} real and {rows[0]['sim_runs']} simulated runs" if rows else ""
    table = Table(
        title=f"real - simulated, {load} ready prebookings, {runs} per strategy; seconds, "
        "the inversion rate a share of same-class pairs",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),  # with the box's blank column separator: two spaces between
        caption_justify="left",
    )
    table.add_column("strategy, measure", no_wrap=True)
    for header in ("real", "sim", "real - sim, 90%", "margin"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("found", no_wrap=True)
    strategy = None
    for row in rows:
        if row["strategy"] != strategy:
            strategy = row["strategy"]
            table.add_row(strategy)
        table.add_row(
            f"  {row['measure']}",
            f"{row['real_mean']:.3f}",
            f"{row['sim_mean']:.3f}",
            f"[{row['difference_low']:+.3f}, {row['difference_high']:+.3f}]",
            f"±{row['margin']:.3f}",
            str(outcome_of(row)),
        )
    unshown = [said(r, more_runs) for r in rows if outcome_of(r) is Outcome.NOT_SHOWN]
    if unshown:
        meaning = next(m.meaning for m in MEANINGS if m.outcome is Outcome.NOT_SHOWN)
        table.caption = f"{unshown[0]}: {meaning}"
    return table
