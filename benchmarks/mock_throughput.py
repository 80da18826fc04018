"""The mock's own cost, measured in one run on this machine (a script, not a test).

1. Throughput with zero configured latency, as a ratio to a bare FastAPI endpoint served the
   same way: each server is a uvicorn subprocess on a free 127.0.0.1 port with the same
   settings, driven by the same client with the same number of keep-alive connections sending
   the same bytes (an authenticated ``POST /api/book``). Goal: ratio >= 0.7. Two ratios are
   printed: of the median requests per second (what the client saw, shaken by whatever else
   runs on the machine: the client, the server and other people's jobs share its cores), and
   of the server process's CPU time per request (read from /proc; the throughput each server
   would reach with a core to itself, and much steadier on a shared machine).
2. Delivered latency at 200 concurrent requests with ``book`` service time lognormal(median
   0.2 s, p99 0.5 s): p50 and p99 seen by the client against the configured quantiles, and
   against the quantiles of the very samples the server drew (replayed from the seed). Goal:
   within 5 %.

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams, so the measuring
instrument costs far less than the servers it measures (httpx would be the bottleneck).
Run from the top folder: .venv/bin/python -m benchmarks.mock_throughput
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table

from harness.children import child, cpu_seconds, mock_command
from mock_aimharder.model.distributions import LogNormal
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.latency import Sampler, seeded_streams
from mock_aimharder.server.arrival import http_protocol
from mock_aimharder.server.serving import bind_socket

CONNECTIONS = 64  # client concurrency of the throughput runs
WINDOW = 2.0  # seconds measured per throughput run (after WARMUP)
WARMUP = 0.5
TRIALS = 4  # bare and mock alternate this many times; medians are reported
CONCURRENT = 200  # requests at once in the latency runs
ROUNDS = 10  # latency rounds of CONCURRENT requests each
MEDIAN, P99 = 0.2, 0.5
SEED = 2024
DAY = "20300115"


def bare_app() -> FastAPI:
    """The floor: FastAPI answering a constant JSON, reading nothing."""
    app = FastAPI()

    @app.post("/api/book")
    async def book() -> dict[str, Any]:
        return {"bookState": 1}

    return app


def _serve_bare() -> None:
    sock = bind_socket("127.0.0.1", 0)
    sock.listen(2048)
    print(f"bare listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        bare_app(), log_level="warning", access_log=False, ws="none", http=http_protocol()
    )  # as python -m mock_aimharder configures it
    uvicorn.Server(config).run(sockets=[sock])


@contextlib.contextmanager
def _subprocess_server(command: list[str]) -> Iterator[tuple[str, int, int]]:
    """A server in a process of its own as (host, port, pid), the form the measurements below
    use."""
    with child(command[2], command) as server:
        host, port = server.url.removeprefix("http://").split(":")
        yield host, int(port), server.pid


class Connection:
    """One keep-alive HTTP/1.1 connection sending prepared requests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(head[9:12]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def _post(path: str, form: str, cookie: str | None = None, content: str = "form") -> bytes:
    kind = "application/json" if content == "json" else "application/x-www-form-urlencoded"
    headers = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {kind}"]
    if cookie:
        headers.append(f"Cookie: amhrdrauth={cookie}")
    body = form.encode()
    headers.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


async def _log_in(host: str, port: int, emails: list[str]) -> list[str]:
    connection = await Connection.open(host, port)
    cookies = []
    for email in emails:
        body = json.dumps({"username": email, "password": "pw", "fingerprint": "bench"})
        raw = _post("/api/login", body, content="json")
        connection.writer.write(raw)
        head = await connection.reader.readuntil(b"\r\n\r\n")
        cookie = head.split(b"amhrdrauth=", 1)[1].split(b";", 1)[0].decode()
        length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        await connection.reader.readexactly(length)
        cookies.append(cookie)
    connection.close()
    return cookies


@dataclass(frozen=True, slots=True, kw_only=True)
class Trial:
    """One throughput run: requests per second, and the server's CPU seconds per request."""

    rate: float
    cpu_per_request: float


async def _throughput(host: str, port: int, pid: int, requests: list[bytes]) -> Trial:
    """Requests per second over WINDOW seconds, CONNECTIONS at once, after WARMUP; and the
    server's CPU time over the same window divided by the requests it answered in it."""
    connections = [await Connection.open(host, port) for _ in requests]
    counted = answered = 0
    start = time.perf_counter()
    measure_from, stop_at = start + WARMUP, start + WARMUP + WINDOW

    async def loop(connection: Connection, raw: bytes) -> None:
        nonlocal counted, answered
        while (now := time.perf_counter()) < stop_at:
            status, _ = await connection.send(raw)
            if status != 200:
                raise RuntimeError(f"HTTP {status} during the throughput run")
            answered += 1
            if now >= measure_from:
                counted += 1

    async def watch() -> tuple[float, int]:
        await asyncio.sleep(measure_from - time.perf_counter())
        cpu, done = cpu_seconds(pid), answered
        await asyncio.sleep(stop_at - time.perf_counter())
        return cpu_seconds(pid) - cpu, answered - done

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(loop(c, raw) for c, raw in zip(connections, requests, strict=True)))
    cpu, done = await watcher
    for connection in connections:
        connection.close()
    return Trial(rate=counted / WINDOW, cpu_per_request=cpu / max(done, 1))


def _mock_command(config: dict[str, Any], folder: Path) -> list[str]:
    path = folder / f"mock-{len(list(folder.iterdir()))}.json"
    path.write_text(json.dumps(config))
    return mock_command(path, seed=SEED)


