"""Did you mean: a mistyped name is refused with the names expected, and the closest of them.

Every refusal of a name (a subcommand, a strategy, an objective, a choice of an option) says it
the same way, so a user reads one shape everywhere::

    unknown strategy 'sequentail'; expected one of auto, batched, parallel, sequential,
    staggered; did you mean 'sequential'?

The names are listed plainly (not as a Python list), and the guess is difflib's closest match,
left out when none is close. Standard library only: the scheduler's core uses it.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable, Iterable

__all__ = ["closest", "one_of", "plainly", "unknown"]

# difflib's default: "sequentail" is 0.9 from "sequential", "fifo" is under 0.4 from any strategy.
CUTOFF = 0.6


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known name most like ``word``, or None when none is close."""
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=CUTOFF)
    return matches[0] if matches else None


def plainly(names: Iterable[str]) -> str:
    """``auto, batched, parallel``: names as a user reads them in a list."""
    return ", ".join(names)


def unknown(word: str, known: Iterable[str], *, what: str = "") -> str:
    """``what 'word'; expected one of a, b, c; did you mean 'b'?`` (no guess when none is close)."""
    names = list(known)
    # ``what`` is a phrase ("unknown strategy") or a key written with its sign ("shape=").
    joint = "" if not what or what.endswith("=") else " "
    text = f"{what}{joint}{word!r}; expected one of {plainly(names)}"
    guess = closest(word, names)
    return text if guess is None else f"{text}; did you mean {guess!r}?"


def one_of(known: Iterable[str]) -> Callable[[str], str]:
    """An argparse ``type`` accepting only ``known``: a mistyped value is argparse's one-line
    error (``argument --objective: 'fairest'; expected one of ...; did you mean ...?``).

    Used instead of ``choices=``, which prints the names as ``{a,b,c}`` in one unbreakable word
    of the usage line (115 columns for ``sim select --objective``) and guesses nothing.
    """
    names = list(known)

    def parse(text: str) -> str:
        if text not in names:
            raise argparse.ArgumentTypeError(unknown(text, names))
        return text

    return parse
