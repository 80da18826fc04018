"""The scheduler's connections to AimHarder: one aiohttp session per invocation, some of its
connections opened ahead of the requests that take them.

aiohttp sends every request: in ``benchmarks.send_burst`` (50 form POSTs at once, each with its
own cookie) it spent 0.12-0.22 ms of CPU a request where httpx spent 1-5 ms, and came closest
to the latency of the clients measured (Node's fetch too), on plain http and on https alike.
Its session here keeps no cookie (``DummyCookieJar``): HTTP state travels in each request's own
headers (``scheduler.client``), never from one user's answer into another user's request.

``open_ahead`` opens connections, TLS handshake included, while the claims are on their way to
the store (``scheduler.invoke``), through the connector's documented ``connect``, and puts them
back in the pool unused. Each request then first waits for one of them (no longer than its own
time-out) rather than open another, so the burst that follows spends nothing on connection
set-up, and a handshake slower than the claims still serves one request instead of racing it.

AimHarder is reached directly: the session reads no proxy (nor ``.netrc``) from the environment,
where httpx read ``HTTPS_PROXY``; reading it costs every request a scan of the environment.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType

import aiohttp
import certifi
import yarl

from scheduler.core.domain import Seconds
from scheduler.core.errors import TransportError
from scheduler.store.cut import current_cut

__all__ = ["Connections", "HttpAnswer", "tls_context"]


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


class Connections:
    """One invocation's way to AimHarder at ``base_url``; ``async with`` opens and closes it.

    ``tls``: the authorities trusted (the CA bundle by default); ``trace_configs``: aiohttp's,
    to watch each request (the makespan benchmark does).
    """

    def __init__(
        self,
        base_url: str,
        *,
        tls: ssl.SSLContext | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._tls = tls
        self._trace_configs = list(trace_configs)
        self._session: aiohttp.ClientSession | None = None
        self._connector: aiohttp.TCPConnector | None = None
        self._ahead: deque[asyncio.Task[bool]] = deque()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("Connections used outside its `async with`")
        return self._session

    async def __aenter__(self) -> Connections:
        # Plain HTTP (the mock, on loopback) uses no context: the CA bundle is loaded only for
        # https (aiohttp's own default, already made, stands in for the other).
        secure = yarl.URL(self.base_url).scheme == "https"
        tls = self._tls or (tls_context() if secure else True)
        self._connector = aiohttp.TCPConnector(ssl=tls)
        self._session = aiohttp.ClientSession(
            connector=self._connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(),  # none here: each request has its own
            trace_configs=self._trace_configs or None,
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.forget_ahead()
        await self.session.close()

    def open_ahead(self, count: int, *, timeout: Seconds) -> None:
        """Start opening ``count`` connections to ``base_url`` now."""
        url = yarl.URL(self.base_url)
        loop = asyncio.get_running_loop()
        self._ahead.extend(loop.create_task(self._open(url, timeout)) for _ in range(count))

    def forget_ahead(self) -> None:
        """Stop opening connections no request waited for (those open stay in the pool)."""
        for attempt in self._ahead:
            attempt.cancel()
        self._ahead.clear()

    async def _open(self, url: yarl.URL, timeout: Seconds) -> bool:
        """Open one connection and put it in the pool; False if it could not be opened."""
        # The request names the connection's origin (host, port, TLS) and is never sent.
        origin = aiohttp.ClientRequest("GET", url, loop=asyncio.get_running_loop(), ssl=True)
        if self._connector is None:
            raise RuntimeError("Connections used outside its `async with`")
        try:
            connection = await self._connector.connect(
                origin, [], aiohttp.ClientTimeout(connect=timeout)
            )
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False  # the request that waits for it connects on its own
        connection.release()
        return True

    async def _one_ahead(self) -> None:
        """Wait for the next connection opened ahead, if one is on its way."""
        if self._ahead and not (attempt := self._ahead.popleft()).done():
            await asyncio.shield(attempt)  # cut meanwhile, the request leaves it to the pool

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
        # A task cut while its loop was blocked runs on until it next suspends, and aiohttp
        # writes a request on a pooled connection before it first suspends: the invocation's
        # cut, which the served process stops at its 504, keeps such a request from leaving
        # (tests/scheduler/test_deadline.py: nothing booked after the 504).
        cut = current_cut()
        if cut is not None and cut.left() <= 0:
            raise TransportError(f"{method} {url} not sent: the invocation's limit has come")
        try:
            async with asyncio.timeout(timeout):
                await self._one_ahead()
                async with self.session.request(
                    method, url, data=body, headers=headers, allow_redirects=False
                ) as response:
                    content = await response.read()
        except TimeoutError as exc:
            raise TransportError(f"{method} {url} timed out after {timeout:g} s") from exc
        except aiohttp.ClientError as exc:
            raise TransportError(f"{method} {url} failed: {exc!r}") from exc
        return HttpAnswer(
            status=response.status,
            body=content,
            retry_after=response.headers.get("Retry-After"),
            set_cookies=tuple(response.headers.getall("Set-Cookie", ())),
        )
