"""``python -m sim compare BASE [OTHER] [--set KEY=VALUE ...]``: what a change of scenario does to
the answer: the answer under each, load by load, and its measures' paired differences."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from commandline.conventions import add_command, add_verbosity, unwritable_folder
from commandline.progress import stages
from scheduler.core.errors import ConfigurationError
from sim.cli.arguments import scenario_from, setting, within
from sim.comparison import compare_scenarios
from sim.experiments import quick
from sim.experiments.executors import add_executor_arguments, check_executor, open_executor
from sim.report.comparison import answer_rows, change_rows, comparison_markdown
from sim.report.files import write_rows
from sim.scenario import MAX_REPLICATIONS, Scenario

__all__ = ["add_compare_parser", "run_compare"]


def add_compare_parser(commands: Any) -> None:
    compare = add_command(
        commands,
        "compare",
        help="what a change of scenario does to the answer and its measures",
        description="Run two scenarios under common random numbers and print, load by load,\n"
        "the answer under each and the paired differences of its measures. OTHER is\n"
        "a second file, or BASE with --set keys on top.",
        example="sim/scenarios/default.toml --set policy.limit=200",
    )
    compare.add_argument("base", type=Path, metavar="BASE", help="the scenario file to start from")
    compare.add_argument(
        "other",
        type=Path,
        nargs="?",
        metavar="OTHER",
        help="the scenario to compare with it (default: BASE itself, with the --set keys)",
    )
    compare.add_argument(
        "--set",
        action="append",
        type=setting,
        default=[],
        metavar="KEY=VALUE",
        dest="settings",
        help="a key set on OTHER, dotted, its value as TOML writes it (policy.limit=200); "
        "repeatable",
    )
    compare.add_argument(
        "--full",
        action="store_true",
        help=f"every load of BASE's plan (default: at most {quick.LOADS} of them, spread)",
    )
    compare.add_argument(
        "--replications",
        type=int,
        metavar="N",
        help="replications per strategy and load (default: BASE's count)",
    )
    compare.add_argument(
        "--out", type=Path, metavar="DIR", help="also write comparison.md and data/ here"
    )
    add_executor_arguments(compare)
    add_verbosity(compare)


def run_compare(args: argparse.Namespace) -> int:
    if args.other is None and not args.settings:
        raise ConfigurationError(
            "nothing to compare: BASE alone; expected OTHER, or at least one --set KEY=VALUE"
        )
    within("--replications", args.replications, 2, MAX_REPLICATIONS)  # a paired interval needs 2
    check_executor(args.executor, processes=args.processes)
    if args.out is not None and (problem := unwritable_folder(args.out)) is not None:
        raise ConfigurationError(f"--out {str(args.out)!r}: {problem}; expected a folder")
    base = Scenario.from_file(args.base)
    other = scenario_from(args.other or args.base, args.settings)
    if not args.full:
        count = args.replications or base.experiment.replications
        base, other = (quick.quick_look(s, replications=count)[0] for s in (base, other))
    elif args.replications is not None:
        base, other = (
            s.variant(experiment={"replications": args.replications}) for s in (base, other)
        )
    with open_executor(args.executor, processes=args.processes) as pool:
        comparison = compare_scenarios(base, other, executor=pool, progress=stages(not args.quiet))
    sets = " ".join(f"--set {key}={json.dumps(value)}" for key, value in args.settings)
    text = comparison_markdown(
        comparison,
        base_label=str(args.base),
        other_label=" ".join(part for part in (str(args.other or args.base), sets) if part),
    )
    print(text, end="")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "comparison.md").write_text(text, encoding="utf-8")
        write_rows(args.out / "data" / "answers", answer_rows(comparison))
        write_rows(args.out / "data" / "changes", change_rows(comparison))
    return 0
