"""``python -m sim select --scenario FILE [--load N] --objective NAME [--delta D] [--alpha A]
[--max-replications M] [--executor E] [--processes N] [--json]``: KN's choice at one load, as
a table or as JSON."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from commandline.conventions import add_command, add_json, add_verbosity
from commandline.suggestions import one_of, plainly
from scheduler.core.errors import ConfigurationError
from sim.cli.arguments import add_scenario, scenario_from
from sim.experiments.executors import add_executor_arguments, check_executor, open_executor
from sim.report.numbers import num
from sim.report.rendering import phrase
from sim.scenario import MAX_LOAD, MAX_REPLICATIONS
from sim.selection.kn import Selection, delta_problem
from sim.selection.objectives import (
    OBJECTIVES,
    Objective,
    PairedDifference,
    Replications,
    select_strategy,
)
from sim.selection.standing import Standing, reference, standings
from sim.stats import Estimate

__all__ = ["add_select_parser", "run_select", "selection_json", "standing_json", "standing_table"]


def add_select_parser(commands: Any, default_scenario: Path) -> None:
    select = add_command(
        commands,
        "select",
        help="the best strategy at one load, with a stated chance of being right",
        description="Run replications of every strategy at one load until one is the best for\n"
        "the objective (the KN procedure): right with probability 1 - alpha whenever\n"
        "the best is at least delta better than the rest.",
        example="--objective fairest-safe --load 30",
    )
    add_scenario(select, default_scenario)
    select.add_argument("--load", type=int, default=20, metavar="N", help="prebookings per class")
    select.add_argument(
        "--objective",
        required=True,
        type=one_of(OBJECTIVES),
        metavar="NAME",
        help=f"what to minimise: {plainly(OBJECTIVES)}",
    )
    select.add_argument(
        "--delta",
        type=float,
        metavar="D",
        help="the indifference zone, in the objective's unit (default: the objective's own)",
    )
    select.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        metavar="A",
        help="the chance of a wrong choice allowed (1 - the probability of correct selection)",
    )
    select.add_argument(
        "--max-replications",
        type=int,
        default=200,
        metavar="N",
        help="replications per strategy at most",
    )
    add_executor_arguments(select)
    add_verbosity(select)
    add_json(select, "the selection")


def _check(args: argparse.Namespace) -> None:
    if not 1 <= args.load <= MAX_LOAD:
        raise ConfigurationError(f"--load {args.load}; expected 1 to {MAX_LOAD}")
    problem = None if args.delta is None else delta_problem(args.delta)
    if problem is not None:
        raise ConfigurationError(f"--{problem}")
    if not 0 < args.alpha < 0.5:
        raise ConfigurationError(f"--alpha {args.alpha}; expected a number in (0, 0.5)")
    if not 2 <= args.max_replications <= MAX_REPLICATIONS:
        raise ConfigurationError(
            f"--max-replications {args.max_replications}; expected 2 to {MAX_REPLICATIONS}"
        )
    check_executor(args.executor, processes=args.processes)


def selection_json(selection: Selection, *, objective: Objective, load: int) -> dict[str, Any]:
    return {
        "objective": objective.name,
        "unit": objective.quantity.unit,
        "load": load,
        "chosen": list(selection.chosen),
        "verdict": phrase("verdict", selection),
        "delta": selection.delta,
        "alpha": selection.alpha,
        "pcs": selection.pcs,
        "n0": selection.n0,
        "replications": selection.replications,
        "means": selection.means,
        "identical": selection.identical,
        "bounded": selection.bounded,
        "ruled_out": list(selection.ruled_out),
    }


def standing_json(standing: Standing) -> dict[str, Any]:
    """One strategy's mean and difference from the choice, each ``None`` or with its interval."""
    difference = standing.difference
    return {
        "strategy": standing.strategy,
        "outcome": standing.outcome.value,
        "mean": None if standing.mean is None else asdict(standing.mean),
        "minus_chosen": None
        if difference is None
        else {
            "mean": difference.mean,
            "low": difference.low,
            "high": difference.high,
            "n": difference.n,
            "chosen": difference.b,
        },
    }


def run_select(args: argparse.Namespace, console: Console) -> int:
    _check(args)
    scenario = scenario_from(args.scenario, args.settings)
    objective = OBJECTIVES[args.objective]
    with open_executor(args.executor, processes=args.processes) as pool:
        replications = Replications(scenario, args.load, executor=pool)
        selection = select_strategy(
            replications,
            objective,
            delta=args.delta,
            alpha=args.alpha,
            max_replications=args.max_replications,
        )
    if args.json:
        data = selection_json(selection, objective=objective, load=args.load)
        data["standings"] = [
            standing_json(r) for r in standings(replications, objective, selection)
        ]
        print(json.dumps(data, indent=1))
        return 0
    out = Console(highlight=False)  # the table and the choice are the answer: stdout
    rows = standings(replications, objective, selection)
    where = f"{args.load} per class, {scenario.name}"
    out.print(standing_table(rows, objective, versus=reference(selection), where=where))
    out.print(f"chosen: {phrase('verdict', selection)}")
    return 0


def standing_table(
    rows: Sequence[Standing], objective: Objective, *, versus: str | None, where: str
) -> Table:
    """Each strategy's mean with its unit and 95% interval, and its paired difference from the
    choice (``versus``, ``sim.selection.standing.reference``), under a title naming the
    objective, its unit and ``where``: 80 columns wide at most (the title wraps)."""
    unit = objective.quantity.unit
    table = Table(
        title=f"{objective.label} ({unit}), {where}",
        caption="differences paired by replication (common random numbers)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("strategy")
    table.add_column("runs", justify="right")
    table.add_column("mean [95%]", justify="right", no_wrap=True)
    table.add_column(f"minus {versus or 'the choice'} [95%]", justify="right", no_wrap=True)
    table.add_column("KN")
    for row in rows:
        table.add_row(
            row.strategy,
            "-" if row.mean is None else str(row.mean.n),
            "-" if row.mean is None else _interval(row.mean, objective.digits),
            "-" if row.difference is None else _interval(row.difference, objective.digits, "+"),
            row.outcome.value,
        )
    return table


def _interval(value: Estimate | PairedDifference, digits: int, sign: str = "") -> str:
    """``mean [low, high]``, ``digits`` decimals below 10 and one fewer per digit before the
    point (the table stays within 80 columns up to 999 s); ``sign``: ``+`` to show it on a
    difference's mean."""
    finite = [abs(v) for v in (value.mean, value.low, value.high) if math.isfinite(v)]
    largest = max(finite, default=0.0)
    places = max(0, digits - (int(math.log10(largest)) if largest >= 1 else 0))
    low, high = _number(value.low, places, ""), _number(value.high, places, "")
    return f"{_number(value.mean, places, sign)} [{low}, {high}]"


def _number(value: float, places: int, sign: str) -> str:
    return f"{value:{sign}.{places}f}" if math.isfinite(value) else num(value)
