"""The endpoint the send burst benchmark sends to: every POST answered after a fixed latency.

A bare ASGI application under uvicorn, in a process of its own (in a thread of the measuring
process its work would count as the client's CPU and latency). ``/ping`` answers at once: it
opens connections before a warm burst. Every other path waits ``--latency`` seconds, then
answers a booking's JSON. It listens on 127.0.0.1 only, on a port the OS picks, over TLS when
given a certificate, and says where on its first line.

Run: python -m benchmarks.burst_endpoint --latency 0.2 [--certfile F --keyfile F]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

HOST = "127.0.0.1"
ANSWER = b'{"bookState":1,"id":"r1","errorMssg":"","errorMssgLang":""}'
Message = MutableMapping[str, Any]


def endpoint(latency: float) -> Callable[..., Awaitable[None]]:
    async def app(
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:  # the whole form, as a server reads it before it answers
            more = (await receive()).get("more_body", False)
        if scope["path"] != "/ping":
            await asyncio.sleep(latency)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(ANSWER))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": ANSWER})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per POST")
    parser.add_argument("--certfile", help="PEM certificate: serve https")
    parser.add_argument("--keyfile", help="PEM private key of --certfile")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    scheme = "https" if args.certfile else "http"
    print(f"listening on {scheme}://{HOST}:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        endpoint(args.latency),
        lifespan="off",
        log_level="warning",
        access_log=False,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        backlog=512,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
