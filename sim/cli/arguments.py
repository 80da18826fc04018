"""What the simulation's commands ask alike: which scenario, and keys set on top of it."""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scheduler.core.errors import ConfigurationError
from sim.scenario import SCENARIOS, Scenario

__all__ = ["MAX_SETTINGS", "add_scenario", "scenario_from", "setting", "within"]

MAX_SETTINGS = 64  # --set pairs on one command line


def add_scenario(parser: argparse.ArgumentParser, default: Path, *, more: str = "") -> None:
    """``--scenario FILE`` (TOML), ``default`` named as the repository spells it, and ``--set
    KEY=VALUE``; ``more``: what the command does with another file."""
    shown = Path("sim") / "scenarios" / default.relative_to(SCENARIOS)
    parser.add_argument(
        "--scenario",
        type=Path,
        default=default,
        metavar="FILE",
        help=f"the scenario file (TOML; default: {shown}{more})",
    )
    parser.add_argument(
        "--set",
        action="append",
        type=setting,
        default=[],
        metavar="KEY=VALUE",
        dest="settings",
        help="a scenario key on top of the file, dotted, its value as TOML writes it "
        "(policy.limit=200, platform.max_duration=60, experiment.loads=[10,30]); repeatable",
    )


def setting(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as an argparse ``type``: the dotted key and the value read as TOML (a bare
    word that is not TOML is taken as a string)."""
    key, sep, value = text.partition("=")
    if not sep or not key or not all(part.isidentifier() for part in key.split(".")):
        raise argparse.ArgumentTypeError(f"{text!r}; expected KEY=VALUE with a dotted key")
    try:
        return key, tomllib.loads(f"value = {value}")["value"]
    except tomllib.TOMLDecodeError:
        return key, value


def scenario_from(path: Path, settings: Sequence[tuple[str, Any]]) -> Scenario:
    """The scenario in ``path`` with every ``--set`` on top (the last of one key wins)."""
    if len(settings) > MAX_SETTINGS:
        raise ConfigurationError(f"{len(settings)} --set pairs; expected at most {MAX_SETTINGS}")
    scenario = Scenario.from_file(path)
    return scenario.with_keys(dict(settings)) if settings else scenario


def within(name: str, value: int | None, low: int, high: int) -> None:
    """Refuse an option's whole number outside ``low .. high`` in one line (None: not given)."""
    if value is not None and not low <= value <= high:
        raise ConfigurationError(f"{name} {value}; expected a whole number from {low} to {high}")
