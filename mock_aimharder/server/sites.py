"""Which AimHarder site a request was addressed to, read from its ``Host``.

AimHarder runs one site per country domain, ``aimharder.com`` and ``aimharder.es``, and each
answers in its own name: the session cookie of a login on ``login.aimharder.es`` carries
``Domain=.aimharder.es`` and whoami's ``centre_url`` is ``<box>.aimharder.es``
(rudeayelo/aimharder-mcp:docs/api-research.md, observed live; kiru22's spec saw
``Domain=.aimharder.com`` on ``.com``). The mock does the same for whatever name it is reached
by: the site is the host's last two labels (``login.aimharder.test`` -> ``aimharder.test``).

A mock reached by an IP address (``127.0.0.1``) or a one-label name (``localhost``, the test
client's ``testserver``) has no site: no cookie jar would keep a cookie for a domain the
request's host is not in (RFC 6265, 5.3 step 6), so the cookie stays host-only there, which
every client on 127.0.0.1 sends back.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

from mock_aimharder.model.config import MockConfig

__all__ = ["DEFAULT_SITE", "box_subdomain", "cookie_domain", "site_domain", "site_of"]

DEFAULT_SITE = "aimharder.com"
"""The site named in answers to a request that names none (kappys1 and fitbot use ``.com``)."""


def _host_name(request: Request) -> str:
    """The request's host name, lower case, without port or trailing dot."""
    host = request.headers.get("host", "").lower()
    if host.startswith("["):  # an IPv6 literal: "[::1]:8000"
        return host.partition("]")[0] + "]"
    return host.partition(":")[0].rstrip(".")


def site_of(host: str) -> str | None:
    """The site (last two labels) of a host name; None for an address or a one-label name."""
    name = host.strip("[]")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        labels = [label for label in name.split(".") if label]
        return ".".join(labels[-2:]) if len(labels) >= 2 else None
    return None


def cookie_domain(request: Request, config: MockConfig) -> str | None:
    """``Domain`` of ``amhrdrauth``: the configured one, else the request's site, else none."""
    return config.cookie_domain or site_of(_host_name(request))


def site_domain(request: Request, config: MockConfig) -> str:
    """The parent of every box host in answers (whoami's ``centre_url``, ``/home``'s links)."""
    return config.site_domain or site_of(_host_name(request)) or DEFAULT_SITE


def box_subdomain(request: Request) -> str | None:
    """The first label of a box host (``mybox`` of ``mybox.aimharder.es``), if the host has a
    site and more than it."""
    host = _host_name(request)
    site = site_of(host)
    if site is None or host == site:
        return None
    return host.removesuffix(f".{site}").split(".")[0]
