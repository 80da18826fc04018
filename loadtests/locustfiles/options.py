"""The options every locust file of this package takes, and the run's exit code.

Custom options follow locust's own convention (``events.init_command_line_parser``, as in
locust's ``examples/add_command_line_argument.py``); in distributed mode the master forwards
them to the workers. The secret comes from ``LOCUST_CRON_SECRET`` so that it is never on a
command line (``ps`` shows those).

At the end (``events.quitting``, on the master or the only process) the exit code is 1 if any
call without the secret was accepted or any request failed, else 0 (locust's
``environment.process_exit_code``).
"""

from __future__ import annotations

import argparse
from typing import Any

from locust import events
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment
from locust.runners import WorkerRunner

from loadtests.locustfiles import ACCEPTED_UNAUTHORIZED

__all__ = ["add_options", "exit_code", "parsed", "set_exit_code"]


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]  # locust's EventHook is untyped
def add_options(parser: LocustArgumentParser) -> None:
    parser.add_argument(
        "--cron-secret",
        env_var="LOCUST_CRON_SECRET",
        default="",
        include_in_web_ui=False,
        help="the schedulers' CRON_SECRET (from the environment only)",
    )
    parser.add_argument("--scheduler-urls", default="", help="comma-separated scheduler base URLs")
    parser.add_argument("--mock-url", default="", help="the mock AimHarder's base URL")
    parser.add_argument("--mock-visitors", type=int, default=0, help="MockVisitor users")
    parser.add_argument("--visitor-class", type=int, default=0, help="the class they book")
    parser.add_argument("--visitor-day", default="", help="its day, YYYYMMDD")
    parser.add_argument("--visitor-box", type=int, default=0, help="its box id")
    parser.add_argument("--visitor-accounts", default="", help="comma-separated e-mails")
    parser.add_argument("--visitor-password", default="", help="their password")
    parser.add_argument("--outside-members", type=int, default=0, help="OutsideMember users")
    parser.add_argument("--outside-classes", default="", help="comma-separated class ids")
    parser.add_argument("--outside-accounts", default="", help="comma-separated e-mails")
    parser.add_argument("--spike-at", type=float, default=5.0, help="seconds to the window")
    parser.add_argument("--spike-hold", type=float, default=5.0, help="seconds at the peak")


def parsed(environment: Environment) -> argparse.Namespace:
    """The run's options (locust parses them before any user or shape runs)."""
    options: argparse.Namespace | None = environment.parsed_options
    if options is None:
        raise RuntimeError("locust has not parsed the options; expected it to before any user")
    return options


def exit_code(environment: Environment) -> int:
    """1 when a call was accepted without the secret or any request failed, else 0."""
    errors: dict[Any, Any] = environment.stats.errors
    accepted = sum(
        e.occurrences for e in errors.values() if str(e.error).startswith(ACCEPTED_UNAUTHORIZED)
    )
    failed = environment.stats.total.num_failures
    return 1 if accepted or failed else 0


@events.quitting.add_listener  # type: ignore[untyped-decorator]  # locust's EventHook is untyped
def set_exit_code(environment: Environment, **_kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return  # a worker's stats are sent to the master and reset; the master decides
    environment.process_exit_code = exit_code(environment)
