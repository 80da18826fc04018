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

from mock_aimharder.model.accounts import SESSION_COOKIE, Account, LoginRefusal, Session
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.errors import BadInputError
from mock_aimharder.model.journal import Stamp
from mock_aimharder.server import sites
from mock_aimharder.server.answers import (
    LOGIN_FAILURE_HTML,
    LOGIN_LOCKED_HTML,
    LOGOUT,
    booking_answer,
    cancel_answer,
    json_login_failure,
    json_login_success,
    listing_answer,
    login_success_html,
    roles,
)
from mock_aimharder.server.arrival import arrived_at
from mock_aimharder.server.bodies import form_body, json_body
from mock_aimharder.server.disruption import act_out
from mock_aimharder.server.forms import Fields, fields_of
from mock_aimharder.server.pipeline import Faulted
from mock_aimharder.server.runtime import MockRuntime

__all__ = [
    "BOX_SCOPE_KEY",
    "ROUTES",
    "form_fields",
    "logged_out",
    "member",
    "member_roles",
    "path_box",
    "runtime_of",
    "through",
    "with_session",
]

Work = Callable[[Stamp, Stamp], Response]

BOX_SCOPE_KEY = "aimharder.box"
"""Where ``MockApp`` leaves the box a ``/{box}/api/...`` path named (its numeric id)."""


def runtime_of(request: Request) -> MockRuntime:
    """The runtime ``create_app`` attached to the application."""
    runtime = getattr(request.app.state, "runtime", None)
    if not isinstance(runtime, MockRuntime):
        raise TypeError(f"app.state.runtime is {runtime!r}; expected a MockRuntime")
    return runtime


async def through(request: Request, endpoint: Endpoint, work: Work) -> Response:
    """Run ``work`` in the endpoint's latency pipeline; a faulted request acts its fault out."""
    pipeline = runtime_of(request).pipelines[endpoint]
    outcome = await pipeline.run(work, arrived=arrived_at(request.scope))
    if isinstance(outcome, Faulted):
        return await act_out(request, outcome)
    return outcome


def with_session(
    request: Request, response: Response, session: Session, runtime: MockRuntime, *, now: float
) -> Response:
    """Set ``amhrdrauth`` for the session's remaining life, ``HttpOnly``, not ``Secure``, path
    ``/`` (as observed live: rudeayelo's docs/api-research.md).

    Its ``Domain`` is the site the request was addressed to, as the real cookie's, so that it
    travels from the login host to every box host; host-only when the mock is addressed by an IP
    (``sites``: no cookie jar sends a ``Domain=.aimharder.com`` cookie to 127.0.0.1).
    """
    ttl = max(0, math.ceil(session.expires_at - now))
    response.set_cookie(
        SESSION_COOKIE,
        session.cookie,
        max_age=ttl,
        path="/",
        domain=sites.cookie_domain(request, runtime.config),
        httponly=True,
    )
    return response


def logged_out(runtime: MockRuntime) -> Response:
    """A request without a live session: ``{"logout": 1}`` with ``dead_session_status``."""
    return JSONResponse(LOGOUT, status_code=runtime.config.dead_session_status)


def member_roles(request: Request, runtime: MockRuntime) -> list[dict[str, Any]]:
    """Every box, as whoami and the JSON login list them, under the request's site."""
    config = runtime.config
    site = sites.site_domain(request, config)
    return roles(runtime.gym.boxes().all, config.box_name, site)


def path_box(request: Request) -> int | None:
    """The box a ``/{box}/api/...`` path named, if the request came that way."""
    box = request.scope.get(BOX_SCOPE_KEY)
    return box if isinstance(box, int) else None


async def _form(request: Request) -> Fields:
    return await form_body(request)


async def form_fields(request: Request) -> Fields:
    """The request's form fields, urlencoded or multipart."""
    return await _form(request)


def member(request: Request, runtime: MockRuntime, now: float) -> Account | None:
    """The account behind the request's live ``amhrdrauth``, if any."""
    return runtime.gym.accounts.authenticate(request.cookies.get(SESSION_COOKIE), now=now)


