"""One TLS context for every HTTP client the harness and its tests make in a process.

httpx builds a TLS context for each client it makes (``httpx.post`` makes one per call), and
loading the CA bundle into it is most of the cost: about 30 ms of CPU each, here, for calls that
go over plain HTTP to a server on 127.0.0.1 and never use it. A load run or a test that calls
the cron or the mock's admin API a few dozen times spent a second on it. The context is
read-only configuration, so sharing it shares no state between calls.
"""

from __future__ import annotations

import functools
import ssl

__all__ = ["shared_tls"]


@functools.cache
def shared_tls() -> ssl.SSLContext:
    """The default context (the system's authorities), made once per process: pass it as
    httpx's ``verify``."""
    return ssl.create_default_context()
