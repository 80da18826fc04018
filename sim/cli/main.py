"""``python -m sim report --scenario FILE --out DIR``: run a scenario's experiments, write the
report (Markdown, HTML with plots, CSV/JSON). ``python -m sim validate``: real runs against the
simulation, side by side. ``python -m sim select``: the best strategy at a load, with a
guarantee. ``python -m sim replay ID``: one replication again, with its journal.
``python -m sim explore``: seeded worlds full of faults, every guarantee checked after each.
``python -m sim compare BASE [OTHER]``: what a change of scenario does to the answer."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from commandline.conventions import (
    INTERRUPTED,
    add_command,
    add_commands,
    add_verbosity,
    fresh_folder,
    new_parser,
    unwritable_folder,
)
from commandline.progress import stages, working
from commandline.suggestions import one_of, plainly
from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy, strategy_names
from sim.cli.arguments import add_scenario, scenario_from, within
from sim.cli.compare import add_compare_parser, run_compare
from sim.cli.explore import add_explore_parser, run_explore
from sim.cli.replay import add_replay_parser, run_replay
from sim.cli.select import add_select_parser, run_select
from sim.cli.validate import VALIDATED, validation_table
from sim.experiments import quick
from sim.experiments.executors import add_executor_arguments, check_executor, open_executor
from sim.report.files import build_report, gather, write_validation
from sim.report.run import run_info
from sim.scenario import (
    DEFAULT_SCENARIO,
    MAX_LOAD,
    MAX_REPLICATIONS,
    SEED_SCENARIO,
    VALIDATION_SCENARIO,
    Scenario,
)

if TYPE_CHECKING:
    from sim.validation.calibration import Tables

__all__ = ["main"]

MAX_ROUNDS = 50
REPORT_ROUNDS = 2  # timed invocations per strategy among the report's validation runs


PROG = "python -m sim"

DESCRIPTION = """\
The simulation: which strategy books many classes at once safely and fairly,
at which load, and how sure that answer is."""


def _epilog(prog: str) -> str:
    return f"""\
start with:
  {prog} report                   the default scenario's full report
  {prog} report --scenario FILE   a what-if: a quick look at your gym
  {prog} COMMAND --help           a command's options and an example"""


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = new_parser(prog, DESCRIPTION, epilog=_epilog(prog))
    commands = add_commands(parser)
    report = add_command(
        commands,
        "report",
        help="run a scenario's experiments and write the report",
        description="Run a scenario's experiments and write the report: Markdown, HTML with\n"
        "figures, and the data as CSV and JSON. The default scenario gives the full\n"
        "report; any other file is a what-if, a quick look unless --full.",
        example="--scenario examples/scenarios/three-classes.toml",
    )
    add_scenario(
        report,
        DEFAULT_SCENARIO,
        more=", the full report; any other is a what-if: a quick look unless --full",
    )
    report.add_argument(
        "--full",
        action="store_true",
        help="a what-if at the scenario's own sizes instead of the quick look's (at most "
        f"{quick.REPLICATIONS} replications per point, {quick.LOADS} loads, {quick.GAPS} stagger "
        "gaps; KN decides the answer at full size); the default scenario's report always runs "
        "its own",
    )
    report.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write into (default: a new out/report-YYYYMMDD-HHMMSS, never an old one)",
    )
    report.add_argument(
        "--replications", type=int, metavar="N", help="runs per point (default: the scenario's)"
    )
    add_executor_arguments(report)
    add_verbosity(report)
    report.add_argument(
        "--with-validation",
        action="store_true",
        help="compare the model with real runs (mock, scheduler, SQLite), in a process of "
        "their own beside the simulation; always on for the default scenario",
    )
    report.add_argument(
        "--validation-replications",
        type=int,
        default=4,
        metavar="N",
        help="real runs per strategy when the model is compared (0: leave the section out)",
    )
    report.add_argument(
        "--with-seed-tables",
        action="store_true",
        help="the seed's tables under the seed's own assumptions (the same for every "
        "scenario); always on for the default scenario",
    )
    report.add_argument(
        "--with-outside-demand",
        action="store_true",
        help="what speed buys against other members and bots, and the send offset; always on "
        "for the default scenario",
    )
    report.add_argument(
        "--with-trigger-presets",
        action="store_true",
        help="every trigger preset at every platform limit; always on for the default scenario",
    )
    validate = add_command(
        commands,
        "validate",
        help="compare real runs (mock, scheduler, SQLite) with the simulation",
        description="Run the real scheduler against the mock AimHarder on this machine, run the\n"
        "model with the same scenario, and say for each strategy and measure whether\n"
        "the two agree.",
        example="--strategies sequential staggered --replications 4",
    )
    add_scenario(validate, VALIDATION_SCENARIO)
    validate.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write into (default: a new out/validate-YYYYMMDD-HHMMSS)",
    )
    validate.add_argument(
        "--replications", type=int, metavar="N", help="real runs each (default: the scenario's)"
    )
    validate.add_argument("--load", type=int, default=10, metavar="N", help="ready prebookings")
    validate.add_argument(
        "--strategies",
        nargs="+",
        type=one_of(strategy_names()),
        default=list(VALIDATED),
        metavar="NAME",
        help=f"the strategies to compare, any of {plainly(strategy_names())} "
        f"(default: {' '.join(VALIDATED)})",
    )
    validate.add_argument(
        "--calibrate",
        type=int,
        default=4,
        metavar="ROUNDS",
        help="time the machinery on ROUNDS real invocations per strategy among the real runs, "
        f"and run the model with it (0: the scenario's tables as written; at most {MAX_ROUNDS})",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless every strategy and measure is shown equivalent",
    )
    add_verbosity(validate)
    add_select_parser(commands, DEFAULT_SCENARIO)
    add_replay_parser(commands, DEFAULT_SCENARIO)
    add_explore_parser(commands)
    add_compare_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """The command ``argv`` asks for; ``prog``: the command as typed, for usage and errors."""
    args = _parser(prog).parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)
    commands = {
        "validate": lambda: _validate(args, console),
        "select": lambda: run_select(args, console),
        "replay": lambda: run_replay(args),
        "explore": lambda: run_explore(args),
        "compare": lambda: run_compare(args),
        "report": lambda: _report(args, console),
    }
    try:
        return commands[args.command]()
    except ConfigurationError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        return 2
    except KeyboardInterrupt:
        return INTERRUPTED


