"""``python -m scheduler``: make the store, serve the cron endpoint, invoke once, add
prebookings, show status.

``init`` makes the store; ``status``, ``invoke`` and ``serve`` refuse a SQLite file that is not
there (a mistyped path would start an empty store beside the real one), ``invoke`` and
``serve`` unless given ``--create``; ``login`` and ``add`` write, so they make it. Every
command takes ``--db`` (else ``DATABASE_URL``, else a local SQLite file); ``login``,
``invoke`` and ``serve`` take ``--aimharder-url`` (else ``AIMHARDER_URL``, else the mock on
127.0.0.1:8000). Only ``invoke`` and ``serve`` fire prebookings, so only they take
``--strategy`` and each policy parameter as a flag (``--gap 50ms``, ``--max-in-flight 1``,
``--barrier`` ...), generated from ``PolicyConfig``. Durations read as locust's: ``90``,
``90s``, ``1m30s``, ``500ms``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from commandline.conventions import (
    INTERRUPTED,
    add_command,
    add_commands,
    add_json,
    add_verbosity,
    log_level,
    new_parser,
    port,
    verbosity,
    whole_number,
)
from commandline.durations import duration
from commandline.suggestions import one_of, plainly
from scheduler.core.domain import Session, UserId
from scheduler.core.errors import ConfigurationError, SchedulerError, TransportError
from scheduler.core.strategies import PRESETS, PolicyConfig, strategy, strategy_names
from scheduler.settings import (
    CRON_PATH,
    DEFAULT_AIMHARDER_URL,
    DEFAULT_MAX_DURATION,
    DEFAULT_STRATEGY,
    ENVIRONMENT,
    Settings,
    strategy_name,
)
from scheduler.store import DEFAULT_DATABASE_URL

if TYPE_CHECKING:
    from scheduler.store import Store

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


def _preset_defaults(name: str, unit: str = "") -> str:
    """A parameter's default in each preset (with ``unit``): one value when they agree."""
    values = {preset: getattr(config, name) for preset, config in sorted(PRESETS.items())}
    shown = {
        preset: "none" if v is None else f"{v:g}{unit}" if unit else str(v)
        for preset, v in values.items()
    }
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return "by strategy: " + ", ".join(f"{preset} {v}" for preset, v in shown.items())


PROG = "python -m scheduler"
STATUS_ROWS = range(10_001)  # prebookings `status` lists: a screenful to a full export

DESCRIPTION = """\
The real scheduler: it keeps prebookings in a store (a SQLite file, or
PostgreSQL for several instances) and, at each cron call, books on AimHarder
those whose booking window has opened, with the strategy you choose."""

# Which variables each command reads (``ENVIRONMENT`` says what each sets).
_READS = {
    "init": ["DATABASE_URL"],
    "login": ["DATABASE_URL", "AIMHARDER_URL"],
    "add": ["DATABASE_URL"],
    "status": ["DATABASE_URL"],
    "invoke": ["DATABASE_URL", "AIMHARDER_URL", "SCHEDULER_STRATEGY", "SCHEDULER_HISTORY"],
    "serve": list(ENVIRONMENT),
}


def _environment(names: Sequence[str]) -> str:
    width = max(len(name) for name in names)
    lines = (f"  {name:<{width}}  {ENVIRONMENT[name]}" for name in names)
    return "environment (a flag given wins):\n" + "\n".join(lines)


def _epilog(prog: str) -> str:
    return f"""\
start with (a store in prebookings.sqlite, the cron endpoint on 127.0.0.1:8080):
  {prog} init
  {prog} login --user ana@example.test --password ana-pw
  {prog} add examples/prebookings.csv
  CRON_SECRET=... {prog} serve

{_environment(list(ENVIRONMENT))}"""


def _where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"SQLite path or database URL (default: $DATABASE_URL, else {DEFAULT_DATABASE_URL})",
    )
    add_verbosity(parser)


def _create(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--create",
        action="store_true",
        help="create the SQLite file if it is not there (else a missing one is refused)",
    )


