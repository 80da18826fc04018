"""Where an experiment's replications run, named on the command line by ``--executor``:

- ``process`` (the default): a process per core of this machine;
- ``inline``: this process, one replication after another (profiling, debugging);
- ``dask://HOST:PORT``: the workers of a dask.distributed cluster, through the concurrent.futures
  executor its client offers (``Client.get_executor``).

A replication is a pure function of (scenario, strategy, load, replication) whose random streams
derive from those alone (``sim.model.streams``), and results come back in the order of the tasks, so
the data are the same byte for byte whichever executor ran them: only the time differs.
Each executor tells how many replications it runs at once (``parallelism``): the tasks are cut
into chunks from it, and a cluster has more cores than this machine.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import ParamSpec, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit

from commandline.conventions import add_processes
from commandline.suggestions import unknown
from scheduler.core.errors import ConfigurationError
from sim.experiments.workers import worker_pool

__all__ = [
    "CONNECT_TIMEOUT",
    "EXECUTORS",
    "MAX_WORKERS",
    "Inline",
    "Parallel",
    "add_executor_arguments",
    "check_executor",
    "open_executor",
    "parallelism",
]

EXECUTORS = ("process", "inline", "dask://HOST:PORT")
CONNECT_TIMEOUT = 10.0  # seconds to reach a dask scheduler before giving up
MAX_WORKERS = 64  # processes on one machine: a bound on what one command may start

P = ParamSpec("P")
T = TypeVar("T")


@runtime_checkable
class Parallel(Protocol):
    """An executor that knows how many tasks it runs at once."""

    @property
    def parallelism(self) -> int: ...


def parallelism(executor: Executor | None) -> int:
    """How many tasks ``executor`` runs at once; this machine's cores when it does not say."""
    if isinstance(executor, Parallel):
        return executor.parallelism
    return os.cpu_count() or 1


class Inline(Executor):
    """Runs each task when it is submitted, in this process: no pickling, one stack to profile."""

    parallelism = 1

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # the caller's future.result() raises it, as any executor's
            future.set_exception(exc)
        return future


class _Cluster(Executor):
    """dask.distributed's executor for a client, with the cluster's thread count; closing it
    closes the client (the cluster keeps running)."""

    def __init__(self, address: str) -> None:
        # Imported only when a cluster is asked for: it costs every process (workers too) 0.4 s.
        from distributed import Client  # noqa: PLC0415

        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ConfigurationError(
                f"--executor dask://{address.removeprefix('tcp://')}: no dask scheduler "
                f"answered within {CONNECT_TIMEOUT:g} s ({str(exc).splitlines()[0]})"
            ) from None
        except Exception as exc:
            # A server that is not dask answers the handshake with bytes dask decodes as its
            # frames: what that raises depends on the bytes (an HTTP answer's "HTTP/1.1" read as
            # a frame length: "Unable to allocate 3.07 EiB", a MemoryError; struct.error; ...).
            # Any of them at connection time means the same thing (issue 22, item 7).
            raise ConfigurationError(
                f"--executor dask://{address.removeprefix('tcp://')}: the server there is not a "
                f"dask scheduler ({type(exc).__name__}); expected a dask scheduler's address"
            ) from None
        # pure=False: a replication's arguments are not hashed into a key (they are not
        # repeated, and hashing a scenario costs more than sending it).
        self._executor: Executor = self._client.get_executor(pure=False)
        self.parallelism = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)
        self._client.close()


def _dask_address(spec: str) -> str | None:
    """``tcp://HOST:PORT`` for ``dask://HOST:PORT``; None when ``spec`` is not one."""
    parts = urlsplit(spec)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "dask" or not parts.hostname or port is None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return f"tcp://{parts.netloc}"


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """``--executor`` and ``--processes``, the same for every command that runs replications."""
    parser.add_argument(
        "--executor",
        default="process",
        help="process (all cores, the default), inline, or dask://HOST:PORT (a dask scheduler)",
    )
    add_processes(parser)


def check_executor(spec: str, *, processes: int) -> None:
    """Refuses an executor that is none of ``EXECUTORS``, or a bad process count, naming it."""
    if spec not in ("process", "inline") and _dask_address(spec) is None:
        raise ConfigurationError(unknown(spec, EXECUTORS, what="--executor"))
    if not 1 <= processes <= MAX_WORKERS:
        raise ConfigurationError(
            f"--processes {processes}; expected a whole number from 1 to {MAX_WORKERS}"
        )


@contextmanager
def open_executor(spec: str, *, processes: int, niceness: int = 0) -> Iterator[Executor]:
    """The executor ``spec`` names (``processes``: the pool of ``process``, ``niceness`` added
    to its workers'), shut down after."""
    check_executor(spec, processes=processes)
    address = _dask_address(spec)
    executor: Executor
    if spec == "inline":
        executor = Inline()
    elif address is None:
        executor = worker_pool(processes, niceness=niceness)
    else:
        executor = _Cluster(address)
    with executor:
        yield executor
