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
PACKAGES = ("scheduler", "mock_aimharder", "sim", "loadtests", "harness")
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
