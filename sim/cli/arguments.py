"""What the simulation's commands ask alike: which scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.scenario import SCENARIOS

__all__ = ["add_scenario"]


def add_scenario(parser: argparse.ArgumentParser, default: Path, *, more: str = "") -> None:
    """``--scenario FILE`` (TOML), ``default`` named as the repository spells it; ``more``:
    what the command does with another one."""
    shown = Path("sim") / "scenarios" / default.relative_to(SCENARIOS)
    parser.add_argument(
        "--scenario",
        type=Path,
        default=default,
        help=f"the scenario file (TOML; default: {shown}{more})",
    )
