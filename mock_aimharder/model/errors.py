"""Every error the mock AimHarder raises, in one tree.

    MockError
     +-- MockConfigError       a configuration (file, dict or admin PUT) that does not validate
     +-- BadInputError         a request field that is missing or not in the expected form
     +-- ServingError          a server that did not start (or stop) in time

Messages name the offending value and what was expected, so a log line is enough to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BadInputError", "ConfigProblem", "MockConfigError", "MockError", "ServingError"]


class MockError(Exception):
    """Base of every error raised by ``mock_aimharder``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigProblem:
    """One invalid field: its dotted path (``latency.book.service.p99``) and what is wrong."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class MockConfigError(MockError, ValueError):
    """The configuration is invalid; ``problems`` lists every bad field."""

    def __init__(self, source: str, problems: tuple[ConfigProblem, ...]) -> None:
        listed = "; ".join(str(problem) for problem in problems)
        super().__init__(f"invalid mock configuration ({source}): {listed}")
        self.source = source
        self.problems = problems


class BadInputError(MockError, ValueError):
    """A request field is missing or malformed; the HTTP layer answers 422 naming it."""

    SHOWN = 80  # characters of the value's repr in the message and the answer

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(f"field {field!r} is {self.shown(value)}; expected {expected}")
        self.field = field
        self.value = value
        self.expected = expected

    @classmethod
    def shown(cls, value: object) -> str:
        """``value`` as the message shows it: its repr, cut short (a 10 MB field must not
        make a 10 MB answer)."""
        if value is None:
            return "missing"
        text = repr(value)
        if len(text) <= cls.SHOWN:
            return text
        return f"{text[: cls.SHOWN - 20]}... ({len(text)} characters)"


class ServingError(MockError, RuntimeError):
    """A server thread or process did not come up (or go down) within its bound."""
