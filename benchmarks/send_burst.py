"""What one burst of bookings costs each HTTP client, side by side in one run on this machine.

The burst: ``COUNT`` form POSTs at once, each with its own ``Cookie`` header, to an endpoint
that answers each after ``LATENCY`` (uvicorn in a process of its own on 127.0.0.1, plain http
and https with a throwaway certificate made for the run). Each client sends it

- cold: a new client, no connection open (each request opens its own, TLS included);
- warm: the connections already open (a burst of ``/ping`` opened them just before);
- ahead (the scheduler's client only): opened by its own ``open_ahead`` ``AHEAD_START``
  before the burst, as an invocation opens them while the claims are on their way.

and is timed: makespan (first request asked to last answer read) against the latency, and the
sending process's CPU time per request (cold: opening the connections included; ahead: from
the moment they started opening; warm: the burst alone). Python clients run on uvloop, as the
scheduler does, each burst on a new loop; Node's fetch runs in a ``node`` process of its own
and times itself (skipped, with a line, where ``node`` is not on the PATH). Every case runs
``ROUNDS`` times, the rounds alternating the cases (each round starting at another one), so a
machine whose load changes meanwhile weighs on all alike; the tables give medians.

Run from the top folder: .venv/bin/python -m benchmarks.send_burst
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import uvloop
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from harness.certificates import make_certificates
from harness.children import child
from scheduler.client import AimHarderClient
from scheduler.connections import Connections
from scheduler.core.domain import Prebooking, PrebookingId, Session, UserId

COUNT = 50
LATENCY = 0.2
ROUNDS = 7
AHEAD_START = 0.05  # what the claims of 50 take on this machine (benchmarks.scheduler_makespan)
TIMEOUT = 30.0  # seconds: no request of a burst waits longer
BOOK = "/api/book?box=7"
FORM = b"id=4242&day=20261130&insist=0&familyId="
FORM_HEADERS = {"content-type": "application/x-www-form-urlencoded"}
LISTENING = re.compile(r"listening on (https?://[0-9.]+:[0-9]+)")
NODE_SCRIPT = Path(__file__).with_name("burst_fetch.mjs")


@dataclass(frozen=True, slots=True)
class Measured:
    makespan: float  # seconds
    cpu: float  # seconds per request


Burst = Callable[[str, str, ssl.SSLContext], Awaitable[Measured]]


def _cookie(i: int) -> str:
    return f"amhrdrauth=athlete{i}"


async def _timed(send: Callable[[int], Awaitable[object]], *, cpu_from: float) -> Measured:
    started = time.perf_counter()
    await asyncio.gather(*(send(i) for i in range(COUNT)))
    makespan = time.perf_counter() - started
    return Measured(makespan=makespan, cpu=(time.process_time() - cpu_from) / COUNT)


async def stock_httpx(base: str, mode: str, tls: ssl.SSLContext) -> Measured:
    """httpx as it comes (keep-alive for the whole burst, so that warm means warm)."""
    limits = httpx.Limits(max_keepalive_connections=COUNT)
    async with httpx.AsyncClient(verify=tls, limits=limits, timeout=TIMEOUT) as http:
        if mode == "warm":
            await asyncio.gather(*(http.get(base + "/ping") for _ in range(COUNT)))

        async def send(i: int) -> object:
            headers = {**FORM_HEADERS, "cookie": _cookie(i)}
            answer = await http.post(base + BOOK, content=FORM, headers=headers)
            return answer.json()

        return await _timed(send, cpu_from=time.process_time())


async def stock_aiohttp(base: str, mode: str, tls: ssl.SSLContext) -> Measured:
    """aiohttp as it comes."""
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    connector = aiohttp.TCPConnector(ssl=tls)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        if mode == "warm":

            async def ping() -> None:
                async with http.get(base + "/ping") as answer:
                    await answer.read()

            await asyncio.gather(*(ping() for _ in range(COUNT)))

        async def send(i: int) -> object:
            headers = {**FORM_HEADERS, "cookie": _cookie(i)}
            async with http.post(base + BOOK, data=FORM, headers=headers) as answer:
                return await answer.json()

        return await _timed(send, cpu_from=time.process_time())


def _prebooking(i: int) -> Prebooking:
    return Prebooking(
        id=PrebookingId(f"pb-{i}"),
        user=UserId(f"athlete{i}"),
        class_id=4242,
        day="20261130",
        box=7,
        available_at=0.0,
        created_at=0.0,
    )


async def scheduler_client(base: str, mode: str, tls: ssl.SSLContext) -> Measured:
    """The scheduler's own client, set up as an invocation sets it up (``scheduler.invoke``)."""
    async with Connections(base, tls=tls) as connections:
        client = AimHarderClient(connections, base_url=base)
        cpu_from = time.process_time()
        if mode == "warm":
            ping = functools.partial(
                connections.send, "GET", base + "/ping", body=None, headers={}, timeout=TIMEOUT
            )
            await asyncio.gather(*(ping() for _ in range(COUNT)))
            cpu_from = time.process_time()
        elif mode == "ahead":
            connections.open_ahead(COUNT, timeout=TIMEOUT)
            await asyncio.sleep(AHEAD_START)

        async def send(i: int) -> object:
            session = Session(user=UserId(f"athlete{i}"), cookies={"amhrdrauth": f"athlete{i}"})
            return await client.book(_prebooking(i), session, timeout=TIMEOUT)

        return await _timed(send, cpu_from=cpu_from)


