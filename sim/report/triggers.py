"""The report's "which trigger and limit" section in words (``templates/trigger_choice.md.j2``),
from the presets' rows (``sim.experiments.trigger_presets``) and their recommendations
(``sim.selection.triggers``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.report.rendering import render_markdown
from sim.scenario import Scenario
from sim.selection.triggers import trigger_section

__all__ = ["section_markdown"]


def section_markdown(rows: Sequence[dict[str, Any]], base: Scenario) -> str:
    """The section (``sim/report/templates/trigger_choice.md.j2``), from the presets' rows."""
    return render_markdown("trigger_choice", t=trigger_section(rows, base)) + "\n"
