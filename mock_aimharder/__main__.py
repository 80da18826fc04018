"""``python -m mock_aimharder``: serve the mock AimHarder until interrupted.

Prints one line ``mock_aimharder listening on http://HOST:PORT`` once it is up (with
``--port 0`` that is how a parent process learns the port), then serves in the foreground.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import uvicorn

from commandline.conventions import add_verbosity, new_parser, port, seed, verbosity
from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.errors import MockConfigError, ServingError
from mock_aimharder.server.app import create_app
from mock_aimharder.server.arrival import http_protocol
from mock_aimharder.server.serving import bind_socket

__all__ = ["main"]

_LOUDNESS = {-1: "error", 0: "warning", 1: "info"}


def _parser() -> argparse.ArgumentParser:
    parser = new_parser("python -m mock_aimharder", "A mock AimHarder booking server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port, default=8000, help="port (0: any free port)")
    parser.add_argument(
        "--config", help="a .toml or .json MockConfig file (default: one box, no classes)"
    )
    parser.add_argument("--seed", type=seed, default=0, help="seed of every latency/fault draw")
    parser.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug", "trace"],
        help="uvicorn's log level (default: warning; -v info, -vv debug, -q error)",
    )
    add_verbosity(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, load the configuration, serve; 2 on a bad configuration or port."""
    args = _parser().parse_args(argv)
    try:
        config = MockConfig.from_file(args.config, now=time.time()) if args.config else MockConfig()
        sock = bind_socket(args.host, args.port)
    except (MockConfigError, ServingError) as exc:
        print(f"mock_aimharder: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, seed=args.seed),
            log_level=args.log_level or _LOUDNESS.get(verbosity(args), "debug"),
            access_log=False,
            ws="none",
            http=http_protocol(),
            timeout_graceful_shutdown=1,
        )
    )
    sock.listen(2048)  # connections made from now on wait in the backlog until uvicorn accepts
    print(f"mock_aimharder listening on http://{args.host}:{port}", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
