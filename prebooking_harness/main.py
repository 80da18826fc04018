"""``prebooking-harness``: every command of the project behind one installed name.

Each subcommand is the ``python -m`` entry point of its part, given the rest of the line as is
(``prebooking-harness scheduler status --json`` is ``python -m scheduler status --json``), so
the two spellings never drift apart.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from commandline.conventions import new_parser

__all__ = ["COMMANDS", "main"]


def _sim(command: str) -> Callable[[list[str]], int]:
    def run(argv: list[str]) -> int:
        from sim.cli.main import main as sim_main  # noqa: PLC0415 (each part loads only when asked)

        return sim_main([command, *argv])

    return run


def _scheduler(argv: list[str]) -> int:
    from scheduler.cli import main as scheduler_main  # noqa: PLC0415

    return scheduler_main(argv)


def _mock(argv: list[str]) -> int:
    from mock_aimharder.__main__ import main as mock_main  # noqa: PLC0415

    return mock_main(argv)


def _loadtest(argv: list[str]) -> int:
    from loadtests.cli import main as loadtests_main  # noqa: PLC0415

    return loadtests_main(["run", *argv])


COMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "report": (
        "run a scenario's experiments and write the report (python -m sim report)",
        _sim("report"),
    ),
    "select": (
        "the best strategy at one load, with a guarantee (python -m sim select)",
        _sim("select"),
    ),
    "validate": ("real runs against the simulation (python -m sim validate)", _sim("validate")),
    "replay": (
        "one simulated replication again, with its journal (python -m sim replay)",
        _sim("replay"),
    ),
    "explore": (
        "seeded worlds full of faults, every guarantee checked (python -m sim explore)",
        _sim("explore"),
    ),
    "mock": ("serve the mock AimHarder (python -m mock_aimharder)", _mock),
    "scheduler": (
        "the real scheduler: login, add, invoke, status, serve (python -m scheduler)",
        _scheduler,
    ),
    "loadtest": ("one bounded load run and its check (python -m loadtests run)", _loadtest),
}


def _parser() -> argparse.ArgumentParser:
    parser = new_parser("prebooking-harness", __doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
