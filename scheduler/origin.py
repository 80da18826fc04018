"""Where AimHarder is: the origin of its URL (scheme, host, port), checked once.

``scheduler.connections`` opens its connections to this origin, and ``scheduler.settings``
refuses, before anything is claimed, a URL it cannot make one of (issue 22, item 11: an
unparsable URL used to fail in the client after the claims, and leave rows ``executing``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Origin", "origin"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """The scheme, host and port requests go to; ``authority``, the ``Host`` header."""

    secure: bool  # https
    host: str  # a name or an address, without brackets
    port: int
    authority: str  # host[:port] as the URL writes it
    literal: bool  # the host is an address: nothing to look up


def origin(url: str) -> Origin:
    """The origin of an ``http://`` or ``https://`` URL; ``ValueError`` saying what is wrong
    (an unclosed IPv6 bracket, a port past 65535, a host IDNA cannot carry)."""
    parts = urlsplit(url)  # raises for an unclosed bracket
    if parts.scheme not in ("http", "https"):
        raise ValueError("another scheme")
    host = parts.hostname
    if not host:
        raise ValueError("no host")
    secure = parts.scheme == "https"
    port = parts.port  # raises past 65535
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = False
        # The name as DNS carries it must read back (``xn--.com`` does not): the look-up
        # would otherwise fail on it in every connection, after the claims.
        host.encode("idna").decode("idna")
    return Origin(
        secure=secure,
        host=host,
        port=(443 if secure else 80) if port is None else port,
        authority=parts.netloc.rpartition("@")[2],
        literal=literal,
    )
