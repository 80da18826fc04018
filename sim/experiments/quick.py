"""A what-if's quick look: the scenario's experiments at smaller sizes, so that a what-if takes
about ten seconds on two cores (docs/what-ifs.md); ``--full`` runs the scenario's own sizes,
and the default scenario's report always does.

What it cuts, and what that costs:

- replications per point (the sweep, the stagger gaps, one invocation, the cron's cost; the
  world around the bot and the trigger presets when asked for): at most ``REPLICATIONS``. A 95%
  Student-t interval's half-width is t(0.975, n - 1) s / sqrt(n): 3 instead of 10 make it about
  3.5 times as wide for the same spread (``QuickLook.width``).
- KN is not cut where the answer reads it: it decides as the full report does, from the
  scenario's own first stage (``kn_first_stage``: the sweep's replications and more of the same
  seeds) up to its own cap, so the answer a quick look gives is the full report's at the loads
  both try (with a first stage of 3, KN's boundary is so wide, h2 about 78 for five strategies
  against 11 from 10, that it could not separate what any reader would: the false ties of
  issue 23). The one objective the answer does not read at a load where a strategy is safe,
  the fewest unfair outcomes, is chosen there from the sweep's replications alone
  (``sim.selection.per_load.recommend``, ``answer_only``).
- loads: at most ``LOADS`` of the scenario's, spread over them, the lightest and the heaviest
  kept: the answer's ranges of loads are coarser (a change of choice between two loads kept is
  placed less closely), and every load costs a sweep column and KN's choices there.
- stagger gaps: at most ``GAPS`` of the scenario's, spread the same way.

Every size keeps its bound: the quick ones are at most the scenario's, which its schema bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sim.scenario import Scenario
from sim.stats import half_width

__all__ = ["GAPS", "LOADS", "REPLICATIONS", "QuickLook", "quick_look"]

T = TypeVar("T", int, float)

REPLICATIONS = 3  # per point: a 95% interval of +-2.5 standard deviations (2: +-9; 10: +-0.7)

LOADS = 5  # prebookings per class tried
GAPS = 5  # stagger gaps tried


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickLook:
    """The sizes a quick look ran, beside the scenario's own (``full_*``)."""

    replications: int
    full_replications: int
    kn_first_stage: int  # replications per strategy and load KN starts from (the full count)
    kn_most: int  # replications per strategy and load KN may take in all (the full cap)
    loads: tuple[int, ...]
    full_loads: tuple[int, ...]
    gaps: tuple[float, ...]
    full_gaps: tuple[float, ...]

    @property
    def width(self) -> float:
        """How many times as wide a 95% interval is with ``replications`` as with the full
        count, for the same spread (1 when they are equal)."""
        return half_width(self.replications) / half_width(self.full_replications)


def quick_look(
    scenario: Scenario, *, replications: int | None = None
) -> tuple[Scenario, QuickLook]:
    """``scenario`` at the quick look's sizes, and what they are. ``replications``: a count the
    operator asked for (``--replications``), kept as it is; the other sizes stay quick."""
    plan = scenario.experiment
    count = replications if replications is not None else min(plan.replications, REPLICATIONS)
    loads = _spread(sorted(plan.loads), LOADS)
    # KN decides the answer as the full report does: from the full first stage (the sweep's
    # replications and more of the same seeds), up to the full cap.
    first_stage = min(
        plan.kn_max_replications, max(count, plan.kn_first_stage or plan.replications)
    )
    gaps = _spread(sorted(plan.stagger_gaps), GAPS)
    quick = {
        "replications": count,
        "loads": list(loads),
        "stagger_gaps": list(gaps),
        "world_replications": min(plan.world_replications, REPLICATIONS),
        "trigger_replications": min(plan.trigger_replications, REPLICATIONS),
        "kn_first_stage": first_stage,
    }
    look = QuickLook(
        replications=count,
        full_replications=plan.replications,
        kn_first_stage=first_stage,
        kn_most=plan.kn_max_replications,
        loads=loads,
        full_loads=tuple(plan.loads),
        gaps=gaps,
        full_gaps=tuple(plan.stagger_gaps),
    )
    return scenario.variant(experiment=quick), look


def _spread(values: list[T], count: int) -> tuple[T, ...]:
    """``count`` of ``values`` (sorted) evenly spread over them, the first and the last kept."""
    if len(values) <= count:
        return tuple(values)
    picks = sorted({round(i * (len(values) - 1) / (count - 1)) for i in range(count)})
    return tuple(values[i] for i in picks)
