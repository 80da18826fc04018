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
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse

from scheduler.auth import CronAuth
from scheduler.core.errors import ConfigurationError
from scheduler.invoke import Invocation
from scheduler.settings import CRON_PATH, Settings
from scheduler.store import Store, open_store
from scheduler.worker import Worker

__all__ = ["CRON_PATH", "create_app"]

# Seconds a call refused for being one too many is told to wait before its retry.
BUSY_RETRY_AFTER = 1
log = logging.getLogger("scheduler.cron")


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The endpoint over ``store`` (opened from ``settings.database_url`` when not given)."""
    auth = CronAuth(settings.cron_secret)
    owned = store is None
    shared: Store = open_store(settings.database_url) if store is None else store
    worker = Worker()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not auth.configured:
            log.warning("CRON_SECRET is not set: every call to %s will be refused", CRON_PATH)
        worker.start()
        try:
            yield
        finally:
            worker.stop()
            if owned:
                shared.close()

    app = FastAPI(title="prebooking scheduler", lifespan=lifespan)
    # Only the event loop touches it, between awaits: a plain count is enough.
    running = 0

    @app.post(CRON_PATH)
    async def cron(
        authorization: str | None = Header(default=None),
        x_delivery_id: str | None = Header(default=None),
        upstash_message_id: str | None = Header(default=None),
    ) -> JSONResponse:
        started = time.time()
        verdict = auth.check(authorization)
        if not verdict.allowed:
            log.warning("cron call refused: %s", verdict.reason)
            headers = {"WWW-Authenticate": "Bearer"} if verdict.status == 401 else None
            return JSONResponse(
                {"success": False, "error": verdict.reason},
                status_code=verdict.status,
                headers=headers,
            )
        nonlocal running
        if running >= settings.max_invocations:
            return _busy(settings.max_invocations)
        delivery = x_delivery_id if x_delivery_id is not None else upstash_message_id
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

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    return app


def _busy(admitted: int) -> JSONResponse:
    """The answer to a call beyond the ``admitted`` invocations already running."""
    message = f"busy: {admitted} invocations already running here; retry later"
    return JSONResponse(
        {"success": False, "busy": True, "message": message},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_AFTER)},
    )
