"""The HTML pages clients read to find the member's boxes: ``/home``, a box's ``/schedule`` and
its home page.

kappys1 finds the boxes by scraping (kappys1/aim-harder-webbot:
modules/boxes/api/services/box-detection.service.ts, patterns in
modules/boxes/constants/box.constants.ts): ``GET https://aimharder.com/home`` gives the
subdomains from ``href="https://<sub>.aimharder.com"``, ``GET https://<sub>.aimharder.com/schedule?cl``
the numeric id from ``box: <id>``, and the box's home page its name from the first of
``.box-name``, ``h1``, ``.title``. The pages carry exactly that, and nothing else a client reads.

A box page names its box by the ``/{box}/`` path prefix (clients whose URLs are rewritten to the
mock) or by the host (``<sub>.<site>``, clients whose host names resolve to the mock). The box
pages are public (rudeayelo reads the box's home page and the schedule without a session:
docs/api-research.md); ``/home`` needs one, and without it is the login page, with no boxes.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from mock_aimharder.model.config import BoxSpec
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.journal import Stamp
from mock_aimharder.server import sites
from mock_aimharder.server.routes import member, path_box, runtime_of, through

__all__ = ["LOGIN_PAGE", "PAGE_ROUTES"]

LOGIN_PAGE = (
    "<!DOCTYPE html><html><body><form id='loginForm' method='post' action='/'></form></body></html>"
)
"""The login form: the login host's root, ``/logout``'s answer, ``/home`` without a session."""


def _page(body: str) -> HTMLResponse:
    return HTMLResponse(f"<!DOCTYPE html><html><body>{body}</body></html>")


def _box_of(request: Request) -> BoxSpec | None:
    """The box a page is asked for: by its ``/{box}/`` prefix, else by the host's subdomain."""
    boxes = runtime_of(request).gym.boxes()
    box_id = path_box(request)
    if box_id is None:
        subdomain = sites.box_subdomain(request)
        box_id = None if subdomain is None else boxes.id_of(subdomain)
    return next((box for box in boxes.all if box.id == box_id), None)


async def home(request: Request) -> Response:
    """``GET /home``: a link ``https://<subdomain>.<site>`` per box of the member."""
    runtime = runtime_of(request)
    site = sites.site_domain(request, runtime.config)

    def work(_received: Stamp, processed: Stamp) -> Response:
        if member(request, runtime, processed.wall) is None:
            return HTMLResponse(LOGIN_PAGE)
        boxes = runtime.gym.boxes()
        links = "".join(
            f'<li><a href="https://{box.subdomain}.{site}">{escape(boxes.name_of(box.id))}</a></li>'
            for box in boxes.all
        )
        return _page(f'<ul class="boxes">{links}</ul>')

    return await through(request, Endpoint.LOGIN, work)


async def schedule(request: Request) -> Response:
    """``GET /schedule`` (kappys1 adds ``?cl``): the page's script names the box's id."""
    box = _box_of(request)
    runtime = runtime_of(request)
    host = request.headers.get("host", "")[:80]  # an answer never grows with the request

    def work(_received: Stamp, _processed: Stamp) -> Response:
        if box is None:
            why = f"no box at host {host!r}; expected /{{box}}/schedule or a box's own host"
            return HTMLResponse(escape(why), 404)
        name = escape(runtime.gym.boxes().name_of(box.id))
        script = f"<script>var schedule = {{box: {box.id}}};</script>"
        return _page(f'<h1 class="box-name">{name}</h1>{script}')

    return await through(request, Endpoint.BOOKINGS, work)


async def root(request: Request) -> Response:
    """``GET /``: a box's home page (its name in ``h1.box-name``) on a box; the login form on
    the login host (``https://login.aimharder.com/`` is where kappys1 posts it)."""
    box = _box_of(request)
    runtime = runtime_of(request)

    def work(_received: Stamp, _processed: Stamp) -> Response:
        if box is None:
            return HTMLResponse(LOGIN_PAGE)
        name = escape(runtime.gym.boxes().name_of(box.id))
        return _page(f'<h1 class="box-name">{name}</h1>')

    return await through(request, Endpoint.BOOKINGS, work)


PAGE_ROUTES = [
    Route("/home", home, methods=["GET"]),
    Route("/schedule", schedule, methods=["GET"]),
    Route("/", root, methods=["GET"]),
]
"""The pages; ``/schedule`` and ``/`` are also served under ``/{box}`` (``app.MockApp``)."""
