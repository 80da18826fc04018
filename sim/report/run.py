"""What a report was made from, so that it can be trusted later: the project's version and
commit, the scenario file and its hash, the keys set on top of it, the seed, the executor, the
date and the wall time; and the effective scenario itself (after ``base`` and ``--set``),
written beside the data (``data/scenario.json``)."""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commandline.conventions import installed_version

__all__ = ["RunInfo", "commit", "run_info"]

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    version: str
    commit: str
    scenario_file: str
    scenario_sha256: str
    settings: tuple[str, ...]  # --set KEY=VALUE, as given
    seed: int
    executor: str
    started: str  # UTC, ISO 8601
    seconds: float  # wall time of the experiments

    def row(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "commit": self.commit,
            "scenario_file": self.scenario_file,
            "scenario_sha256": self.scenario_sha256,
            "settings": list(self.settings),
            "seed": self.seed,
            "executor": self.executor,
            "started": self.started,
            "seconds": round(self.seconds, 1),
        }


def _git(*words: str) -> str:
    # git found on the PATH, with fixed arguments of ours: nothing from input reaches it.
    done = subprocess.run(  # noqa: S603
        ["git", "-C", str(REPOSITORY), *words],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return done.stdout.strip()


def commit() -> str:
    """The checkout's commit, ``+changes`` when its tracked files differ; "unknown" outside
    a git checkout (an installed copy)."""
    try:
        head = _git("rev-parse", "--short=12", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


def run_info(
    scenario_file: Path,
    settings: Sequence[tuple[str, Any]],
    *,
    seed: int,
    executor: str,
    started: float,
    seconds: float,
) -> RunInfo:
    return RunInfo(
        version=installed_version(),
        commit=commit(),
        scenario_file=str(scenario_file),
        scenario_sha256=hashlib.sha256(scenario_file.read_bytes()).hexdigest(),
        settings=tuple(f"{key}={value!r}" for key, value in settings),
        seed=seed,
        executor=executor,
        started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        seconds=seconds,
    )