def _users(count: int) -> list[dict[str, str]]:
    return [{"email": f"bench{n}@example.test", "password": "pw"} for n in range(count)]


def _a_class() -> dict[str, Any]:
    return {"id": 1, "day": DAY, "time": "18:00", "capacity": 100_000}


async def _mock_trial(host: str, port: int, pid: int) -> Trial:
    cookies = await _log_in(host, port, [u["email"] for u in _users(CONNECTIONS)])
    form = f"id=1&day={DAY}&insist=0&familyId="
    return await _throughput(host, port, pid, [_post("/api/book", form, c) for c in cookies])


def measure_throughput(folder: Path) -> tuple[list[Trial], list[Trial]]:
    """Alternating bare and mock runs: (bare trials, mock trials)."""
    bare_trials, mock_trials = [], []
    config = {"users": _users(CONNECTIONS), "classes": [_a_class()]}
    form = f"id=1&day={DAY}&insist=0&familyId="
    for _ in range(TRIALS):
        with _subprocess_server([sys.executable, "-m", "benchmarks.mock_throughput",
                                 "--serve-bare"]) as (host, port, pid):  # fmt: skip
            raw = [_post("/api/book", form, "x") for _ in range(CONNECTIONS)]
            bare_trials.append(asyncio.run(_throughput(host, port, pid, raw)))
        with _subprocess_server(_mock_command(config, folder)) as (host, port, pid):
            mock_trials.append(asyncio.run(_mock_trial(host, port, pid)))
    return bare_trials, mock_trials


async def _latency_rounds(host: str, port: int) -> list[float]:
    cookies = await _log_in(host, port, [u["email"] for u in _users(CONCURRENT)])
    form = f"id=1&day={DAY}&insist=0&familyId="
    requests = [_post("/api/book", form, c) for c in cookies]
    connections = [await Connection.open(host, port) for _ in requests]
    delivered: list[float] = []

    async def timed(connection: Connection, raw: bytes) -> float:
        started = time.perf_counter()
        await connection.send(raw)
        return time.perf_counter() - started

    for _ in range(ROUNDS):
        pairs = zip(connections, requests, strict=True)
        delivered += await asyncio.gather(*(timed(c, raw) for c, raw in pairs))
    for connection in connections:
        connection.close()
    return delivered


def measure_latency(folder: Path) -> tuple[list[float], list[float]]:
    """(delivered, drawn) delays of ROUNDS x CONCURRENT booking requests."""
    service = LogNormal(median=MEDIAN, p99=P99)
    config = {
        "users": _users(CONCURRENT),
        "classes": [_a_class()],
        "latency": {"book": {"service": service.model_dump()}},
    }
    with _subprocess_server(_mock_command(config, folder)) as (host, port, _pid):
        delivered = asyncio.run(_latency_rounds(host, port))
    drawn = Sampler(service, seeded_streams(SEED)[Endpoint.BOOK].service).samples(len(delivered))
    return delivered, drawn


def _pct(measured: float, reference: float) -> str:
    return f"{100 * (measured - reference) / reference:+.1f} %"


def main() -> None:
    """Measure and print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    if parser.parse_args().serve_bare:
        _serve_bare()
        return
    console = Console(width=max(Console().width, 100))
    with tempfile.TemporaryDirectory() as tmp:
        bare, mock = measure_throughput(Path(tmp))
        delivered, drawn = measure_latency(Path(tmp))
    rate = {name: statistics.median(t.rate for t in trials) for name, trials in
            (("bare", bare), ("mock", mock))}  # fmt: skip
    cpu = {name: statistics.median(t.cpu_per_request for t in trials) for name, trials in
           (("bare", bare), ("mock", mock))}  # fmt: skip
    table = Table(title=f"Throughput (req/s), zero latency, {CONNECTIONS} keep-alive connections")
    for column in ("server", *(f"trial {n + 1}" for n in range(TRIALS)), "median",
                   "CPU µs/req"):  # fmt: skip
        table.add_column(column, justify="right", no_wrap=True)
    for label, name, trials in (("bare FastAPI", "bare", bare), ("mock /api/book", "mock", mock)):
        table.add_row(label, *(f"{t.rate:.0f}" for t in trials), f"{rate[name]:.0f}",
                      f"{1e6 * cpu[name]:.0f}")  # fmt: skip
    table.caption = (
        f"ratio mock/bare: {rate['mock'] / rate['bare']:.2f} by median req/s, "
        f"{cpu['bare'] / cpu['mock']:.2f} by server CPU per request (goal >= 0.7)"
    )
    console.print(table)

    configured = {"p50": MEDIAN, "p99": P99}
    latency = Table(
        title=f"Delivered latency, {ROUNDS} x {CONCURRENT} concurrent bookings, "
        f"service lognormal(median {MEDIAN}, p99 {P99})"
    )
    for column in ("quantile", "configured s", "drawn s", "delivered s", "vs configured",
                   "vs drawn"):  # fmt: skip
        latency.add_column(column, justify="right")
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        got, seeded = float(np.quantile(delivered, q)), float(np.quantile(drawn, q))
        latency.add_row(name, f"{configured[name]:.3f}", f"{seeded:.3f}", f"{got:.3f}",
                        _pct(got, configured[name]), _pct(got, seeded))  # fmt: skip
    latency.caption = "drawn: the server's own samples, replayed from the seed; goal: within 5 %"
    console.print(latency)


if __name__ == "__main__":
    main()
