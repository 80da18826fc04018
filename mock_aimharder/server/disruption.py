"""Acting out a drawn fault on the wire: an error status, a hang, a dropped connection, or an
answer lost after the request was processed.

Dropping needs the connection itself, which ASGI does not expose; uvicorn's request cycles keep
it as ``transport`` on the object whose bound method is ``receive``
(uvicorn/protocols/http/httptools_impl.py and h11_impl.py, ``RequestResponseCycle``). Closing it
makes the client see "server disconnected without sending a response", a transport error, which
is what a reset looks like to httpx and to the scheduler.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from mock_aimharder.model.errors import ServingError
from mock_aimharder.model.faults import Fault
from mock_aimharder.server.pipeline import Faulted

__all__ = ["act_out"]

_DISCONNECT_BOUND = 2.0
"""How long to wait, after closing, for uvicorn to notice; it takes one loop turn in practice."""


async def act_out(request: Request, faulted: Faulted) -> Response:
    """The answer a faulted request gets (a dropped one gets nothing: its response is ignored)."""
    match faulted.fault:
        case Fault.ERROR_500:
            return PlainTextResponse("Internal Server Error", status_code=500)
        case Fault.ERROR_503:
            return PlainTextResponse("Service Unavailable", status_code=503)
        case Fault.RATE_LIMIT_429:
            headers = {"Retry-After": f"{faulted.spec.retry_after:g}"}
            return PlainTextResponse("Too Many Requests", status_code=429, headers=headers)
        case Fault.HANG:
            await _until_disconnect(request, faulted.spec.hang_seconds)
            return await _drop(request)
        case Fault.DROP:
            return await _drop(request)
        case Fault.LOST_ANSWER:
            if faulted.spec.lost_answer_hold > 0:
                await _until_disconnect(request, faulted.spec.lost_answer_hold)
            return await _drop(request)


async def _drop(request: Request) -> Response:
    cycle = getattr(request.receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    close = getattr(transport, "close", None)  # uvloop's transports are not asyncio subclasses
    if not callable(close):
        raise ServingError(
            "cannot drop the connection: the ASGI server exposes no transport "
            f"(receive is {request.receive!r}); expected uvicorn"
        )
    close()
    await _until_disconnect(request, _DISCONNECT_BOUND)
    return Response(status_code=500)  # never sent: the cycle is disconnected


async def _until_disconnect(request: Request, bound: float) -> None:
    """Wait until the client goes away, at most ``bound`` seconds."""
    try:
        async with asyncio.timeout(bound):
            while (await request.receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass
