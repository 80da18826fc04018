"""The scheduler's connections to AimHarder: HTTP/1.1 on asyncio's own transports, each answer
read by httptools, some connections opened ahead of the requests that take them.

Why not a client library. An invocation sends one small form per prebooking, all at once, to
one host, and what its burst costs is the CPU spent before the last request is out (two cores,
one interpreter lock; a serverless function often has a fraction of a core). In
``benchmarks.send_burst`` (50 POSTs at once, each with its own cookie, plain http) aiohttp, the
cheapest library measured, spent 0.29 ms of CPU a request on new connections and 0.16 ms on
open ones; this client 0.15 and 0.08 (docs/benchmarks.md, quiet). Most of aiohttp's cost is the
layers a general client needs (sessions, cookie jars, proxies, redirects, traces, payload
registries) and this one does not. What is hard about HTTP/1.1 stays with a library: httptools
(llhttp, the parser uvicorn serves with) reads every answer: status, headers, bodies by length,
chunked or up to the close. What is written here is the request's head, whose every name and
value is checked (no CR, LF or NUL: nothing a stored cookie holds can add a header), and the
pool.

What this client does, and no more: one origin (``base_url``); ``Host``, ``Content-Length``
and the caller's headers on each request, and no cookie but those (HTTP state travels in each
request's own headers, ``scheduler.client``, never from one user's answer into another user's
request); no redirect followed, no proxy read from the environment, no compression asked for
(an answer compressed all the same is inflated); keep-alive as the answer allows.

``open_ahead`` opens connections, TLS handshake included, while the claims are on their way to
the store (``scheduler.invoke``), and puts them in the pool unused. Each request then first
waits for one of them (no longer than its own time-out) rather than open another, so the burst
that follows spends nothing on connection set-up, and a handshake slower than the claims still
serves one request instead of racing it.
"""

from __future__ import annotations

import asyncio
import functools
import re
import socket
import ssl
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, cast

import certifi
import httptools

from scheduler.core.domain import Seconds
from scheduler.core.errors import TransportError
from scheduler.origin import origin
from scheduler.store.cut import current_cut

__all__ = ["Connections", "HttpAnswer", "Watch", "tls_context"]

USER_AGENT = "prebooking-scheduler"
# RFC 9110's token (methods, header names) and a target or value without CR, LF, NUL (or, for
# the target, a space), in Latin-1 as the head is written: what a request's head may hold and
# still mean what it says.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TARGET = re.compile(r"[^\x00-\x20\x7f-\U0010ffff]+")
_VALUE = re.compile(r"[^\x00\r\n\u0100-\U0010ffff]*")
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})  # RFC 9110, 9.2.2


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The CA bundle, loaded once per process.

    Loading it is most of what setting up a client costs (about 60 ms here, on every
    invocation); the context is read-only configuration, so sharing it between invocations
    shares no state about prebookings.
    """
    return ssl.create_default_context(cafile=certifi.where())


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpAnswer:
    """What AimHarder answered to one request: as much as the client reads of it."""

    status: int
    body: bytes
    retry_after: str | None  # the header, as sent
    set_cookies: tuple[str, ...]  # every Set-Cookie header, as sent


class Watch(Protocol):
    """Told of each request's way (the makespan benchmark stamps them); ``headers`` are the
    request's own, as the caller gave them."""

    def taken(self, *, opened: bool) -> None:
        """A request has its connection: one it opened itself, or one from the pool."""

    def sent(self, headers: Mapping[str, str]) -> None:
        """The request's last byte was handed to the transport."""

    def heard(self, headers: Mapping[str, str]) -> None:
        """Its whole answer was read."""


class Connections:
    """One invocation's way to AimHarder at ``base_url``; ``async with`` opens and closes it.

    ``tls``: the authorities trusted (the CA bundle by default); ``watch``: told of each
    request's way (none by default).
    """

    def __init__(
        self, base_url: str, *, tls: ssl.SSLContext | None = None, watch: Watch | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = origin(self.base_url)  # a ValueError saying what is wrong with it
        # Plain HTTP (the mock, on loopback) needs no context: the CA bundle is loaded only
        # for https.
        self._tls = (tls or tls_context()) if self._origin.secure else None
        self._watch = watch
        self._addresses: asyncio.Future[list[tuple[str, int]]] | None = None
        self._idle: list[_Connection] = []
        self._ahead: deque[asyncio.Task[bool]] = deque()
        self._open = False

    async def __aenter__(self) -> Connections:
        self._open = True
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._open = False
        self.forget_ahead()
        while self._idle:
            self._idle.pop().close()

    def open_ahead(self, count: int, *, timeout: Seconds) -> None:
        """Start opening ``count`` connections to ``base_url`` now."""
        loop = asyncio.get_running_loop()
        self._ahead.extend(loop.create_task(self._put_ahead(timeout)) for _ in range(count))

    def forget_ahead(self) -> None:
        """Stop opening connections no request waited for (those open stay in the pool)."""
        for attempt in self._ahead:
            attempt.cancel()
        self._ahead.clear()

    async def send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: Seconds,
    ) -> HttpAnswer:
        """One request, its whole answer read within ``timeout``; ``TransportError`` when it
        times out or the connection fails (sent or not: the caller cannot know)."""
        if not self._open:
            raise RuntimeError("Connections used outside its `async with`")
        head = self._head(method, url, body, headers)
        # A task cut while its loop was blocked runs on until it next suspends, and a request
        # on a pooled connection is written before it first suspends: the invocation's cut,
        # which the served process stops at its 504, keeps such a request from leaving
        # (tests/scheduler/test_deadline.py: nothing booked after the 504).
        cut = current_cut()
        if cut is not None and cut.left() <= 0:
            raise TransportError(f"{method} {url} not sent: the invocation's limit has come")
        request = head + body if body else head
        try:
            async with asyncio.timeout(timeout):
                await self._one_ahead()
                heard = await self._exchange(request, headers, retry=method in _IDEMPOTENT)
        except TimeoutError as exc:
            raise TransportError(f"{method} {url} timed out after {timeout:g} s") from exc
        except (OSError, httptools.HttpParserError) as exc:  # ssl.SSLError is an OSError
            raise TransportError(f"{method} {url} failed: {exc!r}") from exc
        if self._watch is not None:
            self._watch.heard(headers)
        return heard

    async def _exchange(
        self, request: bytes, headers: Mapping[str, str], *, retry: bool
    ) -> HttpAnswer:
        """``request`` written on a connection, its answer read; the connection back in the
        pool if its answer keeps it alive.

        A pooled connection the server closed before a byte of answer came may have been
        closed while idle (its end not yet read here): a request that can be sent twice
        (``retry``) goes once more on a new connection, as browsers and aiohttp do. A booking
        is not: whether AimHarder read it is unknown, and the caller settles it.
        """
        connection, opened = self._pooled(), False
        if connection is None:
            connection, opened = await self._connect(), True
        if self._watch is not None:
            self._watch.taken(opened=opened)
        try:
            answer = connection.ask(request)
            if self._watch is not None:
                self._watch.sent(headers)
            heard = await answer
        except ConnectionError:
            if not (retry and not opened and not connection.answered):
                raise
            connection.close()
            return await self._exchange(request, headers, retry=False)
        finally:
            if not connection.reusable():
                connection.close()  # cut mid-request, failed, or the answer ends it
        if connection.reusable():
            self._idle.append(connection)
        return heard

    def _head(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> bytes:
        """The request's head, every name and value checked; ``ValueError`` naming the one
        that cannot be sent as it is."""
        if not url.startswith(self.base_url + "/"):
            raise ValueError(f"{url!r} is not under AimHarder's URL {self.base_url!r}")
        target = url[len(self.base_url) :]
        if not _TOKEN.fullmatch(method):
            raise ValueError(f"HTTP method {method!r}: expected a token")
        if not _TARGET.fullmatch(target):
            raise ValueError(f"request target {target!r}: expected no space or control byte")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._origin.authority}"]
        lines.append(f"User-Agent: {USER_AGENT}")
        lines.append("Accept: */*")
        for name, value in headers.items():
            if not _TOKEN.fullmatch(name) or not _VALUE.fullmatch(value):
                raise ValueError(
                    f"header {name!r}: {value!r}: expected a token and no CR/LF/NUL, in Latin-1"
                )
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _put_ahead(self, timeout: Seconds) -> bool:
        """Open one connection and put it in the pool; False if it could not be opened."""
        try:
            async with asyncio.timeout(timeout):
                connection = await self._connect()
        except (OSError, TimeoutError):
            return False  # the request that waits for it connects on its own
        if not self._open:  # the invocation ended while this one opened
            connection.close()
            return False
        self._idle.append(connection)
        return True

    async def _one_ahead(self) -> None:
        """Wait for the next connection opened ahead, if one is on its way."""
        if self._ahead and not (attempt := self._ahead.popleft()).done():
            await asyncio.shield(attempt)  # cut meanwhile, the request leaves it to the pool

    def _pooled(self) -> _Connection | None:
        """An idle connection the server has not closed meanwhile (the last put back first)."""
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable():
                return connection
            connection.close()
        return None

    async def _connect(self) -> _Connection:
        """A new connection, TLS handshake done; each address of the host tried in turn."""
        loop = asyncio.get_running_loop()
        failure: OSError = OSError(f"no address for {self._origin.host!r}")
        for host, port in await self._resolved():
            try:
                _, connection = await loop.create_connection(
                    _Connection,
                    host,
                    port,
                    ssl=self._tls,
                    server_hostname=self._origin.host if self._tls else None,
                )
            except OSError as exc:
                failure = exc
                continue
            return connection
        raise failure

    async def _resolved(self) -> list[tuple[str, int]]:
        """The host's addresses, looked up once for all the invocation's connections (an
        address needs no look-up)."""
        if self._origin.literal:
            return [(self._origin.host, self._origin.port)]
        if self._addresses is None:
            self._addresses = asyncio.ensure_future(self._look_up())
        return await asyncio.shield(self._addresses)

    async def _look_up(self) -> list[tuple[str, int]]:
        found = await asyncio.get_running_loop().getaddrinfo(
            self._origin.host, self._origin.port, type=socket.SOCK_STREAM
        )
        return [(str(address[0]), self._origin.port) for *_, address in found]


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: its transport, and the answer to the request on it, as
    httptools reads it (the parser calls the ``on_*`` methods)."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[HttpAnswer] | None = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._headers_done = False
        self._framed = False  # the body's end is known from its length or its chunks
        self._done = False  # a whole answer was read
        self._keep_alive = False
        self._lost = False
        self.answered = False  # a byte of answer came to the last request

    def ask(self, request: bytes) -> asyncio.Future[HttpAnswer]:
        """Write ``request``; the future is its whole answer."""
        if self._transport is None or self._lost:
            raise ConnectionResetError("the connection closed before the request")
        self._answer = asyncio.get_running_loop().create_future()
        self._headers, self._body = [], []
        self._headers_done = self._framed = self._done = self._keep_alive = False
        self.answered = False
        self._transport.write(request)
        return self._answer

    def reusable(self) -> bool:
        """Open, idle, and kept alive by its last answer (a new one: never used)."""
        fresh = self._answer is None
        return not self._lost and (fresh or (self._done and self._keep_alive))

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # asyncio's calls
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's does not derive from asyncio.Transport, but is one).
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._answer is None or self._done:  # nothing asked: the server breaks HTTP
            self._lose(ConnectionError("answer with no request on the connection"))
            return
        self.answered = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._lose(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        if self._headers_done and not self._framed and not self._done:
            self.on_message_complete()  # a body without length ends with its connection
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    # httptools' calls
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._framed = any(
            name in (b"content-length", b"transfer-encoding") for name, _ in self._headers
        )

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # an interim answer: the real one follows
            self._headers, self._headers_done = [], False
            return
        self._done = True
        self._keep_alive = self._parser.should_keep_alive()
        if self._answer is None or self._answer.done():
            return
        try:
            body = _inflated(b"".join(self._body), self._header(b"content-encoding"))
        except zlib.error as exc:
            self._answer.set_exception(ConnectionError(f"answer not inflated: {exc}"))
            return
        self._answer.set_result(
            HttpAnswer(
                status=status,
                body=body,
                retry_after=self._header(b"retry-after"),
                set_cookies=tuple(
                    v.decode("latin-1") for n, v in self._headers if n == b"set-cookie"
                ),
            )
        )

    def _header(self, name: bytes) -> str | None:
        return next((v.decode("latin-1") for n, v in self._headers if n == name), None)

    def _lose(self, exc: Exception) -> None:
        self._fail(exc)
        self.close()

    def _fail(self, exc: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)


def _inflated(body: bytes, encoding: str | None) -> bytes:
    """The body as sent before its ``Content-Encoding`` (none is asked for; a server may use
    one all the same)."""
    coding = (encoding or "").strip().lower()
    if coding in ("", "identity"):
        return body
    if coding in ("gzip", "x-gzip"):
        return zlib.decompress(body, wbits=16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return zlib.decompress(body)
    raise zlib.error(f"unknown content coding {encoding!r}")
