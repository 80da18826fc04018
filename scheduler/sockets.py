"""The scheduler's sockets to AimHarder: httpcore's network backend on plain asyncio.

httpx sends through httpcore, and httpcore through a "network backend". Its default one goes
through anyio, which wraps every read and write in a cancel scope with a timer of its own and
yields to the loop before each write; for the short requests of a booking burst those layers
cost more than the HTTP work itself. Measured here (50 bookings at once against the mock, CPU
of the sending process, best of 15): 1.41 ms a request through anyio, 1.00 ms through this
backend, 0.87 ms with uvloop as well. The behaviour httpcore relies on is the same: its own
exceptions (``ConnectError``, ``ReadTimeout``, ...) for failures and time-outs, ``b""`` at the
end of the stream, ``is_readable`` for a kept-alive connection the server has closed, TLS by
``start_tls``.

It also opens connections ahead (``connect_ahead``): an invocation opens one for each request
it will have in flight while the claims are on their way to the store, so the burst that
follows spends nothing on connection set-up (socket, handshake, the server's accept), and the
first request goes out without waiting for the others' connections.

``use_asyncio_sockets`` puts it under the client's own connection pool; requests that go
through a proxy (from the environment) keep httpx's default, and nothing is opened ahead.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from collections import deque
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["AsyncioBackend", "origin", "use_asyncio_sockets"]

# Bytes kept unread before the socket is no longer read from (an answer to a booking is well
# under 1 KiB; httpcore reads up to 64 KiB at a time).
_HIGH_WATER = 1 << 20
_DEFAULT_PORTS = {"http": 80, "https": 443}


class _Receiver(asyncio.Protocol):
    """One connection's bytes heard and not yet read, and whether it has ended."""

    def __init__(self) -> None:
        self.transport: Any = None  # asyncio's or uvloop's (not an asyncio subclass)
        self.heard = bytearray()
        self.ended = False
        self.failure: BaseException | None = None
        self.reader: asyncio.Future[None] | None = None  # a read waiting for bytes
        self.writable: asyncio.Future[None] | None = None  # a write waiting for the buffer
        self._paused_reading = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.heard += data
        if len(self.heard) > _HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
            self._paused_reading = True
        _wake(self.reader)

    def eof_received(self) -> bool:
        self.ended = True
        _wake(self.reader)
        return False  # close our side too: httpcore never half-closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.failure = exc
        _wake(self.reader)
        _wake(self.writable)

    def pause_writing(self) -> None:
        self.writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        _wake(self.writable)
        self.writable = None

    def take(self, max_bytes: int) -> bytes:
        data = bytes(self.heard[:max_bytes])
        del self.heard[:max_bytes]
        if self._paused_reading and len(self.heard) <= _HIGH_WATER and self.transport is not None:
            self.transport.resume_reading()
            self._paused_reading = False
        return data


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection, as httpcore reads and writes it."""

    def __init__(self, transport: Any, receiver: _Receiver) -> None:
        self._transport = transport
        self._receiver = receiver

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        receiver = self._receiver
        if not receiver.heard and not receiver.ended:
            receiver.reader = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await receiver.reader
            except TimeoutError as exc:
                raise httpcore.ReadTimeout(f"no answer within {timeout} s") from exc
            finally:
                receiver.reader = None
        if receiver.heard:
            return receiver.take(max_bytes)
        if receiver.failure is not None:
            raise httpcore.ReadError(str(receiver.failure)) from receiver.failure
        return b""  # the server closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        waiting = self._receiver.writable
        if waiting is None:
            return
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(waiting)
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(f"could not write within {timeout} s") from exc
        if self._receiver.failure is not None:
            raise httpcore.WriteError(str(self._receiver.failure))

    async def aclose(self) -> None:
        self._transport.close()

    def close(self) -> None:
        self._transport.close()

    def set_options(self, socket_options: Iterable[Any] | None) -> None:
        sock = self._transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                secured = await loop.start_tls(
                    self._transport, self._receiver, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"no TLS handshake within {timeout} s") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if secured is None:  # the connection ended during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        return AsyncioStream(secured, self._receiver)

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        if info == "is_readable":
            return self._readable()
        return None

    def _readable(self) -> bool:
        """Bytes or an end waiting: on an idle kept-alive connection, the server closed it."""
        receiver = self._receiver
        if receiver.heard or receiver.ended:
            return True
        sock = self._transport.get_extra_info("socket")
        if sock is None:
            return True
        ready, _, _ = select.select([sock.fileno()], [], [], 0)
        return bool(ready)


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections made by the running asyncio loop (``loop.create_connection``), some of
    them ahead of the requests that will take them (``connect_ahead``).

    A connection opened ahead goes to the next request for its host and port, which waits for
    it (no longer than its own connect time-out) rather than open another; one the server has
    closed meanwhile is dropped. The connection carries no cookie or other state of a user:
    HTTP state travels in each request's headers (``scheduler.client``).
    """

    def __init__(self) -> None:
        self._ahead: dict[tuple[str, int], deque[asyncio.Task[AsyncioStream]]] = {}

    def connect_ahead(self, host: str, port: int, count: int, *, timeout: float) -> None:
        """Start opening ``count`` connections to ``host:port`` now."""
        loop = asyncio.get_running_loop()
        waiting = self._ahead.setdefault((host, port), deque())
        for _ in range(count):
            waiting.append(loop.create_task(self._connect(host, port, timeout, None)))

    def forget_ahead(self) -> None:
        """Close the connections opened ahead that no request took (or stop opening them)."""
        for waiting in self._ahead.values():
            for attempt in waiting:
                if not attempt.done():
                    attempt.cancel()
                elif not attempt.cancelled() and attempt.exception() is None:
                    attempt.result().close()
        self._ahead.clear()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        waiting = self._ahead.get((host, port))
        while waiting and local_address is None:
            stream = await self._take(waiting.popleft(), timeout)
            if stream is None:
                break  # it failed: this request connects on its own
            if stream.get_extra_info("is_readable"):  # closed by the server meanwhile
                stream.close()
                continue
            stream.set_options(socket_options)
            return stream
        stream = await self._connect(host, port, timeout, local_address)
        stream.set_options(socket_options)
        return stream

    @staticmethod
    async def _take(
        attempt: asyncio.Task[AsyncioStream], timeout: float | None
    ) -> AsyncioStream | None:
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(attempt)
        except TimeoutError as exc:
            attempt.cancel()
            raise httpcore.ConnectTimeout(f"no connection within {timeout} s") from exc
        except (httpcore.ConnectError, httpcore.ConnectTimeout):
            return None

    @staticmethod
    async def _connect(
        host: str, port: int, timeout: float | None, local_address: str | None
    ) -> AsyncioStream:
        loop = asyncio.get_running_loop()
        local = None if local_address is None else (local_address, 0)
        try:
            async with asyncio.timeout(timeout):
                transport, receiver = await loop.create_connection(
                    _Receiver, host, port, local_addr=local
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"no connection within {timeout} s") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return AsyncioStream(transport, receiver)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(f"no Unix sockets here: {path!r}")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def use_asyncio_sockets(http: httpx.AsyncClient) -> AsyncioBackend:
    """Send ``http``'s direct requests through a new ``AsyncioBackend``, returned.

    httpx takes no network backend: its default transport's httpcore pool is given one here.
    A proxy mount keeps its own pool (and anyio).
    """
    # httpx and httpcore name these attributes private; tests/scheduler/test_sockets.py
    # fails if a new version moves them.
    pool = getattr(http._transport, "_pool", None)
    if type(pool) is not httpcore.AsyncConnectionPool or not hasattr(pool, "_network_backend"):
        raise TypeError(f"expected httpx's default transport over an httpcore pool; got {pool!r}")
    backend = AsyncioBackend()
    pool._network_backend = backend
    return backend


def origin(http: httpx.AsyncClient, url: str) -> tuple[str, int] | None:
    """The host and port a request to ``url`` connects to through ``http``'s own pool, as
    httpcore asks ``connect_tcp`` for them; None when it would go through a proxy."""
    parsed = httpx.URL(url)
    if http._transport_for_url(parsed) is not http._transport:  # a proxy mount
        return None
    return parsed.raw_host.decode("ascii"), parsed.port or _DEFAULT_PORTS[parsed.scheme]
