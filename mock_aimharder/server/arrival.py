"""When a request reached the server: a uvicorn HTTP protocol that stamps each request.

ASGI tells an application when it starts handling a request, not when the request arrived.
Under a burst the two differ: uvicorn parses every request that is ready before it runs any
handler, so with 200 concurrent requests the last handler starts some 7 ms (on this project's
machine) after its request arrived. Measured from the handler, each configured delay would
come out that much longer. Stamped by the parser instead (``time.monotonic()`` when the
request line begins), the delays of ``mock_aimharder.server.pipeline`` are deadlines from the
arrival, and the mock's own intake time is spent inside them rather than added to them.

The stamp rides in the ASGI scope under ``ARRIVED``. Only uvicorn's httptools protocol (the one
``uvicorn[standard]`` picks) is extended, through its ``on_message_begin`` callback; without
httptools, ``http_protocol()`` returns uvicorn's own choice, requests carry no stamp, and the
pipeline times them from the handler as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import MutableMapping
from functools import cache
from typing import Any

__all__ = ["ARRIVED", "arrived_at", "http_protocol"]

ARRIVED = "mock_aimharder.arrived"
"""The scope key of the arrival stamp: ``time.monotonic()`` seconds."""


def arrived_at(scope: MutableMapping[str, Any]) -> float | None:
    """The request's arrival stamp, or None when the server did not stamp it."""
    stamp = scope.get(ARRIVED)
    return stamp if isinstance(stamp, float) else None


@cache
def http_protocol() -> type[asyncio.Protocol] | str:
    """What to pass as ``uvicorn.Config(http=...)``: the stamping protocol, or ``"auto"``."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: PLC0415 - httptools is optional
    except ImportError:  # pragma: no cover - uvicorn without httptools
        return "auto"

    class StampingHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, stamping each request's scope as it begins."""

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.scope[ARRIVED] = time.monotonic()  # type: ignore[literal-required]

    return StampingHttpToolsProtocol
