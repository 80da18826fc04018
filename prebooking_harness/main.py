"""``prebooking-harness``: every command of the project behind one installed name.

Each subcommand is the ``python -m`` entry point of its part, given the rest of the line as is
(``prebooking-harness scheduler status --json`` is ``python -m scheduler status --json``), so
the two spellings never drift apart; the part is told the command as typed (``prog``), so its
usage lines and errors name ``prebooking-harness report``, not ``python -m sim report``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from commandline.conventions import add_commands, new_parser

__all__ = ["COMMANDS", "main"]


PROG = "prebooking-harness"

DESCRIPTION = """\
Is it safe and fair to book many gym classes at once, and which strategy
should the scheduler use? This command answers with a simulation (report,
select, compare), checks the answer against real runs (validate, loadtest),
and runs the real pieces (scheduler, mock)."""

EPILOG = f"""\
start with:
  {PROG} report                  the default report (minutes)
  {PROG} report --scenario FILE  a what-if: a quick look at your gym
  {PROG} COMMAND --help          a command's options and an example"""


def _sim(command: str) -> Callable[[list[str]], int]:
    def run(argv: list[str]) -> int:
        from sim.cli.main import main as sim_main  # noqa: PLC0415 (each part loads only when asked)

        return sim_main([command, *argv], prog=PROG)

    return run


def _scheduler(argv: list[str]) -> int:
    from scheduler.cli import main as scheduler_main  # noqa: PLC0415

    return scheduler_main(argv, prog=f"{PROG} scheduler")


def _mock(argv: list[str]) -> int:
    from mock_aimharder.__main__ import main as mock_main  # noqa: PLC0415

    return mock_main(argv, prog=f"{PROG} mock")


def _loadtest(argv: list[str]) -> int:
    from loadtests.cli import main as loadtests_main  # noqa: PLC0415

    return loadtests_main(["run", *argv], run_as=f"{PROG} loadtest")


COMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "report": ("run a scenario's experiments and write the report", _sim("report")),
    "select": ("the best strategy at one load, with a guarantee", _sim("select")),
    "compare": ("what a change of scenario does to the answer", _sim("compare")),
    "validate": ("real runs against the simulation", _sim("validate")),
    "replay": ("one simulated replication again, with its journal", _sim("replay")),
    "explore": ("seeded worlds full of faults, every guarantee checked", _sim("explore")),
    "scheduler": ("the real scheduler: init, login, add, invoke, status, serve", _scheduler),
    "mock": ("serve the mock AimHarder", _mock),
    "loadtest": ("one bounded load run and its check", _loadtest),
}


def _parser() -> argparse.ArgumentParser:
    parser = new_parser(PROG, DESCRIPTION, epilog=EPILOG)
    commands = add_commands(parser)
    for name, (summary, _) in COMMANDS.items():
        # The part parses its own options (and answers its own --help).
        commands.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words and words[0] in COMMANDS:  # the rest is the part's, untouched and in order
        _, run = COMMANDS[words[0]]
        return run(words[1:])
    _parser().parse_args(words)  # --help, --version, or a one-line usage error (exit 2)
    return 2


if __name__ == "__main__":
    sys.exit(main())
