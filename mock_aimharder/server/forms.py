"""Reading request fields the way AimHarder's clients send them, refusing malformed ones.

Unknown keys are ignored (clients send ``familiId``, ``family_id``, ``_``: API.md,
"Routes") and ``familyId`` is optional everywhere. A missing or malformed field raises
``BadInputError`` naming it and the expected form; the HTTP layer turns that into a 422.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from mock_aimharder.model.dates import parse_day
from mock_aimharder.model.errors import BadInputError

__all__ = ["Fields", "fields_of", "urlencoded_fields"]

_INTEGER = re.compile(r"-?[0-9]{1,18}")


def fields_of(items: Iterable[tuple[str, Any]]) -> Fields:
    """The text fields of a form or query string (the last value of a repeated key wins)."""
    return Fields({key: value for key, value in items if isinstance(value, str)})


def urlencoded_fields(body: bytes) -> Fields:
    """The fields of an ``application/x-www-form-urlencoded`` body (empty values kept).

    ``parse_qsl`` is several times cheaper than a general form parser, and every client cited in
    API.md posts this encoding.
    """
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise BadInputError("body", None, "a UTF-8 urlencoded form") from None
    return fields_of(parse_qsl(text, keep_blank_values=True))


class Fields:
    """Typed access to text fields."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def text(self, name: str) -> str:
        """A required field, any text (may be empty)."""
        value = self._values.get(name)
        if value is None:
            raise BadInputError(name, None, "a form field")
        return value

    def integer(self, name: str) -> int:
        """A required whole number."""
        value = self._values.get(name)
        if value is None or _INTEGER.fullmatch(value.strip()) is None:
            raise BadInputError(name, value, "an integer such as 1234")
        return int(value)

    def optional_integer(self, name: str) -> int | None:
        """A whole number, or None when absent or empty (``box=`` is often sent empty)."""
        value = self._values.get(name)
        return None if value is None or not value.strip() else self.integer(name)

    def day(self, name: str = "day") -> str:
        """A required ``YYYYMMDD`` calendar day."""
        value = self._values.get(name)
        if value is None:
            raise BadInputError(name, None, "a day in the form YYYYMMDD")
        try:
            parse_day(value)
        except ValueError:
            raise BadInputError(name, value, "a day in the form YYYYMMDD") from None
        return value

    def flag(self, name: str) -> bool:
        """``0``/``1`` (also ``true``/``false``); absent or empty is false."""
        value = self._values.get(name, "").strip().lower()
        if value in {"", "0", "false"}:
            return False
        if value in {"1", "true"}:
            return True
        raise BadInputError(name, value, "0 or 1")
