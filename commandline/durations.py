"""Durations as an operator types them: ``60`` (seconds), ``60s``, ``1m``, ``500ms``, ``1h30m``.

locust's ``-t`` takes ``20s``, ``3m``, ``1h30m``; the same spellings are accepted everywhere
here (command lines and configuration files), plus ``ms`` and decimals (``1.5s``) because the
policy's gaps and pauses are fractions of a second. A bare number is seconds, so every flag that
took seconds before still takes them. The sign and the range are the reader's to check (a gap
may be 0, a budget may not), so ``-1`` parses to ``-1.0`` and is refused by whoever bounds it.
"""

from __future__ import annotations

import argparse
import math
import re

__all__ = ["DurationError", "duration", "parse_duration"]

_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
# One or more <number><unit> parts, largest unit first is not required (``90s`` and ``1m30s``).
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+")


class DurationError(ValueError):
    """Text that is not a duration; the message names it and the accepted spellings."""


def parse_duration(text: str) -> float:
    """Seconds in ``text``: a number of seconds, or parts like ``1m``, ``30s``, ``500ms``."""
    cleaned = text.strip().lower()
    try:
        return float(cleaned)
    except ValueError:
        pass
    if not _WHOLE.fullmatch(cleaned):
        raise DurationError(
            f"{text!r}; expected a duration such as 90, 90s, 1m30s, 500ms or 1h (seconds when "
            "no unit is given)"
        )
    seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(cleaned))
    if not math.isfinite(seconds):
        raise DurationError(f"{text!r}; expected a finite duration")
    return seconds


def duration(text: str) -> float:
    """``parse_duration`` as an argparse ``type``: a bad value is argparse's one-line error."""
    try:
        return parse_duration(text)
    except DurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
