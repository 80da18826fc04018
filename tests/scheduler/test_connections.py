"""The scheduler's connections to AimHarder: reused, opened ahead with TLS, failures as
transport errors; on asyncio's loop and on uvloop.

Each test runs a tiny server on 127.0.0.1 in the same loop (TLS with a throwaway certificate
where the handshake matters), scripted to answer, close or stay silent, and counting the
connections it accepted (a TLS server accepts once the handshake is done).
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvloop

from harness.certificates import Certificates, make_certificates
from scheduler.connections import Connections, HttpAnswer
from scheduler.core.errors import TransportError
from scheduler.store.cut import Cut

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}
ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


@pytest.fixture(params=sorted(LOOPS))
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=LOOPS[request.param]) as runner:
            return runner.run(asyncio.wait_for(coroutine, 10))

    return run


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Certificates]:
    yield make_certificates(Path(tmp_path_factory.mktemp("tls")))


class Server:
    """A server's URL, and an event per connection count it reached."""

    def __init__(self) -> None:
        self.accepted = 0
        self.reached: dict[int, asyncio.Event] = {}

    def count(self) -> None:
        self.accepted += 1
        self.at(self.accepted).set()

    def at(self, count: int) -> asyncio.Event:
        return self.reached.setdefault(count, asyncio.Event())


async def _server(
    serve: Serve, tls: ssl.SSLContext | None = None
) -> tuple[asyncio.Server, str, Server]:
    counted = Server()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counted.count()
        await serve(reader, writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    return server, f"{'https' if tls else 'http'}://127.0.0.1:{port}", counted


async def _answer_each_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):  # the client closed the connection
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


async def _answer_and_close(writer: asyncio.StreamWriter, answer: bytes) -> None:
    writer.write(answer)
    await writer.drain()
    writer.close()


async def _get(connections: Connections, url: str, timeout: float = 5) -> HttpAnswer:
    return await connections.send("GET", url + "/", body=None, headers={}, timeout=timeout)


