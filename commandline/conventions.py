"""What every command line of the project shares, so that a flag means one thing everywhere.

- ``--help`` shows each option's meaning, unit and default (``HelpFormatter``), keeps the
  description's own line breaks, fits 80 columns, and ends with a first example; usage lines
  name the command as typed (``prog``: ``prebooking-harness report``, not ``python -m sim``).
- A mistyped subcommand or choice is refused with the closest name ("did you mean",
  ``Parser`` and ``commandline.suggestions``).
- ``--version`` prints the installed distribution's version.
- ``-v/--verbose`` (repeatable) and ``-q/--quiet`` move one verbosity level: -1 quiet (errors
  and the result only), 0 the default, 1 and more chattier; ``log_level`` maps it to logging.
- ``--json``: the result as JSON on standard output, nothing else there.
- ``--processes``: operating-system processes of one command (the simulation's pool);
  ``--workers`` is left to locust, where it means locust workers.
- Ctrl-C ends a command with exit code 130 (``INTERRUPTED``), as a shell reports it.
- An output folder not given is a new timestamped one: nothing is overwritten unasked.
- A progress bar shows the time elapsed and an estimate of the time left
  (``commandline.progress``, the one module of this package that imports rich).

Standard library only: the scheduler's and the mock's models import this package.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from commandline.durations import duration
from commandline.suggestions import closest, unknown

__all__ = [
    "DISTRIBUTION",
    "INTERRUPTED",
    "HelpFormatter",
    "Parser",
    "add_command",
    "add_commands",
    "add_json",
    "add_processes",
    "add_verbosity",
    "add_version",
    "fresh_folder",
    "installed_version",
    "log_level",
    "new_parser",
    "port",
    "seed",
    "unwritable_folder",
    "verbosity",
    "whole_number",
]

DISTRIBUTION = "prebooking-harness"

COLUMNS = 80  # the widest help line, whatever the terminal
INTERRUPTED = 130  # every command stopped by Ctrl-C: 128 + SIGINT, as a shell reports it
SEEDS = range(2**32)
"""The seeds every command takes: numpy's ``SeedSequence`` accepts each of them."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults appended to every option's help (``(default: 20)``, a duration's with its unit:
    ``(default: 15s)``), descriptions and epilogs as written, and no line past ``COLUMNS``.

    An option whose default is None, False or [] (unset, a switch, or repeatable) or whose help
    already says its default (one that depends on something else) is left as written.
    """

    def __init__(self, prog: str, **options: Any) -> None:
        # argparse fills a wide terminal; help is read (and pasted in issues) at 80 columns.
        width = min(COLUMNS, shutil.get_terminal_size().columns) - 2
        super().__init__(prog, **{**options, "width": width})

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        unset = action.default is None or action.default is False or action.default == []
        if unset or "default" in text:
            return text
        if action.type is duration and isinstance(action.default, int | float):
            return f"{text} (default: {action.default:g}s)"
        return super()._get_help_string(action)


_FLAG = re.compile(r"--[a-z0-9][a-z0-9-]*")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose mistyped subcommand is refused with the closest name
    (``unknown command 'reprot'; expected one of report, ...; did you mean 'report'?``), and a
    mistyped option too (``unrecognized option '--replicatons'; did you mean
    '--replications'?``): the options are read from the parser's own help, its public face."""

    commands: argparse.Action | None = None  # the subparsers, whose choices are the names

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = sys.argv[1:] if args is None else list(args)
        if self.commands is not None:
            # The command is the first word that is not an option: no top-level option here
            # takes a value (only -h and --version).
            word = next((w for w in words if not w.startswith("-")), None)
            names = list(self.commands.choices or ())
            if word is not None and word not in names:
                self.error(unknown(word, names, what="unknown command"))
        parsed, extras = super().parse_known_args(words, namespace)
        for word in extras:  # argparse would say "unrecognized arguments" and guess nothing
            flag = word.partition("=")[0]
            # Compared without the dashes every flag shares: "--bogus" is not like "--out".
            known = [name[2:] for name in _FLAG.findall(self.format_help())]
            guess = closest(flag[2:], known) if flag[:2] == "--" else None
            if guess is not None:
                self.error(f"unrecognized option {flag!r}; did you mean '--{guess}'?")
        if extras and self.commands is None:  # said by the command they were given to
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def installed_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")


