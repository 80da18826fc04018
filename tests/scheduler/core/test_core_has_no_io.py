"""The core decides and never touches the world: no I/O library, no clock, no randomness."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCHEDULER = Path(__file__).resolve().parents[3] / "scheduler"
CORE = sorted(path.stem for path in (SCHEDULER / "core").glob("*.py") if path.stem != "__init__")
FORBIDDEN = {
    "aiohttp", "asyncio", "fastapi", "httpx", "random", "simpy", "socket", "sqlalchemy",
    "starlette", "threading", "time", "datetime", "uvicorn", "psycopg", "sqlite3", "os",
    "subprocess", "http", "urllib", "requests", "io", "pathlib", "shutil", "selectors", "signal",
    "multiprocessing", "concurrent", "secrets", "uuid",
}  # fmt: skip


def test_the_core_is_where_the_checks_look() -> None:
    """An empty glob would make every check below pass vacuously."""
    assert {"domain", "effects", "flows", "policy", "rules", "status", "verdict"} <= set(CORE)


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (``from a.b import c`` gives ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_nothing_that_does_io(module: str) -> None:
    assert imported_roots(SCHEDULER / "core" / f"{module}.py") & FORBIDDEN == set()


def test_the_check_sees_a_forbidden_import() -> None:
    assert "asyncio" in imported_roots(SCHEDULER / "connections.py")


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_only_the_core_from_the_scheduler(module: str) -> None:
    """So no I/O comes in through the back door (``scheduler.client`` imports httpx)."""
    inside = {
        name
        for name in imported_modules(SCHEDULER / "core" / f"{module}.py")
        if name.startswith("scheduler")
    }
    assert inside <= {"scheduler.core"} | {f"scheduler.core.{core}" for core in CORE}


def test_the_check_sees_a_non_core_scheduler_import() -> None:
    inside = {n for n in imported_modules(SCHEDULER / "aio.py") if n.startswith("scheduler")}
    assert not inside <= {f"scheduler.core.{core}" for core in CORE}