async def form_login(request: Request) -> Response:
    """Form login (at ``/login``, and at the login host's root ``/`` as kappys1 posts it): ``mail``,
    ``pw``, ``login``; HTML 200 either way."""
    fields = await _form(request)
    mail, password = fields.text("mail"), fields.text("pw")
    fingerprint = fields.text("loginfingerprint") if "loginfingerprint" in fields else ""
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        session = runtime.gym.accounts.login(mail, password, now=processed.wall)
        if session is LoginRefusal.LOCKED:
            return HTMLResponse(LOGIN_LOCKED_HTML)
        account = (
            None if isinstance(session, LoginRefusal) else runtime.gym.accounts.get(session.user_id)
        )
        if isinstance(session, LoginRefusal) or account is None:
            return HTMLResponse(LOGIN_FAILURE_HTML)
        page = HTMLResponse(login_success_html(account, session, fingerprint))
        return with_session(request, page, session, runtime, now=processed.wall)

    return await through(request, Endpoint.LOGIN, work)


async def _login_fields(request: Request) -> Fields:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await json_body(request, expected="a JSON object with username and password")
        if not isinstance(body, dict):
            raise BadInputError("body", None, "a JSON object with username and password")
        return fields_of(body.items())
    return await _form(request)


async def json_login(request: Request) -> Response:
    """JSON login: ``username``, ``password``, ``fingerprint``, optional ``iniframe``."""
    fields = await _login_fields(request)
    username, password = fields.text("username"), fields.text("password")
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        session = runtime.gym.accounts.login(username, password, now=processed.wall)
        account = (
            None if isinstance(session, LoginRefusal) else runtime.gym.accounts.get(session.user_id)
        )
        if isinstance(session, LoginRefusal) or account is None:
            why = session if isinstance(session, LoginRefusal) else LoginRefusal.WRONG
            status = runtime.config.login_failure_status
            return JSONResponse(json_login_failure(why), status_code=status)
        body = json_login_success(account, session, member_roles(request, runtime))
        answer = JSONResponse(body)
        return with_session(request, answer, session, runtime, now=processed.wall)

    return await through(request, Endpoint.LOGIN, work)


async def listing(request: Request) -> Response:
    """The day's classes as this user sees them: ``day``, optional ``box``, ``familyId``."""
    query = fields_of(request.query_params.multi_items())
    day, box = query.day("day"), query.optional_integer("box")
    box = path_box(request) or box
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        account = member(request, runtime, processed.wall)
        if account is None:
            return logged_out(runtime)
        views = runtime.gym.listing(account, day=day, box=box)
        limit_text = runtime.config.listing_limit == "text"
        return JSONResponse(listing_answer(day, views, limit_text=limit_text))

    return await through(request, Endpoint.BOOKINGS, work)


async def book(request: Request) -> Response:
    """Book: form ``id``, ``day``, optional ``insist``, ``familyId``; ``box`` anywhere."""
    form = await _form(request)
    class_id, day, insist = form.integer("id"), form.day("day"), form.flag("insist")
    if "box" in form:
        box = form.optional_integer("box")
    elif request.scope["query_string"]:  # read it only when there is one: the hot path
        box = fields_of(request.query_params.multi_items()).optional_integer("box")
    else:
        box = None
    box = box or path_box(request)
    runtime = runtime_of(request)

    def work(received: Stamp, processed: Stamp) -> Response:
        account = member(request, runtime, processed.wall)
        if account is None:
            return logged_out(runtime)
        outcome = runtime.gym.book(
            account,
            class_id=class_id,
            day=day,
            box=box,
            insist=insist,
            received=received,
            processed=processed,
        )
        return JSONResponse(booking_answer(outcome, runtime.gym.contracted(account)))

    return await through(request, Endpoint.BOOK, work)


async def cancel(request: Request) -> Response:
    """Cancel: form ``id`` (the reservation id), optional ``late``, ``familyId``."""
    form = await _form(request)
    reservation_id, late = form.integer("id"), form.flag("late")
    runtime = runtime_of(request)

    def work(received: Stamp, processed: Stamp) -> Response:
        account = member(request, runtime, processed.wall)
        if account is None:
            return logged_out(runtime)
        outcome = runtime.gym.cancel(
            account,
            reservation_id=reservation_id,
            received=received,
            processed=processed,
            late=late,
        )
        return JSONResponse(cancel_answer(outcome))

    return await through(request, Endpoint.CANCEL, work)


ROUTES = [
    Route("/api/book", book, methods=["POST"]),
    Route("/api/bookings", listing, methods=["GET"]),
    Route("/api/cancelBook", cancel, methods=["POST"]),
    Route("/api/login", json_login, methods=["POST"]),
    Route("/login", form_login, methods=["POST"]),
    Route("/", form_login, methods=["POST"]),
]
"""AimHarder's paths, hot path first (Starlette tries routes in order)."""
