"""``sim explore`` finds bugs: each is planted in a copy of the project (its source text
patched, the project itself untouched; no injection point in production code), and the CI
budget of worlds (``test_explore.CI_SEED``, ``CI_RUNS``) must report it, with a reduced world
whose replay fails the same way. A checker that cannot fail is worth nothing."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sim.experiments.test_explore import CI_RUNS, CI_SEED

pytestmark = pytest.mark.long(20)

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("scheduler", "mock_aimharder", "sim", "harness", "commandline")

# (file, the text as it is, the text with the bug, the guarantee it must break)
BUGS = {
    "a lease that never lapses": (
        "scheduler/core/rules.py",
        "    if lease is None:\n        return None\n    cutoff = now - lease",
        "    if lease is None or lease > 0:\n        return None\n    cutoff = now - lease",
        "nothing stuck past its lease",
    ),
    "a policy that lets a second sequential request start": (
        "scheduler/core/policy.py",
        "len(self._in_flight) >= self._cap",
        "len(self._in_flight) > self._cap",
        "sequential never inverts",
    ),
    "a booking whose answer never came recorded failed": (
        "scheduler/core/booking.py",
        "event=Event.UNANSWERED,\n                sent_at=tuple(sent_at),\n"
        "                error=str(exc),\n                unanswered=True,",
        "event=Event.FAIL,\n                sent_at=tuple(sent_at),\n"
        "                error=str(exc),\n                unanswered=False,",
        "nothing misrecorded once settled",
    ),
}


def planted(folder: Path, bug: str) -> Path:
    """A copy of the project's packages in ``folder`` with ``bug`` planted."""
    for package in PACKAGES:
        # The compiled modules come along (copytree keeps each source's mtime, which they are
        # checked against): the copy's first command compiles only the file the bug changes.
        shutil.copytree(ROOT / package, folder / package)
    path, sound, broken, _ = BUGS[bug]
    text = (folder / path).read_text(encoding="utf-8")
    assert text.count(sound) == 1, f"{path} changed: plant {bug!r} again"
    (folder / path).write_text(text.replace(sound, broken), encoding="utf-8")
    return folder


def sim(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m sim`` run on the copy in ``folder`` (PYTHONPATH first: the copy is loaded)."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    command = [sys.executable, "-m", "sim", *argv]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_the_ci_budget_finds_the_planted_bug_and_its_reduced_replay_fails_alike(
    bug: str, tmp_path: Path
) -> None:
    folder = planted(tmp_path, bug)
    guarantee = BUGS[bug][3]
    budget = ["--runs", str(CI_RUNS), "--seed", str(CI_SEED), "--executor", "inline", "-q"]
    found = sim(folder, "explore", *budget)
    assert found.returncode == 1, found.stdout + found.stderr
    broke = re.search(r"^run (\d+) broke: (.*)$", found.stdout, re.MULTILINE)
    assert broke is not None, found.stdout
    assert guarantee in broke[2]
    print(f"{bug}: found after {int(broke[1]) + 1} runs")  # for the record (pytest -s)
    reduced = re.search(r"^replay reduced: python -m sim (.*)$", found.stdout, re.MULTILINE)
    assert reduced is not None, found.stdout
    replayed = sim(folder, *shlex.split(reduced[1]))
    assert replayed.returncode == 1, replayed.stdout + replayed.stderr
    assert re.search(rf"^broke: .*{re.escape(guarantee)}", replayed.stdout, re.MULTILINE)
