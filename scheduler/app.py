"""The cron endpoint: ``POST /api/cron/prebooking-scheduler``, as the external cron calls it.

Each call is one invocation with its own id and state; the only thing calls share is the
database (the seed's "stateless scheduler"). The secret is checked in constant time and an
unconfigured secret refuses everything (``scheduler.auth``). A call may carry the trigger's
delivery id (``X-Delivery-Id``, or QStash's own ``Upstash-Message-Id``): the invocation is then
named after it, and a second delivery of the same id answers that it was a duplicate.

The endpoint's loop only admits calls and answers them: every invocation runs on a second
event loop in a thread of its own (``scheduler.worker``), and the endpoint answers 504 at the
limit with its own timer, whatever that loop is doing (blocked in a call, busy with many
invocations), and nothing of the invocation commits after it (``scheduler.store.cut``).

A process admits ``settings.max_invocations`` invocations at once, so that the worker's loop
does not fall behind the invocations' own deadlines (sends, the guard). A call beyond them is
answered at once with 503 and ``Retry-After`` (nothing claimed, no delivery id noted), which
the trigger retries like any failed call. An invocation cut at the limit stops counting at its
504 (its task ends at its next await on the worker's loop).

Starlette, not FastAPI: the endpoint reads three headers and answers JSON, which FastAPI's
validation and schema machinery added nothing to, while importing it cost each process about a
quarter of a CPU-second at start: a serverless function's cold start. The OpenAPI document is
written here (``OPENAPI``, served at ``/openapi.json``), and the fuzz test draws from it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from scheduler.auth import CronAuth
from scheduler.core.errors import ConfigurationError
from scheduler.invoke import Invocation
from scheduler.settings import CRON_PATH, Settings
from scheduler.store import Store, open_store
from scheduler.worker import Worker

__all__ = ["CRON_PATH", "OPENAPI", "create_app"]

# Seconds a call refused for being one too many is told to wait before its retry.
BUSY_RETRY_AFTER = 1
log = logging.getLogger("scheduler.cron")

# The headers the endpoint reads, all optional: the secret, and a trigger's delivery id by
# either name.
_HEADERS = ("Authorization", "X-Delivery-Id", "Upstash-Message-Id")


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {}}}}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "prebooking scheduler", "version": "1"},
    "paths": {
        CRON_PATH: {
            "post": {
                "summary": "One invocation: claim the ready prebookings and book them",
                "parameters": [
                    {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                    for name in _HEADERS
                ],
                "responses": {
                    "200": _answer("the invocation ran; what it did, per prebooking"),
                    "400": _answer("a delivery id that cannot name an invocation"),
                    "401": _answer("no secret, or the wrong one (or none is configured)"),
                    "503": _answer("busy, or the database cannot be reached; retry later"),
                    "504": _answer("cut at the platform's limit; nothing commits after it"),
                },
            }
        },
        "/healthz": {"get": {"responses": {"200": _answer("the process serves")}}},
    },
}


def create_app(settings: Settings, *, store: Store | None = None) -> Starlette:
    """The endpoint over ``store`` (opened from ``settings.database_url`` when not given)."""
    auth = CronAuth(settings.cron_secret)
    owned = store is None
    shared: Store = open_store(settings.database_url) if store is None else store
    worker = Worker()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not auth.configured:
            log.warning("CRON_SECRET is not set: every call to %s will be refused", CRON_PATH)
        worker.start()
        try:
            yield
        finally:
            worker.stop()
            if owned:
                shared.close()

    # Only the event loop touches it, between awaits: a plain count is enough.
    running = 0

    async def cron(request: Request) -> JSONResponse:
        started = time.time()
        headers = request.headers
        verdict = auth.check(headers.get("authorization"))
        if not verdict.allowed:
            log.warning("cron call refused: %s", verdict.reason)
            challenge = {"WWW-Authenticate": "Bearer"} if verdict.status == 401 else None
            return JSONResponse(
                {"success": False, "error": verdict.reason},
                status_code=verdict.status,
                headers=challenge,
            )
        nonlocal running
        if running >= settings.max_invocations:
            return _busy(settings.max_invocations)
        delivery = headers.get("x-delivery-id", headers.get("upstash-message-id"))
        try:
            invocation = Invocation(settings, started_at=started, delivery_id=delivery)
        except ConfigurationError as exc:  # a delivery id that cannot name an invocation
            return JSONResponse({"success": False, "error": str(exc)}, status_code=400)
        running += 1
        try:
            answer = await worker.answer(
                invocation.run(shared),
                by=invocation.cut_at,
                cut_short=invocation.cut_short,
                clock=invocation.clock,
            )
        finally:
            running -= 1
        log.info("invocation %s: %s", answer.body["instanceId"], answer.body["message"])
        return JSONResponse(answer.body, status_code=answer.status)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(OPENAPI)

    return Starlette(
        routes=[
            Route(CRON_PATH, cron, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def _busy(admitted: int) -> JSONResponse:
    """The answer to a call beyond the ``admitted`` invocations already running."""
    message = f"busy: {admitted} invocations already running here; retry later"
    return JSONResponse(
        {"success": False, "busy": True, "message": message},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_AFTER)},
    )