def new_parser(prog: str, description: str, *, epilog: str | None = None) -> Parser:
    """A top-level parser with the shared help layout and ``--version``; ``prog`` is the
    command as the user typed it (``prebooking-harness scheduler``, or ``python -m scheduler``),
    so that usage lines and errors name what was run."""
    parser = Parser(
        prog=prog, description=description, epilog=epilog, formatter_class=HelpFormatter
    )
    add_version(parser)
    return parser


def add_commands(parser: Parser) -> Any:
    """The subcommands of ``parser`` (argparse's ``add_subparsers()``, typed by a private class:
    hence ``Any``); a mistyped one gets "did you mean"."""
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = commands
    return commands


def add_command(
    commands: Any,
    name: str,
    *,
    help: str,
    description: str | None = None,
    epilog: str | None = None,
    example: str | None = None,
    prog: str | None = None,
) -> Parser:
    """A subcommand of ``commands`` (``add_commands``) with the shared help layout and its own
    ``--version`` (``prebooking-harness report --version`` answers as ``--version`` does).

    ``help`` is its line in the parent's list; ``description`` what it does, for its own
    ``--help`` (default: ``help``); ``epilog`` what follows the options (the environment read);
    ``example`` its arguments in a first example, shown last under the command as typed;
    ``prog`` the command as typed when it is not the parent's followed by ``name``
    (``prebooking-harness loadtest`` runs ``loadtests run``).
    """
    options: dict[str, Any] = {} if prog is None else {"prog": prog}
    parser: Parser = commands.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        formatter_class=HelpFormatter,
        **options,
    )
    ending = [] if epilog is None else [epilog]
    if example is not None:
        ending.append(f"example:\n  {parser.prog} {example}")
    parser.epilog = "\n\n".join(ending) or None
    add_version(parser)
    return parser


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="say more; -vv more still (default: neither)",
    )
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="errors and the result only: no progress"
    )


def verbosity(args: argparse.Namespace) -> int:
    """-1 quiet, 0 default, 1+ verbose (``add_verbosity``'s flags)."""
    return -1 if args.quiet else int(args.verbose)


def log_level(args: argparse.Namespace) -> int:
    """The logging level for ``args``' verbosity: WARNING by default."""
    return {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        verbosity(args), logging.DEBUG
    )


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--json", action="store_true", help=f"print {what} as JSON on standard output"
    )


def add_processes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: every core, here %(default)s)",
    )


def fresh_folder(parent: Path, name: str) -> Path:
    """``parent/name-YYYYMMDD-HHMMSS`` (UTC), with a suffix if that exists already."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    folder = parent / f"{name}-{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = parent / f"{name}-{stamp}-{suffix}"
    return folder


def unwritable_folder(folder: Path) -> str | None:
    """Why ``folder`` cannot take a command's output, or None when it is (or can be made) a
    folder a file can be written in. Checked before any work, so that a file, /dev/null or a
    folder under /proc is refused at once rather than after the whole run; the folders made to
    find out are removed again, leaving the disk as it was."""
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    finally:
        for path in made:  # the deepest first
            with contextlib.suppress(OSError):
                path.rmdir()
    return None


def whole_number(numbers: range, note: str = "") -> Callable[[str], int]:
    """An argparse ``type``: a whole number in ``numbers``, else argparse's one-line error naming
    the value and the range (``note`` after it)."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = numbers.start - 1
        if number not in numbers:
            raise argparse.ArgumentTypeError(
                f"{text!r}; expected a whole number from {numbers.start} to {numbers[-1]}{note}"
            )
        return number

    return parse


seed = whole_number(SEEDS)
"""A ``--seed``: numpy's ``SeedSequence`` accepts each."""

PORTS = range(65_536)  # TCP's 16-bit port; 0 asks the OS for a free one
port = whole_number(PORTS, " (0: any free port)")
"""A ``--port`` (one out of range used to reach the socket: an OverflowError, or a server
listening elsewhere)."""
