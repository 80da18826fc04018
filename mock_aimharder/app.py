"""``create_app``: the FastAPI application around one ``MockRuntime``.

The domain (``gym`` and friends) knows nothing of HTTP; ``routes`` and ``admin`` translate.
Refusals of malformed input become 422 JSON naming the field and the expected form.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response

from mock_aimharder import admin, routes
from mock_aimharder.config import MockConfig
from mock_aimharder.errors import BadInputError, MockConfigError
from mock_aimharder.pipeline import Clock, system_clock
from mock_aimharder.runtime import MockRuntime

__all__ = ["create_app"]


def create_app(config: MockConfig, *, seed: int = 0, clock: Clock = system_clock) -> FastAPI:
    """A mock AimHarder serving ``config``; ``seed`` fixes every latency and fault draw."""
    app = FastAPI(title="mock AimHarder", docs_url=None, redoc_url=None)
    app.state.runtime = MockRuntime(config, seed=seed, clock=clock)
    app.router.routes.extend(routes.ROUTES)
    app.include_router(admin.router)
    app.add_exception_handler(BadInputError, _bad_input)
    app.add_exception_handler(MockConfigError, _bad_config)
    return app


async def _bad_input(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, BadInputError):  # pragma: no cover - registered for this type only
        raise exc
    value = exc.value if isinstance(exc.value, str | int | float | None) else repr(exc.value)
    body = {"field": exc.field, "value": value, "expected": exc.expected, "message": str(exc)}
    return JSONResponse({"error": body}, status_code=422)


async def _bad_config(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, MockConfigError):  # pragma: no cover - registered for this type only
        raise exc
    problems = [{"field": p.field, "message": p.message} for p in exc.problems]
    return JSONResponse({"error": {"message": str(exc), "problems": problems}}, status_code=422)
