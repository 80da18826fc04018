"""``python -m mock_aimharder``: serve the mock AimHarder until interrupted.

Prints one line ``mock_aimharder listening on http://HOST:PORT`` once it is up (with
``--port 0`` that is how a parent process learns the port), then serves in the foreground.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from commandline.conventions import add_verbosity, new_parser, port, seed, verbosity
from commandline.suggestions import one_of, plainly
from mock_aimharder.model.errors import MockConfigError, ServingError

__all__ = ["main"]

_LOUDNESS = {-1: "error", 0: "warning", 1: "info"}


PROG = "python -m mock_aimharder"

DESCRIPTION = """\
A mock AimHarder: the booking API the scheduler calls (login, classes,
bookings), with a gym from a config file, seeded latencies and faults, and
an admin API that shows its journal, the order it processed every booking."""

LOG_LEVELS = ["critical", "error", "warning", "info", "debug", "trace"]


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = new_parser(
        prog,
        DESCRIPTION,
        epilog=f"example:\n  {prog} --port 8000 --config examples/gym.toml --seed 1",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port, default=8000, help="TCP port (0: any free port)")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="a .toml or .json gym file, every field in mock_aimharder/API.md (default: one "
        "box, no classes)",
    )
    parser.add_argument(
        "--seed", type=seed, default=0, metavar="N", help="seed of every latency and fault draw"
    )
    parser.add_argument(
        "--log-level",
        type=one_of(LOG_LEVELS),
        metavar="LEVEL",
        help=f"uvicorn's log level: {plainly(LOG_LEVELS)} (default: warning; -v info, -vv "
        "debug, -q error)",
    )
    add_verbosity(parser)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """Parse ``argv``, load the configuration, serve; 2 on a bad configuration or port.
    ``prog``: the command as typed, for usage and errors."""
    args = _parser(prog).parse_args(argv)
    # Imported once the arguments are read: the web framework, the server and the config's
    # models are most of the start-up, which --help or a refused flag does not need.
    import uvicorn

    from mock_aimharder.model.config import MockConfig
    from mock_aimharder.server.app import create_app
    from mock_aimharder.server.arrival import http_protocol
    from mock_aimharder.server.serving import bind_socket

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
