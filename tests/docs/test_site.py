"""The documentation site builds with warnings as errors, and a broken link fails it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.long(20)  # seconds: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]


def _build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_site_builds_strict_with_both_references(tmp_path: Path) -> None:
    built = _build(ROOT, tmp_path / "site")

    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "reference" / "scenario-keys" / "index.html").exists()
    commands = (tmp_path / "site" / "reference" / "commands" / "index.html").read_text("utf-8")
    assert "prebooking-harness scheduler invoke" in commands
    assert (tmp_path / "site" / "sample" / "report" / "index.html").exists()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    index = project / "docs" / "index.md"
    index.write_text(index.read_text("utf-8") + "\n[gone](no-such-page.md)\n", "utf-8")

    built = _build(project, tmp_path / "site")

    assert built.returncode != 0
    assert "no-such-page.md" in built.stderr
