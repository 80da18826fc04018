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

from commandline.conventions import (
    INTERRUPTED,
    add_command,
    add_commands,
    add_json,
    add_verbosity,
    fresh_folder,
    new_parser,
    seed,
)
from commandline.durations import duration
from commandline.suggestions import one_of, plainly
from loadtests.errors import LoadTestError
from loadtests.plan import SHAPES, RunPlan
from scheduler.core.strategies import strategy_names
from scheduler.settings import DEFAULT_STRATEGY

__all__ = ["main"]


PROG = "python -m loadtests"

DESCRIPTION = """\
Load runs of the real pieces on this machine: the mock AimHarder, scheduler
processes serving the cron endpoint, and locust calling it."""

RUN_DESCRIPTION = """\
Start the mock AimHarder and the schedulers, seed prebookings whose windows
open during the run, call the cron endpoint with locust, then check the
mock's journal against the store: every prebooking booked once, none twice,
none recorded wrongly, none lost.

exit codes: 0 passed; 1 a violation or failed requests; 2 a bad option or a
process that did not start; 130 stopped by Ctrl-C."""


def _parser(prog: str = PROG, run_as: str | None = None) -> argparse.ArgumentParser:
    parser = new_parser(prog, DESCRIPTION, epilog=f"start with:\n  {run_as or prog + ' run'}")
    commands = add_commands(parser)
    one = add_command(
        commands,
        "run",
        help="one bounded load run and its check",
        description=RUN_DESCRIPTION,
        example="--users 50 --run-time 30s --html out/load.html",
        prog=run_as,
    )
    one.add_argument(
        "--db", metavar="URL", help="SQLite path or database URL (default: a new file in --out)"
    )
    one.add_argument("--schedulers", type=int, default=2, metavar="N", help="scheduler processes")
    one.add_argument("--users", type=int, default=20, metavar="N", help="locust users at the peak")
    one.add_argument(
        "--spawn-rate", type=float, default=20.0, metavar="R", help="users started per second"
    )
    one.add_argument(
        "--run-time",
        type=duration,
        default=15.0,
        metavar="DURATION",
        help="how long locust runs (seconds, or 60s, 1m as locust's -t)",
    )
    one.add_argument("--prebookings", type=int, default=40, metavar="N", help="prebookings seeded")
    one.add_argument("--per-class", type=int, default=10, metavar="N", help="prebookings per class")
    one.add_argument(
        "--strategy",
        type=one_of(strategy_names()),
        default=DEFAULT_STRATEGY,
        metavar="NAME",
        help=f"the schedulers' strategy: one of {plainly(strategy_names())}",
    )
    one.add_argument(
        "--shape",
        type=one_of(SHAPES),
        default="spike",
        metavar="NAME",
        help=f"how the cron calls come: one of {plainly(SHAPES)}",
    )
    one.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="locust worker processes (0: locust in one process)",
    )
    one.add_argument(
        "--mock-visitors", type=int, default=2, metavar="N", help="locust users on the mock"
    )
    one.add_argument(
        "--outside-members",
        type=int,
        default=0,
        metavar="N",
        help="locust users booking the prebooked classes as other members, taking places",
    )
    one.add_argument("--seed", type=seed, default=1, metavar="N", help="the mock's latency seed")
    one.add_argument(
        "--lost-answers",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of bookings (0 to 1) the mock makes, then loses the answer of (needs "
        "--mock-visitors 0)",
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
        metavar="SHARE",
        help="share of bookings that reach the mock --late-landing-delay late, past the "
        "schedulers' lease; after the run the places are held while they are sent again "
        "(needs --mock-visitors 0)",
    )
    one.add_argument(
        "--late-landing-delay",
        type=duration,
        default=25.0,
        metavar="DURATION",
        help="how late a late booking reaches the mock (longer than --lease)",
    )
    one.add_argument(
        "--lease",
        type=duration,
        default=15.0,
        metavar="DURATION",
        help="the schedulers' lease, 6 s to 60 s: two thirds their budget per invocation (at "
        "most 10 s), the rest its slack (default: 15 s, their own)",
    )
    one.add_argument(
        "--out",
        metavar="DIR",
        help="folder to write into (default: a new out/loadtest-YYYYMMDD-HHMMSS)",
    )
    one.add_argument(
        "--html",
        metavar="FILE",
        help="also write one HTML page to FILE: the harness's verdict and violations on top "
        "of locust's statistics and charts",
    )
    add_verbosity(one)
    add_json(one, "the summary (also written to OUT/summary.json)")
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG, run_as: str | None = None) -> int:
    """The command ``argv`` asks for; ``prog``: the command as typed, ``run_as``: ``run`` as
    typed when it is not ``prog run`` (``prebooking-harness loadtest``)."""
    args = _parser(prog, run_as).parse_args(argv)
    # Imported once the arguments are read: the run's modules bring SQLAlchemy, numpy and
    # rich, which --help or a refused flag does not need.
    from rich.console import Console

    from loadtests.preflight import check_html, out_folder
    from loadtests.progress import Progress
    from loadtests.run import run

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
            lease=args.lease,
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
