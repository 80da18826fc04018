"""``python -m sim select --scenario FILE [--load N] --objective NAME [--delta D] [--alpha A]
[--max-replications M] [--executor E] [--processes N] [--json]``: KN's choice at one load, as
a table or as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from commandline.conventions import add_command, add_json, add_verbosity
from scheduler.core.errors import ConfigurationError
from sim.cli.arguments import add_scenario, scenario_from
from sim.experiments.executors import add_executor_arguments, check_executor, open_executor
from sim.report.rendering import phrase
from sim.scenario import MAX_LOAD, MAX_REPLICATIONS
from sim.selection.kn import Selection, delta_problem
from sim.selection.objectives import OBJECTIVES, Replications, select_strategy

__all__ = ["add_select_parser", "run_select", "selection_json"]


def add_select_parser(commands: Any, default_scenario: Path) -> None:
    select = add_command(
        commands, "select", help="the best strategy at a load (KN: PCS >= 1 - alpha within delta)"
    )
    add_scenario(select, default_scenario)
    select.add_argument("--load", type=int, default=20, help="prebookings per class")
    select.add_argument(
        "--objective", required=True, choices=sorted(OBJECTIVES), help="what to minimise"
    )
    select.add_argument(
        "--delta", type=float, help="the indifference zone (default: the objective's)"
    )
    select.add_argument(
        "--alpha", type=float, default=0.05, help="1 - the probability of correct selection"
    )
    select.add_argument(
        "--max-replications", type=int, default=200, help="replications per strategy at most"
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


def selection_json(selection: Selection, *, objective: str, load: int) -> dict[str, Any]:
    return {
        "objective": objective,
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
        data = selection_json(selection, objective=objective.name, load=args.load)
        print(json.dumps(data, indent=1))
        return 0
    table = Table(title=f"{objective.label}, {args.load} per class: {scenario.name}")
    for column in ("strategy", "replications", "mean", "outcome"):
        table.add_column(column)
    for name, count in selection.replications.items():
        outcome = (
            "ruled out (not safe)"
            if name in selection.ruled_out
            else "chosen"
            if name in selection.chosen
            else "eliminated"
        )
        mean = selection.means.get(name)
        table.add_row(name, str(count), "-" if mean is None else f"{mean:.4g}", outcome)
    Console().print(table)
    console.print(f"best: {phrase('verdict', selection)}", highlight=False)
    return 0
