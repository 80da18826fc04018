"""``python -m scheduler``: serve the cron endpoint, invoke once, add prebookings, show status.

Every command takes ``--db`` (else ``DATABASE_URL``, else a local SQLite file); ``login``,
``invoke`` and ``serve`` take ``--aimharder-url`` (else ``AIMHARDER_URL``, else the mock on
127.0.0.1:8000). Only ``invoke`` and ``serve`` fire prebookings, so only they take
``--strategy`` and each policy parameter as a flag (``--gap 50ms``, ``--max-in-flight 1``,
``--barrier`` ...), generated from ``PolicyConfig``. Durations read as locust's: ``90``,
``90s``, ``1m30s``, ``500ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn
from rich.console import Console

from commandline.conventions import (
    INTERRUPTED,
    add_command,
    add_json,
    add_verbosity,
    log_level,
    new_parser,
    port,
    verbosity,
)
from commandline.durations import duration
from scheduler.aio import run
from scheduler.app import create_app
from scheduler.client import AimHarderClient
from scheduler.connections import Connections
from scheduler.core.domain import Session, UserId
from scheduler.core.errors import ConfigurationError, SchedulerError, TransportError
from scheduler.core.strategies import PRESETS, PolicyConfig, strategy, strategy_names
from scheduler.importing import read_prebooking_file
from scheduler.invoke import invoke
from scheduler.overview import print_status, status_json
from scheduler.settings import (
    DEFAULT_AIMHARDER_URL,
    DEFAULT_MAX_DURATION,
    DEFAULT_STRATEGY,
    Settings,
    strategy_name,
)
from scheduler.store import DEFAULT_DATABASE_URL, open_store
from scheduler.store.urls import require_existing

__all__ = ["main"]


def _optional_int(text: str) -> int | None:
    return None if text.lower() == "none" else int(text)


# How each PolicyConfig annotation reads from the command line (durations as locust writes them).
_PARSERS: dict[str, Callable[[str], Any]] = {
    "int | None": _optional_int,
    "int": int,
    "Seconds": duration,
    "float": float,
}
# What each policy parameter means, with its unit (``PolicyConfig`` documents the why).
_MEANINGS = {
    "max_in_flight": "most requests in flight at once (a number, or none for no cap)",
    "gap": "least time between two consecutive sends (seconds, or 50ms, 1s)",
    "batch_size": "send in batches of this many (none: no batches)",
    "barrier": "a batch waits until the previous one has answered entirely",
    "pause": "wait after each batch (seconds, or 100ms)",
    "budget": "the guard's time budget of one invocation (seconds; at most --max-duration)",
    "buffer": "every request must have answered this long before the budget ends (seconds)",
    "margin": "no send starts with less than this left before budget - buffer (seconds)",
    "limit": "prebookings one invocation looks at",
    "max_attempts": "attempts per prebooking, first one included, for transient failures",
    "retry_delay": "wait before the first retry (seconds, or 200ms)",
    "retry_backoff": "factor the wait grows by at each retry (>= 1)",
    "lease_slack": "a claim is held budget + this long, then taken up again (seconds)",
    "settle_horizon": (
        "a request never answered may land this long after it was sent; until then a later"
        " refusal leaves the prebooking unknown (seconds)"
    ),
    "adaptive": "choose the cap and the gap again at every send from the queue and time left",
    "expected_duration": "a send's duration assumed before any has answered (seconds)",
    "expected_spread": "the least spread of send durations assumed (seconds)",
}
POLICY_FIELDS = [f for f in dataclasses.fields(PolicyConfig) if f.name != "name"]


def _preset_defaults(name: str) -> str:
    """A parameter's default in each preset: one value when they agree."""
    values = {preset: getattr(config, name) for preset, config in sorted(PRESETS.items())}
    shown = {preset: "none" if v is None else str(v) for preset, v in values.items()}
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return "by strategy: " + ", ".join(f"{preset} {v}" for preset, v in shown.items())


def _where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        help=f"SQLite path or database URL (default: $DATABASE_URL, else {DEFAULT_DATABASE_URL})",
    )
    add_verbosity(parser)


def _policy(parser: argparse.ArgumentParser) -> None:
    """The flags that act on an invocation: the strategy, the limit and each policy parameter."""
    parser.add_argument(
        "--aimharder-url",
        help=f"AimHarder base URL (default: $AIMHARDER_URL, else {DEFAULT_AIMHARDER_URL})",
    )
    parser.add_argument(
        "--history",
        metavar="FILE",
        help="append what each invocation sends to AimHarder and hears back to FILE (JSON "
        "lines; default: $SCHEDULER_HISTORY, else none)",
    )
    policy = parser.add_argument_group(
        "policy", "how an invocation fires its prebookings; unset: the strategy's preset"
    )
    policy.add_argument(
        "--strategy",
        metavar="NAME",
        help=f"the preset to start from: one of {', '.join(strategy_names())} (default: "
        f"$SCHEDULER_STRATEGY, else {DEFAULT_STRATEGY}, the default report's answer)",
    )
    policy.add_argument(
        "--max-duration",
        type=duration,
        metavar="DURATION",
        help=f"the platform's hard limit per invocation (seconds; default: "
        f"{DEFAULT_MAX_DURATION:g}); also the budget unless --budget is given",
    )
    for field in POLICY_FIELDS:
        flag = "--" + field.name.replace("_", "-")
        meaning = _MEANINGS[field.name]
        metavar = "DURATION" if str(field.type) == "Seconds" else "N"
        if field.name == "budget":
            policy.add_argument(
                flag, type=duration, metavar=metavar, help=f"{meaning} (default: --max-duration)"
            )
        elif str(field.type) == "bool":
            policy.add_argument(
                flag,
                action=argparse.BooleanOptionalAction,
                help=f"{meaning} (default: {_preset_defaults(field.name)})",
            )
        else:
            policy.add_argument(
                flag,
                type=_PARSERS[str(field.type)],
                metavar=metavar,
                help=f"{meaning} (default: {_preset_defaults(field.name)})",
            )