def _policy(parser: argparse.ArgumentParser) -> None:
    """The flags that act on an invocation: the strategy, the limit and each policy parameter."""
    parser.add_argument(
        "--aimharder-url",
        metavar="URL",
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
        type=one_of(strategy_names()),
        help=f"the preset to start from: one of {plainly(strategy_names())} (default: "
        f"$SCHEDULER_STRATEGY, else {DEFAULT_STRATEGY}, the default report's answer)",
    )
    policy.add_argument(
        "--max-duration",
        type=duration,
        metavar="DURATION",
        help=f"the platform's hard limit per invocation (seconds; default: "
        f"{DEFAULT_MAX_DURATION:g} s); also the budget unless --budget is given",
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
            unit = " s" if str(field.type) == "Seconds" else ""
            policy.add_argument(
                flag,
                type=_PARSERS[str(field.type)],
                metavar=metavar,
                help=f"{meaning} (default: {_preset_defaults(field.name, unit)})",
            )


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = new_parser(prog, DESCRIPTION, epilog=_epilog(prog))
    commands = add_commands(parser)
    add_command(
        commands,
        "init",
        help="create the store (a SQLite file, or the tables in PostgreSQL)",
        epilog=_environment(_READS["init"]),
        example="--db prebookings.sqlite",
    )
    login = add_command(
        commands,
        "login",
        help="log a member in on AimHarder and keep the session",
        epilog=_environment(_READS["login"]),
        example="--user ana@example.test --password ana-pw",
    )
    login.add_argument("--user", required=True, help="the AimHarder account (an e-mail)")
    login.add_argument("--password", required=True, help="its password")
    login.add_argument(
        "--aimharder-url",
        metavar="URL",
        help=f"AimHarder base URL (default: $AIMHARDER_URL, else {DEFAULT_AIMHARDER_URL})",
    )
    add = add_command(
        commands,
        "add",
        help="enqueue prebookings from a JSON or CSV file",
        description="Enqueue prebookings from a JSON or CSV file (columns: user, class_id, day,\n"
        "box, available_at or available_in, and optionally created_at and id). The\n"
        "whole file is checked before anything is stored.",
        epilog=_environment(_READS["add"]),
        example="examples/prebookings.csv",
    )
    add.add_argument("file", metavar="FILE", help="path, or - for standard input")
    add.add_argument(
        "--format",
        type=one_of(["json", "csv"]),
        metavar="FORMAT",
        help="json or csv (default: by the file's suffix)",
    )
    status = add_command(
        commands,
        "status",
        help="prebookings by status, oldest first",
        epilog=_environment(_READS["status"]),
        example="--rows 50",
    )
    status.add_argument(
        "--rows",
        type=whole_number(STATUS_ROWS),
        default=20,
        metavar="N",
        help=f"how many prebookings to list, at most {STATUS_ROWS[-1]}",
    )
    add_json(status, "the counts and the listed prebookings")
    invoke_ = add_command(
        commands,
        "invoke",
        help="one invocation now: book what is ready, print a summary",
        description="One invocation now, as a cron call would run it: book the prebookings\n"
        "whose window has opened, then print what it did (--json: the cron\n"
        "endpoint's answer). Exit 1 when the invocation did not answer 200.",
        epilog=_environment(_READS["invoke"]),
        example="--strategy staggered --gap 100ms",
    )
    add_json(invoke_, "the cron endpoint's answer")
    _create(invoke_)
    _policy(invoke_)
    serve = add_command(
        commands,
        "serve",
        help="run the cron endpoint (needs CRON_SECRET)",
        description=f"Serve POST {CRON_PATH}: each call with the Bearer\n"
        "CRON_SECRET runs one invocation and answers what it did. Several served\n"
        "processes may share one PostgreSQL store.",
        epilog=_environment(_READS["serve"]),
        example="--port 8080 --strategy sequential",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=port, default=8080, help="TCP port (0: any free port)")
    _create(serve)
    _policy(serve)
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


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """The command ``argv`` asks for; ``prog``: the command as typed, for usage and errors."""
    args = _parser(prog).parse_args(argv)
    logging.basicConfig(level=log_level(args), format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = settings_from(args)
        return _run(args, settings)
    except SchedulerError as exc:
        from rich.console import Console

        console = Console(stderr=True, soft_wrap=True)
        console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        return 2
    except KeyboardInterrupt:
        return INTERRUPTED


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """Each command imports what it uses here, not at the top: a command's start-up is most of
    a short one's time (the web framework and SQLAlchemy are each a tenth of a second or
    more), and ``--help`` or a refused flag needs none of them (``tests/test_start_up.py``)."""
    from scheduler.store import display_url, normalize_url, open_store
    from scheduler.store.urls import missing_file, require_existing

    if args.command == "init" or getattr(args, "create", False):
        made = missing_file(settings.database_url) is not None
        with open_store(settings.database_url) as store:
            store.counts()  # the file and the tables are made at the first transaction
        if args.command == "init":
            shown = display_url(normalize_url(settings.database_url))
            print(f"store {'created' if made else 'ready'}: {shown}")
            return 0
    if args.command == "status":
        require_existing(settings.database_url, remedy="scheduler init, add or login makes one")
    if args.command in ("invoke", "serve"):
        require_existing(settings.database_url, remedy="scheduler init makes one, or --create")
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "add":  # the whole file is read and checked before the store is opened
        from scheduler.importing import read_prebooking_file

        news = read_prebooking_file(args.file, fmt=args.format, now=time.time())
        with open_store(settings.database_url) as store:
            print(f"added {len(store.add(news))} prebookings")
        return 0
    with open_store(settings.database_url) as store:
        if args.command == "invoke":
            return _invoke(args, settings, store)
        if args.command == "login":
            import asyncio

            session = asyncio.run(_login(settings, UserId(args.user), args.password))
            store.save_session(session, time.time())
            print(f"session stored for {args.user}")
            return 0
        return _status(args, store)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from scheduler.app import create_app

    loudness = {-1: "warning", 0: "info"}.get(verbosity(args), "debug")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=loudness)
    return 0


def _invoke(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from scheduler.aio import run
    from scheduler.invoke import invoke

    answer = run(invoke(settings, store))
    if args.json:
        print(json.dumps(answer.body, indent=2))
    else:
        _print_answer(answer.status, answer.body)
    return 0 if answer.status == 200 else 1


def _status(args: argparse.Namespace, store: Store) -> int:
    from rich.console import Console

    from scheduler.overview import print_status, status_json

    counts, rows = store.counts(), store.list()[: args.rows]
    if args.json:
        print(json.dumps(status_json(counts, rows), indent=2))
    else:
        print_status(Console(), counts, rows)
    return 0


async def _login(settings: Settings, user: UserId, password: str) -> Session:
    from scheduler.client import AimHarderClient
    from scheduler.connections import Connections

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
