"""Every library the scheduler imports is one ``pyproject.toml`` asks for.

An import that only works because another dependency happens to bring it (httpcore through
httpx, multidict through aiohttp) breaks when that dependency's next release stops bringing it
or brings another major version; a dependency of ours is pinned to the range we tested. The
check reads the source of every module under ``scheduler/`` (what it imports, including under
``TYPE_CHECKING``), maps each top-level name to the distribution installed for it and looks that
distribution up in ``[project].dependencies`` (the scheduler ships without the dev extras).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEDULER = ROOT / "scheduler"
REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@functools.cache
def _providers() -> dict[str, list[str]]:
    """Top-level import name -> the installed distributions that provide it (read once: it
    scans every installed distribution's metadata)."""
    return dict(packages_distributions())


def _canonical(distribution: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared() -> set[str]:
    """The canonical names of ``[project].dependencies``, and of the project itself (its other
    packages, such as ``commandline``, ship with the scheduler)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    requirements = project["dependencies"]
    names = {_canonical(project["name"])}
    for requirement in requirements:
        name = REQUIREMENT_NAME.match(requirement)
        assert name is not None, f"unreadable requirement {requirement!r}"
        names.add(_canonical(name.group()))
    return names


def imported(source: str) -> set[str]:
    """The top-level names of the absolute imports in ``source``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            names.add(node.module.split(".")[0])
    return names


def undeclared(source: str, dependencies: set[str]) -> list[str]:
    """Each third-party name ``source`` imports whose distribution is not in ``dependencies``,
    as ``name (distribution)``; a name no installed distribution provides counts too."""
    providers = _providers()
    found = []
    for name in sorted(imported(source) - {"scheduler"} - set(sys.stdlib_module_names)):
        distributions = {_canonical(d) for d in providers.get(name, [])}
        if not distributions & dependencies:
            found.append(f"{name} ({', '.join(sorted(distributions)) or 'not installed'})")
    return found


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("import httpcore", ["httpcore (httpcore)"]),
        ("from multidict import CIMultiDict", ["multidict (multidict)"]),
        ("from h11._state import Client", ["h11 (h11)"]),
        ("import no_such_library_here", ["no_such_library_here (not installed)"]),
    ],
)
def test_the_check_catches_a_library_pyproject_does_not_ask_for(
    source: str, names: list[str]
) -> None:
    assert undeclared(source, declared()) == names


def test_the_check_leaves_declared_libraries_the_standard_library_and_the_scheduler_alone() -> None:
    source = (
        "import asyncio, ssl\n"
        "import aiohttp\n"
        "from sqlalchemy.orm import Session\n"
        "from psycopg import errors\n"  # declared as psycopg[binary]
        "from scheduler.core import domain\n"
        "from commandline.conventions import fail\n"
        "from . import client\n"
    )
    assert undeclared(source, declared()) == []


def test_a_dev_only_library_is_not_declared_for_the_scheduler() -> None:
    assert undeclared("import hypothesis", declared()) == ["hypothesis (hypothesis)"]


def test_every_library_a_scheduler_module_imports_is_declared() -> None:
    dependencies = declared()
    modules = sorted(SCHEDULER.rglob("*.py"))
    assert modules, f"no modules found under {SCHEDULER}"
    found = {
        str(path.relative_to(ROOT)): names
        for path in modules
        if (names := undeclared(path.read_text(encoding="utf-8"), dependencies))
    }
    assert found == {}
