"""The commands' reference page: every command's ``--help``, as the command prints it.

Generated, never copied: each page section is what ``prebooking-harness COMMAND --help`` prints
at 80 columns, asked through the command itself (so the page follows every change to a
parser). Subcommands are the ones a command's help lists under its positional arguments. The
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
# argparse lists a command's subcommands under "positional arguments:", each indented four
# spaces (their help, when it wraps, further), whether the parser shows them as {a,b} or with
# a metavar (COMMAND); a plain positional argument is indented two.
_POSITIONALS = "positional arguments:"
_SUBCOMMAND = re.compile(r"^ {4}([a-z][\w-]*)(?: {2,}|$)")


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
    """The subcommands a command's help lists, in the parser's order."""
    _, found, rest = help_text.partition(f"\n{_POSITIONALS}\n")
    section = rest.split("\n\n", 1)[0] if found else ""
    return [m.group(1) for line in section.splitlines() if (m := _SUBCOMMAND.match(line))]


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
