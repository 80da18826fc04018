"""The commands start light: their entry modules import none of the heavy libraries a command
only needs once it runs (issue 25, item 5).

Every test that starts a scheduler, the mock or a load run as a process pays its start-up, and
``--help`` or a refused flag is nothing else: before these imports were moved into the commands,
``python -m scheduler serve --port 99999`` spent about a second importing the web framework,
SQLAlchemy and aiohttp to print one line. Each module is imported in a fresh interpreter, and
what it pulled in is read from ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "aiohttp",
    "fastapi",
    "httpx",
    "locust",
    "numpy",
    "psycopg",
    "pydantic",
    "rich",
    "sqlalchemy",
    "starlette",
    "uvicorn",
)
"""Each at least a few hundredths of a second to import; together over a second."""

ENTRY_MODULES = ["scheduler.cli", "mock_aimharder.__main__", "loadtests.cli"]


def imported_by(module: str) -> list[str]:
    """The ``HEAVY`` libraries importing ``module`` loads, in a fresh interpreter."""
    probe = (
        "import importlib, json, sys; "
        f"importlib.import_module({module!r}); "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


@pytest.mark.parametrize("module", ENTRY_MODULES)
def test_a_commands_entry_module_imports_no_heavy_library(module: str) -> None:
    assert imported_by(module) == []


def test_the_probe_sees_a_heavy_import() -> None:
    # The modules that do use them still load them: the check above can fail.
    assert {"starlette", "sqlalchemy"} <= set(imported_by("scheduler.app"))
    assert "fastapi" in imported_by("mock_aimharder.server.app")


def test_the_served_scheduler_does_without_fastapi() -> None:
    # Its one endpoint is a Starlette app: FastAPI cost each cold start about 0.25 CPU-s.
    assert "fastapi" not in imported_by("scheduler.app")


def test_the_store_package_loads_sqlalchemy_only_when_its_sql_names_are_used() -> None:
    assert imported_by("scheduler.store") == []
    assert imported_by("scheduler.settings") == []
    assert "sqlalchemy" in imported_by("scheduler.store.sql")
