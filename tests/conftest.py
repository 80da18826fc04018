"""The order files are handed to pytest-xdist's workers: the longest first.

``make test`` keeps a file's tests on one worker (``--dist loadfile``) and hands files out in
collection order as workers free up (``--no-loadscope-reorder``: xdist's own reordering puts the
files with the most tests first, which sends the few-but-long ones, the load runs, the reports,
the kills, to the end, where one of them alone kept a worker busy while the other sat idle).
A file that holds a worker for long says so with ``pytestmark = pytest.mark.long(seconds)``;
those start first, longest first (the classic longest-processing-time rule), and the many short
files fill in behind them. Unmarked files keep their alphabetical order.

The session also forks its servers (the mock, served schedulers: ``harness.forks.forking``)
from one interpreter that has imported their web stacks once: the suite starts about 65 of
them, and a fresh interpreter importing a stack costs about 0.45 CPU-s where a fork costs a few
hundredths. Under pytest-xdist the controller starts that fork server for every worker to
share (its imports, 1.1 CPU-s, wait for the first server asked for); alone, the session starts
it at its first server. Tests of a command's own start-up run it as a fresh process themselves.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from harness.forks import fork_server, forking

# What ``python -m mock_aimharder`` and ``python -m scheduler serve`` import before they listen
# (``python -X importtime``): modules only, none starts a thread or a loop when imported.
SERVER_MODULES = ("mock_aimharder", "scheduler")
SERVER_IMPORTS = (
    "uvicorn",
    "uvloop",
    "uvicorn.loops.uvloop",
    "uvicorn.lifespan.on",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "scheduler.cli",
    "scheduler.app",
    "scheduler.aio",
    "scheduler.invoke",
    "scheduler.store",
    "mock_aimharder.model.config",
    "mock_aimharder.server.app",
    "mock_aimharder.server.arrival",
    "mock_aimharder.server.serving",
)


SHARED = "fork_server"  # the workers' input naming the controller's fork server


class WorkerController(Protocol):
    """What is used here of pytest-xdist's ``WorkerController`` (xdist ships no types)."""

    workerinput: dict[str, Any]


class SharedForkServer:
    """pytest-xdist's controller: one fork server for all its workers, started as the first
    worker is set up (no worker, no server), ended when the run ends."""

    def __init__(self) -> None:
        self._running = contextlib.ExitStack()
        self._address: Path | None = None

    def pytest_configure_node(self, node: WorkerController) -> None:
        if self._address is None:
            self._address = self._running.enter_context(fork_server(SERVER_IMPORTS))
        node.workerinput[SHARED] = str(self._address)

    def pytest_unconfigure(self) -> None:
        self._running.close()


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(SharedForkServer(), "shared_fork_server")


@pytest.fixture(scope="session", autouse=True)
def forked_servers(pytestconfig: pytest.Config) -> Iterator[None]:
    shared = getattr(pytestconfig, "workerinput", {}).get(SHARED)
    with forking(
        SERVER_MODULES, preload=SERVER_IMPORTS, shared=None if shared is None else Path(shared)
    ):
        yield


def _long_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("long")
    if marker is None:
        return 0.0
    (seconds,) = marker.args
    if not isinstance(seconds, int | float) or seconds <= 0:
        raise pytest.UsageError(
            f"{item.nodeid}: long({seconds!r}); expected the file's seconds, a positive number"
        )
    return float(seconds)


@pytest.hookimpl(wrapper=True)
def pytest_collection() -> Generator[None, object, object]:
    """Collection imports every test module, and what it leaves lives until the session ends:
    the collector is off meanwhile (each full pass walked the whole growing heap again), then
    all of it is set aside (``gc.freeze``), so that a test's collections walk only what tests
    made. Measured: collection 0.2 CPU-s less a worker; ``tests/sim`` alone, 3.6 s of
    collections down to 2.6."""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.freeze()
        gc.enable()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable: within a file, and among unmarked files, the order stays as collected. Every
    # worker sorts the same items the same way, as xdist requires.
    items.sort(key=lambda item: -_long_seconds(item))
