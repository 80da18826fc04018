"""The report's choices per load and objective (``sim.selection.per_load``): a quick look
decides in full the cells its answer reads, and only those."""

from __future__ import annotations

from sim.experiments.grid import run_tasks, sweep_tasks
from sim.selection.objectives import FAIREST_SAFE, UNFAIR_OUTCOMES
from sim.selection.per_load import Choice, recommend
from tests.sim.selection.worlds import FETCH_BOUND

# One prebooking per class fits the fetch limit (every strategy safe); six do not (none safe).
SAFE_THEN_NOT = FETCH_BOUND.variant(
    experiment={"loads": [1, 6], "kn_first_stage": 4, "kn_max_replications": 8}
)


def _cells(choices: list[Choice]) -> dict[tuple[int, str], Choice]:
    return {(c.load, c.objective.name): c for c in choices}


def test_a_quick_look_cuts_only_the_fewest_unfair_outcomes_where_a_strategy_is_safe() -> None:
    sweep = run_tasks(SAFE_THEN_NOT, sweep_tasks(SAFE_THEN_NOT))
    full = _cells(recommend(SAFE_THEN_NOT, sweep)[0])
    quick = _cells(recommend(SAFE_THEN_NOT, sweep, answer_only=True)[0])
    assert full[(1, FAIREST_SAFE)].chosen and not full[(6, FAIREST_SAFE)].chosen
    assert [key for key, c in quick.items() if c.cut] == [(1, UNFAIR_OUTCOMES)]
    cut = quick[(1, UNFAIR_OUTCOMES)].selection
    assert max(cut.replications.values()) <= SAFE_THEN_NOT.experiment.replications
    # Every cell the answer reads is decided as the full report decides it.
    for key, choice in quick.items():
        if not choice.cut:
            assert choice.selection == full[key].selection, key
    assert not any(c.cut for c in full.values())
