"""AimHarder's own routes, as its public clients call them (mock_aimharder/API.md has sources).

They are plain Starlette routes: each handler takes the raw ``Request`` and needs none of
FastAPI's dependency injection, whose per-request cost would only slow the mock down (see
benchmarks/mock_throughput.py). ``/api/book`` comes first: it is the hot path.

Each handler reads and checks its fields first (a malformed request is refused with 422 before
it enters the latency pipeline, so it draws no samples), then hands a domain step to its
endpoint's pipeline. Sessions are checked inside that step, at the instant of processing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mock_aimharder.model.accounts import SESSION_COOKIE, Account, Session
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.errors import BadInputError
from mock_aimharder.model.journal import Stamp
from mock_aimharder.server.answers import (
    LOGIN_FAILURE_HTML,
    LOGOUT,
    booking_answer,
    cancel_answer,
    json_login_failure,
    json_login_success,
    listing_answer,
    login_success_html,
)
from mock_aimharder.server.arrival import arrived_at
from mock_aimharder.server.disruption import act_out
from mock_aimharder.server.forms import Fields, fields_of, urlencoded_fields
from mock_aimharder.server.pipeline import Faulted
from mock_aimharder.server.runtime import MockRuntime

__all__ = ["ROUTES", "runtime_of"]

Work = Callable[[Stamp, Stamp], Response]


def runtime_of(request: Request) -> MockRuntime:
    """The runtime ``create_app`` attached to the application."""
    runtime = getattr(request.app.state, "runtime", None)
    if not isinstance(runtime, MockRuntime):
        raise TypeError(f"app.state.runtime is {runtime!r}; expected a MockRuntime")
    return runtime


async def _through(request: Request, endpoint: Endpoint, work: Work) -> Response:
    pipeline = runtime_of(request).pipelines[endpoint]
    outcome = await pipeline.run(work, arrived=arrived_at(request.scope))
    if isinstance(outcome, Faulted):
        return await act_out(request, outcome)
    return outcome


def _with_session(response: Response, session: Session, runtime: MockRuntime) -> Response:
    # Host-only (no Domain): AIMHARDER-API.md §9.2, else cookie jars will not send it to 127.0.0.1.
    ttl = math.ceil(runtime.config.session_ttl_seconds)
    response.set_cookie(SESSION_COOKIE, session.cookie, max_age=ttl, path="/", httponly=True)
    return response


async def _form(request: Request) -> Fields:
    if request.headers.get("content-type", "").startswith("multipart/"):
        return fields_of((await request.form()).multi_items())
    return urlencoded_fields(await request.body())


def _member(request: Request, runtime: MockRuntime, now: float) -> Account | None:
    return runtime.gym.accounts.authenticate(request.cookies.get(SESSION_COOKIE), now=now)


async def form_login(request: Request) -> Response:
    """Legacy form login (§1.A, §1.B): ``mail``, ``pw``, ``login``; HTML 200 either way."""
    fields = await _form(request)
    mail, password = fields.text("mail"), fields.text("pw")
    fingerprint = fields.text("loginfingerprint") if "loginfingerprint" in fields else ""
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        session = runtime.gym.accounts.login(mail, password, now=processed.wall)
        account = None if session is None else runtime.gym.accounts.get(session.user_id)
        if session is None or account is None:
            return HTMLResponse(LOGIN_FAILURE_HTML)
        page = HTMLResponse(login_success_html(account, session, fingerprint))
        return _with_session(page, session, runtime)

    return await _through(request, Endpoint.LOGIN, work)


async def _login_fields(request: Request) -> Fields:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise BadInputError("body", None, "a JSON object with username and password")
        return fields_of(body.items())
    return await _form(request)


async def json_login(request: Request) -> Response:
    """JSON login (§1.C): ``username``, ``password``, ``fingerprint``, optional ``iniframe``."""
    fields = await _login_fields(request)
    username, password = fields.text("username"), fields.text("password")
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        session = runtime.gym.accounts.login(username, password, now=processed.wall)
        account = None if session is None else runtime.gym.accounts.get(session.user_id)
        if session is None or account is None:
            status = runtime.config.login_failure_status
            return JSONResponse(json_login_failure(), status_code=status)
        return _with_session(JSONResponse(json_login_success(account, session)), session, runtime)

    return await _through(request, Endpoint.LOGIN, work)


async def listing(request: Request) -> Response:
    """The day's classes as this user sees them (§2): ``day``, optional ``box``, ``familyId``."""
    query = fields_of(request.query_params.multi_items())
    day, box = query.day("day"), query.optional_integer("box")
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        account = _member(request, runtime, processed.wall)
        if account is None:
            return JSONResponse(LOGOUT)
        views = runtime.gym.listing(account, day=day, box=box)
        return JSONResponse(listing_answer(day, views, runtime.config.box_name))

    return await _through(request, Endpoint.BOOKINGS, work)


async def book(request: Request) -> Response:
    """Book (§3): form ``id``, ``day``, optional ``insist``, ``familyId``; ``box`` anywhere."""
    form = await _form(request)
    class_id, day, insist = form.integer("id"), form.day("day"), form.flag("insist")
    if "box" in form:
        box = form.optional_integer("box")
    else:  # read the query string only when needed: this is the hot path
        box = fields_of(request.query_params.multi_items()).optional_integer("box")
    runtime = runtime_of(request)

    def work(received: Stamp, processed: Stamp) -> Response:
        account = _member(request, runtime, processed.wall)
        if account is None:
            return JSONResponse(LOGOUT)
        outcome = runtime.gym.book(
            account,
            class_id=class_id,
            day=day,
            box=box,
            insist=insist,
            received=received,
            processed=processed,
        )
        return JSONResponse(booking_answer(outcome, runtime.gym.class_names()))

    return await _through(request, Endpoint.BOOK, work)


async def cancel(request: Request) -> Response:
    """Cancel (§4): form ``id`` (the reservation id), optional ``late``, ``familyId``."""
    form = await _form(request)
    reservation_id = form.integer("id")
    form.flag("late")  # accepted and checked; the mock has no late-cancellation rule
    runtime = runtime_of(request)

    def work(received: Stamp, processed: Stamp) -> Response:
        account = _member(request, runtime, processed.wall)
        if account is None:
            return JSONResponse(LOGOUT)
        outcome = runtime.gym.cancel(
            account, reservation_id=reservation_id, received=received, processed=processed
        )
        return JSONResponse(cancel_answer(outcome))

    return await _through(request, Endpoint.CANCEL, work)


ROUTES = [
    Route("/api/book", book, methods=["POST"]),
    Route("/api/bookings", listing, methods=["GET"]),
    Route("/api/cancelBook", cancel, methods=["POST"]),
    Route("/api/login", json_login, methods=["POST"]),
    Route("/login", form_login, methods=["POST"]),
]
"""AimHarder's paths, hot path first (Starlette tries routes in order)."""
