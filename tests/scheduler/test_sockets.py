"""The asyncio network backend keeps the promises httpcore relies on, on asyncio and on uvloop.

Each test runs a tiny TCP server on 127.0.0.1 in the same loop, scripted to answer, close or
stay silent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpcore
import httpx
import pytest
import uvloop

from scheduler.sockets import AsyncioBackend, origin, use_asyncio_sockets

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}
ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


@pytest.fixture(params=sorted(LOOPS))
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=LOOPS[request.param]) as runner:
            return runner.run(asyncio.wait_for(coroutine, 10))

    return run


async def _server(serve: Serve) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _answer_each_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(ANSWER)
            await writer.drain()
    except asyncio.IncompleteReadError:  # the client closed the connection
        pass
    finally:
        writer.close()


async def _close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()


async def _stay_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read()
    finally:
        writer.close()


def test_requests_go_through_the_asyncio_backend_and_reuse_their_connection(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    connects: list[tuple[str, int]] = []

    class Counted(AsyncioBackend):
        async def connect_tcp(self, host: str, port: int, *args: Any, **kw: Any) -> Any:
            connects.append((host, port))
            return await super().connect_tcp(host, port, *args, **kw)

    async def scenario() -> list[int]:
        server, port = await _server(_answer_each_request)
        async with server, httpx.AsyncClient() as http:
            use_asyncio_sockets(http)
            http._transport._pool._network_backend = Counted()  # type: ignore[attr-defined]
            answers = [await http.get(f"http://127.0.0.1:{port}/") for _ in range(3)]
            return [answer.status_code for answer in answers]

    assert run(scenario()) == [200, 200, 200]
    assert len(connects) == 1  # kept alive: one connection for the three


def test_use_asyncio_sockets_puts_the_backend_under_the_clients_own_pool() -> None:
    http = httpx.AsyncClient()
    use_asyncio_sockets(http)
    pool = http._transport._pool  # type: ignore[attr-defined]
    assert isinstance(pool._network_backend, AsyncioBackend)


def test_a_server_that_closes_without_answering_is_a_transport_error(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def scenario() -> None:
        server, port = await _server(_close_at_once)
        async with server, httpx.AsyncClient() as http:
            use_asyncio_sockets(http)
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get(f"http://127.0.0.1:{port}/")

    run(scenario())


def test_a_silent_server_times_the_read_out(run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
    async def scenario() -> None:
        server, port = await _server(_stay_silent)
        async with server, httpx.AsyncClient() as http:
            use_asyncio_sockets(http)
            with pytest.raises(httpx.ReadTimeout):
                await http.get(f"http://127.0.0.1:{port}/", timeout=0.2)

    run(scenario())


def test_nothing_listening_is_a_connect_error(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def scenario() -> None:
        server, port = await _server(_stay_silent)
        server.close()
        await server.wait_closed()
        with pytest.raises(httpcore.ConnectError):
            await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2)

    run(scenario())


def test_a_stream_reads_what_came_then_the_end_and_says_when_the_server_closed(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    closed = asyncio.Event()

    async def greet_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readexactly(4)
            writer.write(b"hello")
            await writer.drain()
            await closed.wait()
        finally:
            writer.close()

    async def scenario() -> list[Any]:
        server, port = await _server(greet_and_close)
        async with server:
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2)
            idle = stream.get_extra_info("is_readable")
            await stream.write(b"ping", timeout=2)
            first = await stream.read(3, timeout=2)
            rest = await stream.read(100, timeout=2)
            closed.set()
            end = await stream.read(100, timeout=2)
            after = stream.get_extra_info("is_readable")
            await stream.aclose()
            return [idle, first, rest, end, after]

    assert run(scenario()) == [False, b"hel", b"lo", b"", True]


async def _until(condition: Callable[[], bool]) -> None:
    """Wait (at most 5 s) for something the other end does."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition was not met within 5 s")


def test_connections_opened_ahead_are_the_ones_the_requests_use(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    """Requests wait for the connections opened ahead rather than open more."""
    accepted: list[asyncio.StreamWriter] = []

    async def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await _answer_each_request(reader, writer)

    async def scenario() -> tuple[int, list[int]]:
        server, port = await _server(counted)
        async with server, httpx.AsyncClient() as http:
            backend = use_asyncio_sockets(http)
            backend.connect_ahead("127.0.0.1", port, 3, timeout=5)
            url = f"http://127.0.0.1:{port}/"
            answers = await asyncio.gather(*(http.get(url) for _ in range(3)))
            return len(accepted), [answer.status_code for answer in answers]

    assert run(scenario()) == (3, [200, 200, 200])


def test_a_connection_the_server_closed_meanwhile_is_not_used(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    accepted = 0
    first_closed = asyncio.Event()

    async def close_the_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        if accepted == 1:
            writer.close()
            await writer.wait_closed()  # on loopback its end has reached the client by now
            first_closed.set()
            return
        await _answer_each_request(reader, writer)

    async def scenario() -> tuple[int, int]:
        server, port = await _server(close_the_first)
        async with server, httpx.AsyncClient() as http:
            backend = use_asyncio_sockets(http)
            backend.connect_ahead("127.0.0.1", port, 1, timeout=5)
            await first_closed.wait()
            answer = await http.get(f"http://127.0.0.1:{port}/")
            return answer.status_code, accepted

    assert run(scenario()) == (200, 2)


def test_connections_no_request_took_are_closed_when_forgotten(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    accepted = 0
    ended: list[bytes] = []

    async def wait_for_the_end(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        try:
            ended.append(await reader.read())
        finally:
            writer.close()

    async def scenario() -> list[bytes]:
        server, port = await _server(wait_for_the_end)
        async with server:
            backend = AsyncioBackend()
            backend.connect_ahead("127.0.0.1", port, 2, timeout=5)
            await _until(lambda: accepted == 2)
            backend.forget_ahead()
            await _until(lambda: len(ended) == 2)
            return ended

    assert run(scenario()) == [b"", b""]


def test_connections_are_opened_ahead_only_where_requests_go_direct() -> None:
    """The host and port httpcore will ask for; nothing through a proxy (it connects there)."""
    direct = httpx.AsyncClient()
    assert origin(direct, "http://127.0.0.1:8000/api") == ("127.0.0.1", 8000)
    assert origin(direct, "https://aimharder.com") == ("aimharder.com", 443)
    assert origin(direct, "http://aimharder.com") == ("aimharder.com", 80)
    proxied = httpx.AsyncClient(proxy="http://127.0.0.1:3128")
    assert origin(proxied, "http://aimharder.com") is None
