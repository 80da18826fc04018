"""``serve``: run any ASGI app under uvicorn in a background thread, on a free loopback port.

Generic on purpose: the mock, the scheduler's cron endpoint and the benchmarks' bare app all
use it. The socket is bound here (port 0 picks a free one, with no window for another process to
take it), the thread is polled until uvicorn reports ``started`` (bounded), and on exit the
server is asked to stop, then forced, each within a bound. In-flight requests (a deliberate
hang, say) get ``graceful_seconds`` before uvicorn cancels them.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from mock_aimharder.model.errors import ServingError
from mock_aimharder.server.arrival import http_protocol

__all__ = ["bind_socket", "serve"]

_log = logging.getLogger(__name__)
_POLL = 0.005


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to ``host:port`` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServingError(f"cannot bind {host}:{port}: {exc.strerror}") from None
    return sock


@contextmanager
def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    startup_timeout: float = 10.0,
    shutdown_timeout: float = 10.0,
    graceful_seconds: int = 1,
    log_level: str = "warning",
) -> Iterator[str]:
    """Serve ``app`` while the ``with`` body runs; yields the base URL (``http://host:port``)."""
    sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        ws="none",
        http=http_protocol(),  # stamps arrivals (arrival.py); harmless to other apps
        timeout_graceful_shutdown=graceful_seconds,
    )
    server = uvicorn.Server(config)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn:{bound_port}", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, startup_timeout, failures)
        shown_host = f"[{host}]" if ":" in host else host
        yield f"http://{shown_host}:{bound_port}"
    finally:
        _stop(server, thread, shutdown_timeout)
        sock.close()


def _wait_started(
    server: uvicorn.Server, thread: threading.Thread, timeout: float, failures: list[BaseException]
) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            cause = f": {failures[0]!r}" if failures else ""
            raise ServingError(f"{thread.name} exited before start-up{cause} (see its log)")
        if time.monotonic() > deadline:
            raise ServingError(f"{thread.name} did not start within {timeout:g} s")
        time.sleep(_POLL)


def _stop(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    server.should_exit = True
    thread.join(timeout)
    if thread.is_alive():
        server.force_exit = True
        thread.join(timeout)
    if thread.is_alive():
        _log.error("%s still running %g s after being forced to exit", thread.name, 2 * timeout)
