"""The project's one command (``prebooking-harness``) and the conventions every command line
shares: durations written as locust writes them, help with defaults, ``--version``, verbosity."""

from prebooking_harness.conventions import (
    HelpFormatter,
    add_command,
    add_json,
    add_verbosity,
    add_version,
    log_level,
    new_parser,
    verbosity,
)
from prebooking_harness.durations import DurationError, duration, parse_duration

__all__ = [
    "DurationError",
    "HelpFormatter",
    "add_command",
    "add_json",
    "add_verbosity",
    "add_version",
    "duration",
    "log_level",
    "new_parser",
    "parse_duration",
    "verbosity",
]
