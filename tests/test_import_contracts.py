"""The layout's import contracts (``[tool.importlinter]`` in ``pyproject.toml``) catch a wrong
import: ``lint-imports`` run on a copy of the project with one forbidden import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "scheduler",
    "mock_aimharder",
    "sim",
    "loadtests",
    "harness",
    "commandline",
    "benchmarks",
    "prebooking_harness",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The project's packages and its pyproject.toml, in a folder of their own."""
    for package in PACKAGES:
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first: the copy, not the installed project, is what gets analysed.
    env = {**os.environ, "PYTHONPATH": str(folder)}
    command = [str(LINT_IMPORTS), "--no-cache"]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def add_import(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    head, rest = text.split("from __future__ import annotations\n", 1)
    module.write_text(f"{head}from __future__ import annotations\n\n{line}\n{rest}", "utf-8")


def test_the_copy_keeps_every_contract(copy: Path) -> None:
    done = lint_imports(copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "chain"),
    [
        (
            "scheduler/core/domain.py",
            "import httpx  # noqa",
            "the scheduler's core imports nothing outside itself BROKEN",
            "scheduler.core.domain -> httpx",
        ),
        (
            "sim/model/replication.py",
            "import mock_aimharder.server.app  # noqa",
            "the simulation imports no mock server module BROKEN",
            "sim.model.replication -> mock_aimharder.server.app",
        ),
        (
            "mock_aimharder/model/gym.py",
            "import fastapi  # noqa",
            "the mock's model imports no web framework, no HTTP client and not the server BROKEN",
            "mock_aimharder.model.gym -> fastapi",
        ),
        (
            "sim/model/world.py",
            "import sim.selection.rules  # noqa",
            'the simulation in layers: each imports only those below it (README "Layout") BROKEN',
            "sim.model.world -> sim.selection.rules",
        ),
        (
            "sim/experiments/grid.py",
            "import sim.report.figures  # noqa",
            'the simulation in layers: each imports only those below it (README "Layout") BROKEN',
            "sim.experiments.grid -> sim.report.figures",
        ),
        (
            "sim/faults.py",
            "import sim.model.faults  # noqa",
            'the simulation in layers: each imports only those below it (README "Layout") BROKEN',
            "sim.faults -> sim.model.faults",
        ),
        (
            "sim/selection/kn.py",
            "import rich.progress  # noqa",
            "one replication, the selection and the statistics draw nothing and render",
            "sim.selection.kn -> rich",
        ),
        (
            "benchmarks/send_burst.py",
            "import tests.scheduler.answers  # noqa",
            "the benchmarks and the shared pieces import nothing from the tests BROKEN",
            "benchmarks.send_burst -> tests",
        ),
        (
            "commandline/durations.py",
            "import scheduler.core.domain  # noqa",
            "the packages in layers: the one command on top, the command-line conventions at",
            "commandline.durations -> scheduler.core.domain",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    copy: Path, module: str, line: str, contract: str, chain: str
) -> None:
    add_import(copy / module, line)
    done = lint_imports(copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert contract in done.stdout
    assert chain in done.stdout


@pytest.mark.parametrize(
    "module", ["scheduler.core", "mock_aimharder.model", "sim.model.replication"]
)
def test_the_pure_parts_load_no_presentation_library(module: str) -> None:
    """The core, the mock's model and one replication run where nothing is drawn: importing
    them loads neither rich nor jinja2 nor matplotlib, nor scipy or httpx."""
    libraries = ("rich", "jinja2", "matplotlib", "scipy", "httpx")
    probe = f"import sys, {module}; print(sorted(m for m in {libraries!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