def test_requests_one_after_another_reuse_their_connection(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def scenario() -> tuple[list[int], int]:
        server, url, counted = await _server(_answer_each_request)
        async with server, Connections(url) as connections:
            answers = [await _get(connections, url) for _ in range(3)]
            return [answer.status for answer in answers], counted.accepted

    assert run(scenario()) == ([200, 200, 200], 1)


def test_connections_opened_ahead_finish_their_tls_handshake_before_any_request_and_serve_them(
    run: Callable[[Coroutine[Any, Any, Any]], Any], certificates: Certificates
) -> None:
    """The server accepts each connection once its handshake is done: all three are accepted
    before a request is asked for, and the three requests at once open no other."""

    async def scenario() -> tuple[int, list[int]]:
        server, url, counted = await _server(_answer_each_request, certificates.server_context())
        async with server, Connections(url, tls=certificates.client_context()) as connections:
            connections.open_ahead(3, timeout=5)
            await counted.at(3).wait()
            answers = await asyncio.gather(*(_get(connections, url) for _ in range(3)))
            return counted.accepted, [answer.status for answer in answers]

    assert run(scenario()) == (3, [200, 200, 200])


def test_requests_wait_for_the_connections_on_their_way_rather_than_open_more(
    run: Callable[[Coroutine[Any, Any, Any]], Any], certificates: Certificates
) -> None:
    async def scenario() -> tuple[int, list[int]]:
        server, url, counted = await _server(_answer_each_request, certificates.server_context())
        async with server, Connections(url, tls=certificates.client_context()) as connections:
            connections.open_ahead(3, timeout=5)  # the requests follow at once
            answers = await asyncio.gather(*(_get(connections, url) for _ in range(3)))
            return counted.accepted, [answer.status for answer in answers]

    assert run(scenario()) == (3, [200, 200, 200])


def test_a_certificate_no_trusted_authority_signed_fails_the_request(
    run: Callable[[Coroutine[Any, Any, Any]], Any], certificates: Certificates
) -> None:
    """Opened ahead or not, a connection is verified: the request fails, it is not sent."""

    async def scenario() -> None:
        server, url, _ = await _server(_answer_each_request, certificates.server_context())
        async with server, Connections(url, tls=ssl.create_default_context()) as connections:
            connections.open_ahead(1, timeout=5)
            with pytest.raises(TransportError, match="certificate"):
                await _get(connections, url)

    run(scenario())


def test_a_connection_the_server_closed_meanwhile_is_not_used(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    first_closed = asyncio.Event()
    served = 0

    async def close_the_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        served += 1
        if served == 1:
            writer.close()
            await writer.wait_closed()  # on loopback its end has reached the client by now
            first_closed.set()
            return
        await _answer_each_request(reader, writer)

    async def scenario() -> tuple[int, int]:
        server, url, counted = await _server(close_the_first)
        async with server, Connections(url) as connections:
            connections.open_ahead(1, timeout=5)
            await first_closed.wait()
            answer = await _get(connections, url)
            return answer.status, counted.accepted

    assert run(scenario()) == (200, 2)


def test_connections_opened_ahead_are_closed_with_the_connections(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    ended: list[bytes] = []
    both_ended = asyncio.Event()

    async def wait_for_the_end(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            ended.append(await reader.read())
        finally:
            writer.close()
            if len(ended) == 2:
                both_ended.set()

    async def scenario() -> list[bytes]:
        server, url, counted = await _server(wait_for_the_end)
        async with server:
            async with Connections(url) as connections:
                connections.open_ahead(2, timeout=5)
                await counted.at(2).wait()
            await both_ended.wait()
            return ended

    assert run(scenario()) == [b"", b""]


def test_a_server_that_closes_without_answering_is_a_transport_error(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def scenario() -> None:
        server, url, _ = await _server(_close_at_once)
        async with server, Connections(url) as connections:
            with pytest.raises(TransportError, match="failed"):
                await connections.send("POST", url + "/", body=b"x", headers={}, timeout=5)

    run(scenario())


def test_a_silent_server_times_the_request_out(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def scenario() -> None:
        server, url, _ = await _server(_stay_silent)
        async with server, Connections(url) as connections:
            with pytest.raises(TransportError, match=r"timed out after 0\.2 s"):
                await _get(connections, url, timeout=0.2)

    run(scenario())


def test_nothing_listening_is_a_transport_error_opened_ahead_or_not(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def scenario() -> None:
        server, url, _ = await _server(_stay_silent)
        server.close()
        await server.wait_closed()
        async with Connections(url) as connections:
            connections.open_ahead(1, timeout=2)
            for _ in range(2):  # the first waits for the connection opened ahead, which failed
                with pytest.raises(TransportError, match="failed"):
                    await _get(connections, url)

    run(scenario())


def test_a_request_asked_once_the_invocations_cut_has_come_never_leaves(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    """A served invocation's task runs on after its 504 until it next suspends (its loop was
    blocked meanwhile): the cut, stopped at the 504, keeps its next request on this side."""
    heads: list[bytes] = []

    async def note_and_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                heads.append(head)
                writer.write(ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def scenario() -> tuple[int, int]:
        server, url, _ = await _server(note_and_answer)
        cut = Cut(time.time() + 60)
        async with server, Connections(url) as connections:
            with cut.applied():
                before = await _get(connections, url)
                cut.stop()
                with pytest.raises(TransportError, match="not sent"):
                    await _get(connections, url)
            return before.status, len(heads)

    assert run(scenario()) == (200, 1)


def test_a_header_that_would_add_another_is_refused_and_nothing_is_sent(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    """A stored cookie holding a line break must not become a header of its own."""
    heads: list[bytes] = []

    async def note(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.read())
        writer.close()

    async def scenario() -> None:
        server, url, _ = await _server(note)
        async with server, Connections(url) as connections:
            bad = {"cookie": "amhrdrauth=x\r\nx-admin: yes"}
            with pytest.raises(ValueError, match="expected a token and no CR/LF/NUL"):
                await connections.send("GET", url + "/", body=None, headers=bad, timeout=5)

    run(scenario())
    assert heads == []  # no connection was even opened


@pytest.mark.parametrize(
    ("answer", "body"),
    [
        (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            b'2\r\n{"\r\n3\r\na":\r\n2\r\n1}\r\n0\r\n\r\n',
            b'{"a":1}',
        ),
        (b'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{"a":1}', b'{"a":1}'),
        (
            b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: %d\r\n\r\n%s"
            % (len(gzip.compress(b'{"a":1}')), gzip.compress(b'{"a":1}')),
            b'{"a":1}',
        ),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", b"{}"),
    ],
    ids=["chunked", "ended by the close", "gzip", "after an interim answer"],
)
def test_an_answer_is_read_whole_however_its_end_is_told(
    run: Callable[[Coroutine[Any, Any, Any]], Any], answer: bytes, body: bytes
) -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await _answer_and_close(writer, answer)

    async def scenario() -> bytes:
        server, url, _ = await _server(serve)
        async with server, Connections(url) as connections:
            return (await _get(connections, url)).body

    assert run(scenario()) == body


@pytest.mark.parametrize(("method", "sent", "outcome"), [("GET", 2, "200"), ("POST", 1, "failed")])
def test_a_pooled_connection_closed_before_its_answer_sends_a_get_again_never_a_post(
    run: Callable[[Coroutine[Any, Any, Any]], Any], method: str, sent: int, outcome: str
) -> None:
    """The server reads the request on the connection opened ahead, then closes it: a GET
    may go once more, on a new connection; a booking's fate is unknown and is not sent twice."""
    heads: list[bytes] = []

    async def close_the_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        if len(heads) == 1:
            writer.close()
            return
        await _answer_and_close(writer, ANSWER)

    async def scenario() -> str:
        server, url, counted = await _server(close_the_first)
        async with server, Connections(url) as connections:
            connections.open_ahead(1, timeout=5)
            await counted.at(1).wait()
            try:
                answer = await connections.send(method, url + "/", body=None, headers={}, timeout=5)
            except TransportError as exc:
                return "failed" if "failed" in str(exc) else str(exc)
            return str(answer.status)

    assert run(scenario()) == outcome
    assert len(heads) == sent
