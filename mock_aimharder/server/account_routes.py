"""The session's own routes: who am I, my next classes, refreshing and ending the session.

Sources per route are in mock_aimharder/API.md (its login and session sections). They go through a
latency pipeline like the booking routes: ``nextBookings`` through the listing's (it is a
listing), the rest through the login's (they are the login host's). A missing ``token`` is
refused with 422 like any other missing field.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mock_aimharder.model.accounts import SESSION_COOKIE
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.journal import Stamp
from mock_aimharder.server import sites
from mock_aimharder.server.answers import LOGOUT, next_bookings_answer
from mock_aimharder.server.forms import fields_of
from mock_aimharder.server.pages import LOGIN_PAGE
from mock_aimharder.server.routes import (
    form_fields,
    logged_out,
    member,
    member_roles,
    path_box,
    runtime_of,
    through,
    with_session,
)

__all__ = ["ACCOUNT_ROUTES"]

NOBODY: dict[str, list[object]] = {"data": []}
"""whoami's answer to a request without a live session (observed live, see ``whoami``)."""


async def whoami(request: Request) -> Response:
    """``GET /api/whoami``: ``{"data": [{"id", "name", "mail", "roles"}]}`` (rudeayelo's
    ``identitySchema``; danielcasanovasgayoso looks for a dict with ``id`` and ``name``).

    Without a live session: ``{"data": []}`` with 200, as observed live (rudeayelo's
    docs/api-research.md: "An unauthenticated request returned HTTP 200 with data: []"), or the
    ``{"logout": 1}`` of the other routes when ``dead_session_status`` is 401."""
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        account = member(request, runtime, processed.wall)
        if account is None and runtime.config.dead_session_status == 200:
            return JSONResponse(NOBODY)
        if account is None:
            return logged_out(runtime)
        me = {"id": account.id, "name": account.name, "mail": account.email}
        return JSONResponse({"data": [me | {"roles": member_roles(request, runtime)}]})

    return await through(request, Endpoint.LOGIN, work)


async def next_bookings(request: Request) -> Response:
    """``GET /api/nextBookings?box=&familyId=``: the member's classes still to come."""
    box = fields_of(request.query_params.multi_items()).optional_integer("box")
    box = path_box(request) or box
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        account = member(request, runtime, processed.wall)
        if account is None:
            return logged_out(runtime)
        views = runtime.gym.next_bookings(account, box=box, now=processed.wall)
        limit_text = runtime.config.listing_limit == "text"
        return JSONResponse(next_bookings_answer(views, limit_text=limit_text))

    return await through(request, Endpoint.BOOKINGS, work)


def _script_string(text: str) -> str:
    """A JavaScript string literal that cannot close its ``<script>``."""
    return json.dumps(text).replace("<", "\\u003c")


async def set_refresh(request: Request) -> Response:
    """``GET /setrefresh?token=&fingerprint=[&redirect=]``: for a live session's token, the
    page with ``localStorage.setItem("refreshToken", ...)`` and ``("fingerprint", ...)`` that
    kappys1 parses, and the session cookie set again (danielcasanovasgayoso calls it to install
    the session for the box). An unknown token gets the page without them. ``redirect`` is not
    followed: a redirect to the real box host would leave the mock."""
    query = fields_of(request.query_params.multi_items())
    token = query.text("token")
    fingerprint = query.text("fingerprint") if "fingerprint" in query else ""
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        session = runtime.gym.accounts.by_token(token, now=processed.wall)
        if session is None:
            return HTMLResponse(LOGIN_PAGE)
        page = HTMLResponse(
            "<!DOCTYPE html><html><body><script>"
            f'localStorage.setItem("refreshToken", {_script_string(session.token)});'
            f'localStorage.setItem("fingerprint", {_script_string(fingerprint)});'
            "</script></body></html>"
        )
        return with_session(request, page, session, runtime, now=processed.wall)

    return await through(request, Endpoint.LOGIN, work)


async def token_update(request: Request) -> Response:
    """``POST /api/tokenUpdate`` (form ``token``, ``ciclo``, ``fingerprint``): a live token's
    session lives another ``session_ttl_seconds`` under ``{"newToken": ...}``; an unknown or
    dead one answers ``{"logout": 1}`` with 200, which is what kappys1 reads there."""
    token = (await form_fields(request)).text("token")
    runtime = runtime_of(request)

    def work(_received: Stamp, processed: Stamp) -> Response:
        accounts = runtime.gym.accounts
        session = accounts.by_token(token, now=processed.wall)
        if session is None:
            return JSONResponse(LOGOUT)
        extended = accounts.extend(session, now=processed.wall)
        answer = JSONResponse({"newToken": extended.token})
        return with_session(request, answer, extended, runtime, now=processed.wall)

    return await through(request, Endpoint.LOGIN, work)


async def logout(request: Request) -> Response:
    """``GET /logout``: the session ends and the cookie is deleted; a login page, 200."""
    runtime = runtime_of(request)

    def work(_received: Stamp, _processed: Stamp) -> Response:
        runtime.gym.accounts.logout(request.cookies.get(SESSION_COOKIE))
        page = HTMLResponse(LOGIN_PAGE)
        domain = sites.cookie_domain(request, runtime.config)
        page.delete_cookie(SESSION_COOKIE, path="/", domain=domain)
        return page

    return await through(request, Endpoint.LOGIN, work)


ACCOUNT_ROUTES = [
    Route("/api/whoami", whoami, methods=["GET"]),
    Route("/api/nextBookings", next_bookings, methods=["GET"]),
    Route("/api/tokenUpdate", token_update, methods=["POST"]),
    Route("/setrefresh", set_refresh, methods=["GET"]),
    Route("/logout", logout, methods=["GET"]),
]
"""The session's routes, served next to ``routes.ROUTES``."""