def _output(out: Path | None, name: str) -> Path:
    """``--out``, or a new timestamped folder, ready to write into before any work starts
    (issue 22, item 12: the traceback used to come after the whole run)."""
    folder = fresh_folder(Path("out"), name) if out is None else out
    problem = unwritable_folder(folder)
    if problem is not None:
        raise ConfigurationError(f"--out {str(folder)!r}: {problem}; expected a folder to write to")
    return folder


def _report(args: argparse.Namespace, console: Console) -> int:
    scenario = scenario_from(args.scenario, args.settings)
    within("--replications", args.replications, 1, MAX_REPLICATIONS)
    within("--validation-replications", args.validation_replications, 0, MAX_REPLICATIONS)
    check_executor(args.executor, processes=args.processes)
    out = _output(args.out, "report")
    # The default scenario's report is the full one; any other is a what-if, quick unless asked:
    # its real runs and the seed's tables cost most of the time and the tables never change, and
    # its experiments run at the quick look's sizes (``sim.experiments.quick``) unless ``--full``.
    full = args.scenario.resolve() == DEFAULT_SCENARIO.resolve() and not args.settings
    validation = (full or args.with_validation) and args.validation_replications > 0
    seed = Scenario.from_file(SEED_SCENARIO) if full or args.with_seed_tables else None
    presets = full or args.with_trigger_presets
    outside_demand = full or args.with_outside_demand
    validating = {
        "strategies": scenario.experiment.strategies,
        "load": 10,
        "replications": args.validation_replications,
        "calibrate": REPORT_ROUNDS,
    }
    look = None
    if not (full or args.full):
        scenario, look = quick.quick_look(scenario, replications=args.replications)
        seed = None if seed is None else quick.quick_look(seed, replications=args.replications)[0]
    elif args.replications is not None:
        scenario = _with_replications(scenario, args.replications)
        seed = None if seed is None else _with_replications(seed, args.replications)
    began, wall = time.monotonic(), time.time()
    progress = stages(not args.quiet)
    checks = None
    with contextlib.ExitStack() as running:
        real_runs = None
        if validation and args.executor != "inline":
            # Real runs need the scheduler's asyncio driver, its HTTP client and scipy.stats:
            # loaded only when they run (a what-if starts 0.7 CPU-seconds sooner without them).
            from sim.validation.beside import (  # noqa: PLC0415
                SIMULATION_NICENESS,
                real_runs_beside,
            )

            real_runs = running.enter_context(
                real_runs_beside(
                    Scenario.from_file(VALIDATION_SCENARIO), **validating, progress=progress
                )
            )
        pool = running.enter_context(
            open_executor(
                args.executor,
                processes=args.processes,
                niceness=SIMULATION_NICENESS if real_runs is not None else 0,
            )
        )
        findings = gather(
            scenario,
            seed_scenario=seed,
            presets=presets,
            outside_demand=outside_demand,
            executor=pool,
            progress=progress,
            quick=look,
        )
        if real_runs is not None:
            checks = real_runs.result().rows
    if validation and checks is None:  # inline: the simulation would hold the real runs' core
        from sim.validation.compare import compare  # noqa: PLC0415

        checks = compare(
            Scenario.from_file(VALIDATION_SCENARIO), **validating, progress=progress
        ).rows
    left_out = [
        (what, flag)
        for what, flag, ran in (
            ("outside demand and the send offset", "--with-outside-demand", outside_demand),
            ("the trigger presets", "--with-trigger-presets", presets),
            ("the seed's tables", "--with-seed-tables", seed is not None),
            ("real runs against the model", "--with-validation", validation),
        )
        if not ran
    ]
    with working("writing the report and its figures", show=not args.quiet):
        run = run_info(
            args.scenario,
            args.settings,
            seed=scenario.experiment.seed,
            executor=args.executor,
            started=wall,
            seconds=time.monotonic() - began,
        )
        page = build_report(findings, out, validation=checks, left_out=left_out, run=run)
    took = f"{time.monotonic() - began:.0f} s"
    if look is not None:
        took += "; a quick look: --full for the scenario's own sizes"
    console.print(f"report: {out / 'report.md'} and {page} ({took})", highlight=False)
    return 0


