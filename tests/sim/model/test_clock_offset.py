"""The model's clock skew: AimHarder's clock differs from the bot's by one draw per run.

The draw comes from the scenario's stated distribution (``aimharder.clock_offset``, uniform),
from its own named stream: every strategy meets the same offset at a given replication, and a
bot behind AimHarder's opening is answered "too early" and books once the window opens.
"""

from __future__ import annotations

from mock_aimharder.model.codes import BookState
from sim.model.replication import run_replication
from sim.scenario import Scenario

LOW, HIGH = -0.5, 0.5
SMALL = {"workload": {"minutes": 1}, "experiment": {"drain_minutes": 1}}


def _scenario(low: float, high: float, **extra: object) -> Scenario:
    return Scenario.from_data(
        {**SMALL, "aimharder": {"clock_offset": {"low": low, "high": high}}, **extra}
    )


def test_each_run_draws_its_offset_from_the_stated_range_the_same_for_every_strategy() -> None:
    scenario = _scenario(LOW, HIGH)
    drawn = {
        (name, replication): run_replication(scenario, name, 3, replication).summary.clock_offset
        for name in ("sequential", "parallel")
        for replication in range(4)
    }
    assert all(LOW <= offset <= HIGH for offset in drawn.values())
    for replication in range(4):
        assert drawn[("sequential", replication)] == drawn[("parallel", replication)]
    assert len({drawn[("sequential", r)] for r in range(4)}) == 4


def test_a_bot_ahead_of_aimharder_is_answered_too_early_then_books() -> None:
    exact = {"mode": "exact", "exact_delay": 0.0}

    def refused_then_placed(offset: float) -> tuple[bool, int, int]:
        scenario = _scenario(offset, offset, cron=exact)
        run = run_replication(scenario, "parallel", 3, 0, keep_journal=True)
        assert run.summary.clock_offset == offset
        refused = any(e.book_state == BookState.NOT_ALLOWED for e in run.journal)  # too early
        return refused, run.summary.placed, run.summary.lost

    # In step with AimHarder, a send at the opening is on time; with AimHarder's clock 3 s
    # behind the bot's (more than a cold start and the way in), the same send is early:
    # refused, tried again, then booked.
    on_time, early = refused_then_placed(0.0), refused_then_placed(-3.0)
    assert on_time[0] is False
    assert early[0] is True
    assert early[1:] == on_time[1:]  # the same places, nothing lost
    assert early[2] == 0
