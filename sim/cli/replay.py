"""``python -m sim replay RUN_ID --scenario FILE``: one replication of a report again, alone,
with its journal (``sim.experiments.replay``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from commandline.conventions import add_command
from sim.cli.arguments import add_scenario, scenario_from
from sim.experiments.replay import replay, run_id

__all__ = ["add_replay_parser", "run_replay"]


def add_replay_parser(commands: Any, default_scenario: Path) -> None:
    command = add_command(commands, "replay", help="rerun one replication and print its journal")
    command.add_argument("run_id", help="strategy/load/replication@seed, e.g. staggered/20/3@1")
    add_scenario(command, default_scenario)


def run_replay(args: argparse.Namespace) -> int:
    result = replay(scenario_from(args.scenario, args.settings), args.run_id)
    print(f"run {run_id(result)} ({args.scenario})")
    print(f"journal sha256 {result.journal_hash}")
    print("seeds " + json.dumps(result.seeds))
    print("summary " + json.dumps(result.summary.row(), default=str))
    for entry in result.journal:
        print(json.dumps(entry.to_json(), sort_keys=True))
    return 0