def _validate(args: argparse.Namespace, console: Console) -> int:
    from sim.validation.compare import compare  # noqa: PLC0415
    from sim.validation.equivalence import verdict  # noqa: PLC0415 (loaded only here: see ``_report``)

    scenario = scenario_from(args.scenario, args.settings)
    within("--replications", args.replications, 1, MAX_REPLICATIONS)
    within("--load", args.load, 1, MAX_LOAD)
    within("--calibrate", args.calibrate, 0, MAX_ROUNDS)
    for name in args.strategies:
        strategy(name)  # refuses an unknown name, listing the known ones
    out = _output(args.out, "validate")
    count = args.replications or scenario.experiment.replications
    comparison = compare(
        scenario,
        strategies=args.strategies,
        load=args.load,
        replications=count,
        calibrate=args.calibrate,
        progress=stages(not args.quiet),
    )
    rows = comparison.rows
    write_validation(rows, out)
    if comparison.calibration is not None:
        _print_calibration(comparison.calibration, out, args.calibrate)
    Console().print(validation_table(rows, load=args.load))
    console.print(f"written: {out / 'validation.md'}", highlight=False)
    print(verdict(rows))
    return 1 if args.strict and not all(r["agrees"] for r in rows) else 0


def _print_calibration(tables: Tables, out: Path, rounds: int) -> None:
    """The machinery the model ran with (printed, and written for a scenario file)."""
    from sim.validation.calibration import calibration_toml, quantities  # noqa: PLC0415 (see ``_report``)

    table = Table(title=f"the machinery, {rounds} timed real invocations per strategy (ms)")
    for column in ("parameter", "median", "mean", "p99"):
        table.add_column(column)
    for name, distributions in tables.items():
        for what, d in distributions.items():
            table.add_row(f"{name}.{what}", *(f"{q * 1000:.2f}" for q in quantities(d)))
    Console().print(table)
    (out / "calibration.toml").write_text(calibration_toml(tables), encoding="utf-8")


def _with_replications(scenario: Scenario, count: int) -> Scenario:
    return scenario.variant(experiment={"replications": count})