def node_fetch(node: str, ca: Path) -> Callable[..., Measured]:
    """Node's fetch in a process of its own, which times its own burst."""

    def burst(base: str, *, mode: str) -> Measured:
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca)}
        done = subprocess.run(  # noqa: S603  (our node script, our arguments)
            [node, str(NODE_SCRIPT), base, str(COUNT), mode],
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT * 2,
            check=True,
        )
        measured = json.loads(done.stdout)
        return Measured(makespan=measured["makespan"], cpu=measured["cpu"] / COUNT)

    return burst


PYTHON_CASES: tuple[tuple[str, str, Burst], ...] = (
    ("httpx (stock)", "cold", stock_httpx),
    ("httpx (stock)", "warm", stock_httpx),
    ("aiohttp (stock)", "cold", stock_aiohttp),
    ("aiohttp (stock)", "warm", stock_aiohttp),
    ("scheduler's client", "cold", scheduler_client),
    ("scheduler's client", "ahead", scheduler_client),
    ("scheduler's client", "warm", scheduler_client),
)


def _run_python(burst: Burst, base: str, *, mode: str, tls: ssl.SSLContext) -> Measured:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(asyncio.wait_for(burst(base, mode, tls), TIMEOUT * 2))


def measure(
    bases: dict[str, str], tls: ssl.SSLContext, node: Callable[..., Measured] | None
) -> dict[tuple[str, str, str], list[Measured]]:
    """Every case ``ROUNDS`` times over each scheme, alternated: (scheme, client, mode) ->
    what each run measured."""
    cases: list[tuple[str, str, Callable[[str], Measured]]] = [
        (name, mode, functools.partial(_run_python, burst, mode=mode, tls=tls))
        for name, mode, burst in PYTHON_CASES
    ]
    if node is not None:
        cases += [
            ("Node fetch", mode, functools.partial(node, mode=mode)) for mode in ("cold", "warm")
        ]
    results: dict[tuple[str, str, str], list[Measured]] = {}
    runs = [(scheme, case) for scheme in bases for case in cases]
    with Progress(transient=True) as progress:
        task = progress.add_task("bursts", total=ROUNDS * len(runs))
        for round_ in range(ROUNDS):
            start = round_ % len(runs)
            for scheme, (name, mode, run) in runs[start:] + runs[:start]:
                key = (scheme, name, mode)
                results.setdefault(key, []).append(run(bases[scheme]))
                progress.advance(task)
    return results


def table(scheme: str, results: dict[tuple[str, str, str], list[Measured]]) -> Table:
    title = f"{COUNT} form POSTs at once over {scheme}, {LATENCY * 1000:.0f} ms each "
    title += f"(median of {ROUNDS} rounds)"
    out = Table(title=title)
    for column in ("client", "connections", "makespan (ms)", "/ latency", "CPU/request (ms)"):
        out.add_column(column)
    for (measured_scheme, name, mode), runs in results.items():
        if measured_scheme != scheme:
            continue
        makespan = statistics.median(run.makespan for run in runs)
        cpu = statistics.median(run.cpu for run in runs)
        out.add_row(
            name, mode, f"{makespan * 1000:.1f}", f"{makespan / LATENCY:.3f}", f"{cpu * 1000:.3f}"
        )
    return out


def main() -> None:
    console = Console(width=110)
    console.print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    node_path = shutil.which("node")
    if node_path is None:
        console.print("Node's fetch: skipped (no `node` on the PATH)")
    with tempfile.TemporaryDirectory(prefix="send-burst-") as tmp:
        certificates = make_certificates(Path(tmp))
        endpoint = [sys.executable, "-m", "benchmarks.burst_endpoint", "--latency", str(LATENCY)]
        tls_files = ["--certfile", str(certificates.certificate)]
        tls_files += ["--keyfile", str(certificates.key)]
        with (
            child("burst-http", endpoint, listening=LISTENING) as plain,
            child("burst-https", [*endpoint, *tls_files], listening=LISTENING) as secured,
        ):
            node = None if node_path is None else node_fetch(node_path, certificates.authority)
            bases = {"http": plain.url, "https": secured.url}
            results = measure(bases, certificates.client_context(), node)
    for scheme in ("http", "https"):
        console.print(table(scheme, results))
    console.print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
