"""The commands' reference page: every command's ``--help``, as the command prints it.

Generated, never copied: each page section is what ``prebooking-harness COMMAND --help`` prints
at 80 columns, asked through the command itself (so the page follows every change to a
parser). Subcommands are found in a command's usage line (``{serve,invoke,...} ...``). The
documentation site builds the page at build time (``docs/hooks.py``); nothing of it is committed,
since some defaults are the machine's (``--processes``: every core).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator

from prebooking_harness.main import COMMANDS, main

__all__ = ["PAGE", "command_help", "command_lines", "commands_page", "subcommands"]

PAGE = "reference/commands.md"  # under docs/
COLUMNS = "80"
PROGRAM = "prebooking-harness"
# A subparsers' positional in a usage line: its choices in braces, then "...".
_SUBCOMMANDS = re.compile(r"\{([\w,-]+)\}\s+\.\.\.")


def command_help(words: tuple[str, ...]) -> str:
    """What ``prebooking-harness WORDS --help`` prints at 80 columns."""
    out = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS  # argparse wraps at the terminal's width
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*words, "--help"])
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return out.getvalue()


def subcommands(help_text: str) -> list[str]:
    """The subcommands a command's help lists in its usage line, in the parser's order."""
    usage = help_text.split("\n\n", 1)[0]
    found = _SUBCOMMANDS.search(usage)
    return found.group(1).split(",") if found else []


def command_lines() -> Iterator[tuple[tuple[str, ...], str]]:
    """Every command line of the umbrella command, with its help: the umbrella, each command,
    and each subcommand of a command that has them."""
    yield (), command_help(())
    for name in COMMANDS:
        text = command_help((name,))
        yield (name,), text
        for sub in subcommands(text):
            yield (name, sub), command_help((name, sub))


def commands_page() -> str:
    """The reference page: one section per command line, its help verbatim."""
    lines = [
        "# Commands",
        "",
        "<!-- Generated at build time by prebooking_harness/reference.py from each command's",
        "     --help; not committed. -->",
        "",
        f"Every command is `{PROGRAM} COMMAND`, the same as the part's own `python -m` entry",
        "point. What follows is each one's `--help`, as it prints it at 80 columns on the",
        "machine that built this page.",
    ]
    for words, text in command_lines():
        lines += ["", f"## `{' '.join((PROGRAM, *words))}`", "", "```text", text.rstrip(), "```"]
    return "\n".join(lines) + "\n"
