"""Request bodies read within bounds: size, JSON depth, multipart parts.

Every body a route reads goes through here, so that no request, however large, deep or
malformed, costs the mock more than ``MAX_BODY`` bytes of memory or ends in a 500: a body over
the limit is refused with 413 before it is read to the end, anything unreadable with 422
naming what was expected. JSON is parsed by pydantic-core (jiter), which refuses documents
nested deeper than its recursion limit (about 250 levels) with an error instead of exhausting
the interpreter's stack as ``json.loads`` does a few thousand levels down.
"""

from __future__ import annotations

from typing import Any

import pydantic_core
from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from mock_aimharder.model.errors import BadInputError
from mock_aimharder.server.forms import Fields, fields_of, urlencoded_fields

__all__ = [
    "MAX_BODY",
    "MAX_FIELDS",
    "MAX_PART",
    "BodyTooLargeError",
    "form_body",
    "json_body",
    "parsed_json",
]

MAX_BODY = 4 * 2**20  # bytes: a configuration of thousands of classes and users fits
MAX_FIELDS = 64  # in one form: AimHarder's longest (the legacy login) has six
MAX_PART = 64 * 2**10  # bytes in one multipart field


class BodyTooLargeError(BadInputError):
    """A body over ``MAX_BODY`` bytes: answered 413, without reading the rest."""

    status_code = 413

    def __init__(self, size: int | str) -> None:
        super().__init__("body", f"{size} bytes", f"at most {MAX_BODY} bytes")


async def body_bytes(request: Request) -> bytes:
    """The whole body, or ``BodyTooLargeError`` as soon as it passes ``MAX_BODY``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLargeError(declared)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLargeError(f"more than {MAX_BODY}")
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request, *, expected: str = "a JSON document") -> Any:
    """The body parsed as JSON; ``expected`` says what the route wanted, for the 422."""
    return parsed_json(await body_bytes(request), expected=expected)


def parsed_json(body: bytes, *, expected: str = "a JSON document") -> Any:
    """``body`` parsed as JSON (a request's body is read once: parse what was read)."""
    try:
        return pydantic_core.from_json(body)
    except ValueError as exc:
        raise BadInputError("body", f"not JSON ({exc})", expected) from None


async def form_body(request: Request) -> Fields:
    """The text fields of a urlencoded or ``multipart/form-data`` body."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if not content_type.startswith(b"multipart/"):
        return urlencoded_fields(await body_bytes(request))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLargeError(declared)
    expected = (
        f"multipart/form-data with a boundary and at most {MAX_FIELDS} text fields of "
        f"{MAX_PART} bytes, no files"
    )
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise BadInputError("content-type", request.headers.get("content-type"), expected)
    try:
        form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_PART)
    except (HTTPException, MultiPartException) as exc:  # HTTPException: Starlette's wrapping
        reason = getattr(exc, "detail", None) or getattr(exc, "message", "")
        raise BadInputError("body", f"malformed multipart ({reason})", expected) from None
    return fields_of(form.multi_items())
