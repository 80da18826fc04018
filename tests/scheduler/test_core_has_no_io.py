"""The core decides and never touches the world: no I/O library, no clock, no randomness."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = [
    "domain",
    "status",
    "errors",
    "effects",
    "strategies",
    "policy",
    "retry",
    "verdict",
    "outcome",
    "flows",
]
FORBIDDEN = {
    "asyncio", "fastapi", "httpx", "random", "simpy", "socket", "sqlalchemy", "starlette",
    "threading", "time", "datetime", "uvicorn", "psycopg", "sqlite3", "os", "subprocess",
}  # fmt: skip
SCHEDULER = Path(__file__).resolve().parents[2] / "scheduler"


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
    assert imported_roots(SCHEDULER / f"{module}.py") & FORBIDDEN == set()


def test_the_check_sees_a_forbidden_import() -> None:
    assert "httpx" in imported_roots(SCHEDULER / "client.py")
