"""The table of KN's choices per load and objective: a choice on an objective that asks nothing
of safety says when what it chose was not safe at its load (issue 28: "picks sequential for
fewest unfair outcomes at 50 per class, where sequential is unsafe, with nothing said")."""

from __future__ import annotations

import pytest

from sim.report.recommendation import recommendation_markdown, unsafe_mark
from sim.selection.kn import Selection
from sim.selection.objectives import OBJECTIVES, UNFAIR_OUTCOMES
from sim.selection.per_load import REPORT_OBJECTIVES, Choice


def _choice(
    load: int, objective: str, chosen: tuple[str, ...], ruled_out: tuple[str, ...] = ()
) -> Choice:
    selection = Selection(
        chosen=chosen,
        delta=0.5,
        alpha=0.05,
        n0=10,
        replications={"auto": 10 if chosen else 1, "sequential": 10 if chosen else 1},
        means={},
        identical=len(chosen) > 1,
        bounded=False,
        ruled_out=ruled_out,
    )
    return Choice(load=load, objective=OBJECTIVES[objective], selection=selection)


@pytest.mark.parametrize(
    ("chosen", "unsafe", "mark"),
    [
        (("auto",), (), ""),
        (("auto",), ("sequential",), ""),
        (("sequential",), ("sequential",), ", not safe here"),
        (("auto", "sequential"), ("auto", "sequential"), ", none safe here"),
        (("auto", "sequential"), ("sequential",), " (sequential not safe here)"),
    ],
)
def test_a_choice_says_which_of_its_strategies_were_not_safe(
    chosen: tuple[str, ...], unsafe: tuple[str, ...], mark: str
) -> None:
    assert unsafe_mark(chosen, unsafe) == mark


def test_the_table_marks_an_unsafe_choice_and_counts_replications_in_words() -> None:
    both = ("auto", "sequential")
    choices = []
    for objective in REPORT_OBJECTIVES:  # at 10 both are safe; at 50 neither is
        safe_choice = ("sequential",) if objective == UNFAIR_OUTCOMES else ("auto",)
        choices.append(_choice(10, objective, safe_choice))
        unsafe_choice = both if objective == UNFAIR_OUTCOMES else ()
        choices.append(_choice(50, objective, unsafe_choice, () if unsafe_choice else both))
    text = recommendation_markdown(choices, [], most=50)
    row_10 = next(line for line in text.splitlines() if line.startswith("| 10 |"))
    row_50 = next(line for line in text.splitlines() if line.startswith("| 50 |"))
    assert "safe here" not in row_10
    assert (
        "any of auto, sequential: equal in every replication, none safe here; 10 replications"
        in row_50
    )
    assert (
        "none: every strategy was ruled out (none was safe in every replication); 1 replication |"
        in row_50
    )
