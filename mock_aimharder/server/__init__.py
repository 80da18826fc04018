"""The mock's HTTP server: AimHarder's paths, fields and cookies on top of ``mock_aimharder.model``.

app, routes, admin     the FastAPI application, AimHarder's routes, the admin API
forms, answers         requests read and answers written in AimHarder's formats
pages, sites           the HTML pages listing the member's boxes; the site a request names
pipeline, gate         per-request delays and the FIFO capacity gate
arrival, disruption    arrival stamps from the HTTP parser; injected faults on the wire
runtime, serving       one gym's live state; uvicorn on a socket
demo                   ``python -m mock_aimharder.server.demo``
"""

__all__: list[str] = []
