"""``create_app``: the FastAPI application around one ``MockRuntime``.

The domain (``gym`` and friends) knows nothing of HTTP; ``routes`` and ``admin`` translate.
Refusals of malformed input become 422 JSON naming the field and the expected form.

AimHarder's own routes are dispatched by path *ahead of* FastAPI's middleware stack (server
errors, exception handlers, telemetry, body limit, exit stacks: about a sixth of a request's
CPU time, measured by benchmarks/mock_throughput.py). They need none of it: they take the raw
request, and their one expected exception, ``BadInputError``, is turned into its 422 here.
Under a burst of 200 concurrent requests, that cost is queueing that no configured delay
accounts for, so it shows up as extra delivered latency. Everything else (the admin API, 404s,
405s) goes through the stack as usual.

A box route is also served under ``/{box}/api/...`` (API.md, "Routes"), for clients whose
``https://{box}.aimharder.com`` is rewritten to the mock's URL plus ``/{box}``: ``{box}`` is a
box's subdomain or numeric id, and an unknown one answers 404 naming it. So are a box's pages
(``/{box}``, ``/{box}/schedule``: ``pages``), for a box the mock serves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.errors import BadInputError, MockConfigError
from mock_aimharder.server import admin, outside, routes
from mock_aimharder.server.account_routes import ACCOUNT_ROUTES
from mock_aimharder.server.pages import PAGE_ROUTES
from mock_aimharder.server.pipeline import Clock, system_clock
from mock_aimharder.server.runtime import MockRuntime

__all__ = ["MockApp", "create_app"]

Endpoint = Callable[[Request], Awaitable[Response]]

AIMHARDER_ROUTES = [*routes.ROUTES, *ACCOUNT_ROUTES, *PAGE_ROUTES]
BOX_PATH_ROUTES = frozenset(
    route.path for route in AIMHARDER_ROUTES if route.path.startswith("/api/")
)
BOX_PAGES = frozenset({("GET", "/"), ("GET", "/schedule"), ("GET", "/logout")})
"""A box's pages (``pages``), also served under ``/{box}``, only for a box the mock serves;
``/logout`` too, which epereztg calls on the box host (``client.py`` ``logout``)."""


class MockApp(FastAPI):
    """FastAPI, with AimHarder's routes (``routes.ROUTES``) answered before the middleware."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast_routes: dict[tuple[str, str], Endpoint] = {
            (method, route.path): route.endpoint
            for route in AIMHARDER_ROUTES
            for method in route.methods or ()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http":
            endpoint = self.fast_routes.get((scope["method"], scope["path"]))
            if endpoint is None:
                scope, endpoint = self._box_route(scope)
        if endpoint is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self  # what Starlette sets, and ``routes.runtime_of`` reads
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except BadInputError as exc:
            response = _bad_input_answer(exc)
        await response(scope, receive, send)

    def _box_route(self, scope: Scope) -> tuple[Scope, Endpoint | None]:
        """``/{box}/api/x`` -> the ``/api/x`` route, with the box's id in the scope."""
        box, _, rest = scope["path"].partition("/")[2].partition("/")
        path = f"/{rest}"
        page = (scope["method"], path) in BOX_PAGES
        if not box or (path not in BOX_PATH_ROUTES and not page):
            return scope, None
        endpoint = self.fast_routes.get((scope["method"], path))
        if endpoint is None:
            return scope, None
        runtime = self.state.runtime
        if not isinstance(runtime, MockRuntime):  # pragma: no cover - create_app sets it
            raise TypeError(f"app.state.runtime is {runtime!r}; expected a MockRuntime")
        box_id = runtime.gym.boxes().id_of(box)
        if box_id is None:  # an unknown page path is FastAPI's 404, as any other path
            return scope, None if page else _unknown_box(box)
        return {**scope, "path": path, routes.BOX_SCOPE_KEY: box_id}, endpoint


def _unknown_box(box: str) -> Endpoint:
    async def answer(_request: Request) -> Response:
        # Cut as every echoed value is (``BadInputError.shown``): 60 KB in is not 60 KB out.
        shown = BadInputError.shown(box)
        message = f"unknown box {shown} in the path; expected a box's subdomain or id"
        return JSONResponse({"error": {"message": message}}, status_code=404)

    return answer


def create_app(config: MockConfig, *, seed: int = 0, clock: Clock = system_clock) -> FastAPI:
    """A mock AimHarder serving ``config``; ``seed`` fixes every latency and fault draw."""
    app = MockApp(
        title="mock AimHarder", docs_url=None, redoc_url=None, lifespan=outside.crowd_lifespan
    )
    app.state.runtime = MockRuntime(config, seed=seed, clock=clock)
    app.router.routes.extend(AIMHARDER_ROUTES)
    app.include_router(admin.router)
    app.add_exception_handler(BadInputError, _bad_input)
    app.add_exception_handler(MockConfigError, _bad_config)
    return app


def _bad_input_answer(exc: BadInputError) -> Response:
    value = exc.value if isinstance(exc.value, str | int | float | None) else repr(exc.value)
    if isinstance(value, str) and len(value) > BadInputError.SHOWN:
        value = BadInputError.shown(value)  # cut short: the answer never grows with the request
    body = {"field": exc.field, "value": value, "expected": exc.expected, "message": str(exc)}
    return JSONResponse({"error": body}, status_code=getattr(exc, "status_code", 422))


async def _bad_input(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, BadInputError):  # pragma: no cover - registered for this type only
        raise exc
    return _bad_input_answer(exc)


async def _bad_config(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, MockConfigError):  # pragma: no cover - registered for this type only
        raise exc
    problems = [{"field": p.field, "message": p.message} for p in exc.problems]
    return JSONResponse({"error": {"message": str(exc), "problems": problems}}, status_code=422)