def _parser() -> argparse.ArgumentParser:
    parser = new_parser("python -m scheduler", __doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = add_command(commands, "serve", help="run the cron endpoint (needs CRON_SECRET)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=port, default=8080, help="port (0: any free port)")
    _policy(serve)
    invoke_ = add_command(commands, "invoke", help="one invocation now; a summary, or its answer")
    add_json(invoke_, "the cron endpoint's answer")
    _policy(invoke_)
    add = add_command(commands, "add", help="enqueue prebookings from a JSON or CSV file")
    add.add_argument("file", help="path, or - for standard input")
    add.add_argument("--format", choices=["json", "csv"], help="default: by the file's suffix")
    status = add_command(commands, "status", help="prebookings by status, oldest first")
    status.add_argument("--rows", type=int, default=20, help="how many prebookings to list")
    add_json(status, "the counts and the listed prebookings")
    login = add_command(commands, "login", help="log a user in and store the session")
    login.add_argument("--user", required=True, help="the AimHarder account (an e-mail)")
    login.add_argument("--password", required=True, help="its password")
    login.add_argument(
        "--aimharder-url",
        help=f"AimHarder base URL (default: $AIMHARDER_URL, else {DEFAULT_AIMHARDER_URL})",
    )
    for command in commands.choices.values():
        _where(command)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings ``args`` ask for; commands without policy flags get the default policy."""
    overrides = {f.name: getattr(args, f.name, None) for f in POLICY_FIELDS}
    max_duration = getattr(args, "max_duration", None)
    limit = DEFAULT_MAX_DURATION if max_duration is None else max_duration
    given = {k: v for k, v in overrides.items() if v is not None}
    name = getattr(args, "strategy", None) or strategy_name()
    policy = strategy(name, max_duration=limit, **given)
    return Settings.from_environment(
        database_url=args.db,
        aimharder_url=getattr(args, "aimharder_url", None),
        policy=policy,
        max_duration=limit,
        history=getattr(args, "history", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=log_level(args), format="%(levelname)s %(name)s: %(message)s")
    console = Console(stderr=True, soft_wrap=True)
    try:
        settings = settings_from(args)
        return _run(args, settings)
    except SchedulerError as exc:
        console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        return 2
    except KeyboardInterrupt:
        return INTERRUPTED


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        loudness = {-1: "warning", 0: "info"}.get(verbosity(args), "debug")
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=loudness)
        return 0
    if args.command == "add":  # the whole file is read and checked before the store is opened
        news = read_prebooking_file(args.file, fmt=args.format, now=time.time())
        with open_store(settings.database_url) as store:
            print(f"added {len(store.add(news))} prebookings")
        return 0
    if args.command == "status":
        require_existing(settings.database_url)
    with open_store(settings.database_url) as store:
        if args.command == "invoke":
            answer = run(invoke(settings, store))
            if args.json:
                print(json.dumps(answer.body, indent=2))
            else:
                _print_answer(answer.status, answer.body)
            return 0 if answer.status == 200 else 1
        if args.command == "login":
            session = asyncio.run(_login(settings, UserId(args.user), args.password))
            store.save_session(session, time.time())
            print(f"session stored for {args.user}")
            return 0
        counts, rows = store.counts(), store.list()[: args.rows]
        if args.json:
            print(json.dumps(status_json(counts, rows), indent=2))
        else:
            print_status(Console(), counts, rows)
        return 0


async def _login(settings: Settings, user: UserId, password: str) -> Session:
    async with Connections(settings.aimharder_url) as connections:
        try:
            return await AimHarderClient(connections, base_url=settings.aimharder_url).login(
                user, password
            )
        except TransportError as exc:
            raise ConfigurationError(
                f"AimHarder at {settings.aimharder_url} did not answer: {exc}; expected it "
                "reachable there (--aimharder-url or AIMHARDER_URL)"
            ) from None


def _print_answer(status: int, body: dict[str, Any]) -> None:
    """The answer in one or two lines: its message, then the counts that are not zero."""
    counts = body.get("results", {})
    shown = ", ".join(f"{n} {name}" for name, n in counts.items() if name != "total" and n)
    took = body.get("executionTimeMs")
    print(f"{status}: {body.get('message', '')}" + (f" in {took} ms" if took is not None else ""))
    if shown:
        print(f"  {shown}")
