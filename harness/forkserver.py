"""The fork server: ``python -m harness.forkserver FD LISTENING MODULE...`` imports each
``MODULE`` once (before its first child), and forks a child for every request read from the
socket ``FD`` (or from a connection to the listening socket ``LISTENING``, where other
processes share the server) and runs the module asked for in it, as ``python -m`` would have in
a fresh interpreter.

A fresh interpreter importing the mock's or a served scheduler's web stack costs about 0.45
CPU-s; a fork of one that has imported it already costs a few hundredths. The server imports
modules only: it starts no thread and no event loop, so a child inherits no running state.

A request is one message (``harness.forks`` sends it): JSON with the module, its arguments,
the whole environment and the working directory, carrying two descriptors, the log the child
writes its stdout and stderr to, and a socket of the child's own. Two answers come on that
socket: the child's ``pid N`` once it is ready to run the module, then the server's ``exit N``
once it has reaped it (``N`` negative: ended by signal ``-N``). The child leads a session of
its own (so a group signal reaches whatever it starts), as ``subprocess.Popen`` with
``start_new_session=True`` makes it. The server ends when the other end of ``FD`` closes:
whoever started it is gone. Standard library only.
"""

from __future__ import annotations

import gc
import json
import os
import runpy
import selectors
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module

__all__ = ["REQUEST_BYTES", "Request", "main", "serve"]

REQUEST_BYTES = 1 << 20  # a request's JSON at most: the environment is most of it


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """What one child runs: ``python -m module *args`` in ``cwd`` with exactly ``env``."""

    module: str
    args: list[str]
    env: dict[str, str]
    cwd: str


def serve(
    lifeline: socket.socket, listening: socket.socket | None, preload: Sequence[str]
) -> Request | None:
    """Forks a child per request, read from ``lifeline`` or from any connection accepted on
    ``listening``, until ``lifeline`` closes (then ``None``); returns only in a child, with its
    request, its descriptors already in place. ``preload`` is imported before the first fork,
    not before: a server started ahead (pytest-xdist's, while its workers collect) costs nothing
    until a child is asked for, and nothing at all if none is."""
    unloaded = list(preload)
    waiting = selectors.DefaultSelector()
    askers = {lifeline}  # the connections requests come on
    waiting.register(lifeline, selectors.EVENT_READ)
    if listening is not None:
        waiting.register(listening, selectors.EVENT_READ)
    running: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, the answer's socket)
    while True:
        for key, _ in waiting.select():
            if key.fileobj is listening:
                connection, _ = listening.accept()
                askers.add(connection)
                waiting.register(connection, selectors.EVENT_READ)
            elif key.fileobj in askers:
                asking = key.fileobj
                message, fds, _, _ = socket.recv_fds(asking, REQUEST_BYTES, 2)
                if not message:
                    if asking is lifeline:
                        return None
                    waiting.unregister(asking)
                    askers.remove(asking)
                    asking.close()
                    continue
                log, answer = fds[0], socket.socket(fileno=fds[1])
                if unloaded:
                    _load(unloaded)
                    unloaded.clear()
                pid = os.fork()
                if pid == 0:  # the child: nothing of the server's stays open in it
                    for pidfd, (_, answering) in running.items():
                        os.close(pidfd)
                        answering.close()
                    waiting.close()
                    for connection in (*askers, *([listening] if listening else [])):
                        connection.close()
                    return _enter(Request(**json.loads(message)), log, answer)
                os.close(log)
                pidfd = os.pidfd_open(pid)
                running[pidfd] = (pid, answer)
                waiting.register(pidfd, selectors.EVENT_READ)
            else:  # a child ended: its pidfd became readable
                pidfd = key.fd
                waiting.unregister(pidfd)
                os.close(pidfd)
                pid, answering = running.pop(pidfd)
                _, status = os.waitpid(pid, 0)
                with answering:
                    answering.sendall(f"exit {os.waitstatus_to_exitcode(status)}".encode())


def _load(modules: Sequence[str]) -> None:
    """Imports ``modules``, then sets what they left out of the collector's sight: a child's
    collections neither walk these objects again nor write to their pages, which the fork
    shares until written (the ``gc.freeze`` documentation's advice for a process that forks
    without exec)."""
    gc.disable()  # what the imports leave is kept for good: no collection needed meanwhile
    for module in modules:
        import_module(module)
    gc.freeze()
    gc.enable()


def _enter(request: Request, log: int, answer: socket.socket) -> Request:
    """The child's side of the fork: its session, standard streams, directory, environment and
    signal handlers as a fresh ``python -m`` started by ``Popen`` would have them; then it
    answers with its pid, as ``Popen`` returns once the child has run its ``exec``: a signal to
    its group from then on reaches it."""
    os.setsid()
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignored Ctrl-C
    with answer:
        answer.sendall(f"pid {os.getpid()}".encode())
    return request


def main(argv: Sequence[str]) -> None:
    """``FD LISTENING MODULE...``: imports each ``MODULE``, serves requests from the socket
    ``FD`` and from connections to the listening socket ``LISTENING`` (``-``: none), and in each
    child runs the module asked for; its exit is the child's, as with ``python -m``."""
    # Ctrl-C at a terminal reaches the whole foreground group; the asker stops its children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lifeline, listening, *preload = argv
    request = serve(
        socket.socket(fileno=int(lifeline)),
        None if listening == "-" else socket.socket(fileno=int(listening)),
        preload,
    )
    if request is None:
        return
    sys.argv = [request.module, *request.args]  # runpy puts the module's file first
    sys.path[0] = request.cwd  # as ``python -m`` puts its working directory first
    runpy.run_module(request.module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
