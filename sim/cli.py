"""``python -m sim report --scenario FILE --out DIR``: run a scenario's experiments, write the
report (Markdown, HTML with plots, CSV/JSON)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console

from scheduler.errors import ConfigurationError
from sim.report import SEED_SCENARIO, build_report, gather
from sim.scenario import Scenario

__all__ = ["main"]

DEFAULT_SCENARIO = Path(__file__).parent / "scenarios" / "default.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="run the experiments and write the report")
    report.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    report.add_argument("--out", type=Path, default=Path("out/report"))
    report.add_argument("--replications", type=int, help="override the scenario's count")
    report.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes (all cores)"
    )
    report.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)
    try:
        scenario = Scenario.from_file(args.scenario)
        seed = Scenario.from_file(SEED_SCENARIO)
        if args.replications is not None:
            if args.replications < 1:
                raise ConfigurationError(
                    f"--replications {args.replications}; expected a whole number >= 1"
                )
            scenario, seed = (_with_replications(s, args.replications) for s in (scenario, seed))
        if args.workers < 1:
            raise ConfigurationError(f"--workers {args.workers}; expected a whole number >= 1")
    except ConfigurationError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        return 2
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        findings = gather(scenario, seed_scenario=seed, executor=pool, show_progress=not args.quiet)
    page = build_report(findings, args.out)
    console.print(f"report: {args.out / 'report.md'} and {page}", highlight=False)
    return 0


def _with_replications(scenario: Scenario, count: int) -> Scenario:
    plan = scenario.experiment.model_copy(update={"replications": count})
    return scenario.model_copy(update={"experiment": plan})
