"""``python -m loadtests run``: one bounded load run and its check; the exit code says.

Exit codes: 0 passed; 1 a violation (locust's own exit code for failed requests and calls
accepted without the secret, or the check of the journal against the store); 2 a bad option
(an unreachable, unknown or non-empty database, an ``--out`` that is not a folder or is empty,
an ``--html`` that is a folder) or a process
that did not start; 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from commandline.conventions import (
    INTERRUPTED,
    add_command,
    add_json,
    add_verbosity,
    fresh_folder,
    new_parser,
    seed,
)
from commandline.durations import duration
from loadtests.errors import LoadTestError
from loadtests.plan import SHAPES, RunPlan
from loadtests.preflight import check_html, out_folder
from loadtests.progress import Progress
from loadtests.run import run
from scheduler.core.strategies import strategy_names
from scheduler.settings import DEFAULT_STRATEGY

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = new_parser("python -m loadtests", __doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    one = add_command(commands, "run", help="one load run and its check")
    one.add_argument("--db", help="SQLite path or database URL (default: a new file in --out)")
    one.add_argument("--schedulers", type=int, default=2, help="scheduler processes")
    one.add_argument("--users", type=int, default=20, help="locust users at the peak")
    one.add_argument("--spawn-rate", type=float, default=20.0, help="users started per second")
    one.add_argument(
        "--run-time",
        type=duration,
        default=15.0,
        metavar="DURATION",
        help="how long locust runs (seconds, or 60s, 1m as locust's -t)",
    )
    one.add_argument("--prebookings", type=int, default=40, help="prebookings seeded")
    one.add_argument("--per-class", type=int, default=10, help="prebookings per class")
    one.add_argument(
        "--strategy", default=DEFAULT_STRATEGY, help=f"one of {', '.join(strategy_names())}"
    )
    one.add_argument("--shape", default="spike", help=f"one of {', '.join(SHAPES)}")
    one.add_argument(
        "--workers", type=int, default=0, help="locust worker processes (0: locust in one process)"
    )
    one.add_argument("--mock-visitors", type=int, default=2, help="locust users on the mock")
    one.add_argument(
        "--outside-members",
        type=int,
        default=0,
        help="locust users booking the prebooked classes as other members, taking places",
    )
    one.add_argument("--seed", type=seed, default=1, help="the mock's latency seed")
    one.add_argument(
        "--lost-answers",
        type=float,
        default=0.0,
        help="share of bookings the mock makes, then loses the answer of (needs --mock-visitors 0)",
    )
    one.add_argument(
        "--lost-answer-hold",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="how long a lost answer's connection is held first (0: closed at once)",
    )
    one.add_argument(
        "--late-landings",
        type=float,
        default=0.0,
        help="share of bookings that reach the mock --late-landing-delay late, past the "
        "schedulers' lease; after the run the places are held while they are sent again "
        "(needs --mock-visitors 0)",
    )
    one.add_argument(
        "--late-landing-delay",
        type=duration,
        default=25.0,
        metavar="DURATION",
        help="how late a late booking reaches the mock",
    )
    one.add_argument(
        "--out", help="folder to write into (default: a new out/loadtest-YYYYMMDD-HHMMSS)"
    )
    one.add_argument("--html", metavar="FILE", help="also write locust's HTML report to FILE")
    add_verbosity(one)
    add_json(one, "the summary (also written to OUT/summary.json)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console, errors = Console(), Console(stderr=True, soft_wrap=True)
    try:
        out = fresh_folder(Path("out"), "loadtest") if args.out is None else out_folder(args.out)
        plan = RunPlan(
            out=out,
            db=args.db,
            schedulers=args.schedulers,
            users=args.users,
            spawn_rate=args.spawn_rate,
            run_time=args.run_time,
            prebookings=args.prebookings,
            per_class=args.per_class,
            strategy=args.strategy,
            shape=args.shape,
            workers=args.workers,
            mock_visitors=args.mock_visitors,
            outside_members=args.outside_members,
            seed=args.seed,
            lost_answers=args.lost_answers,
            lost_answer_hold=args.lost_answer_hold,
            late_landings=args.late_landings,
            late_landing_delay=args.late_landing_delay,
            html=check_html(args.html),
        )
        summary = run(plan, Progress(errors, quiet=args.quiet))
    except LoadTestError as exc:
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        return 2
    except KeyboardInterrupt:  # everything started was stopped on the way out
        return INTERRUPTED
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        errors.print(f"locust's CSV files and summary.json in {plan.out}", highlight=False)
        summary.print(console)
    return 0 if summary.ok else 1
