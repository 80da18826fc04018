"""The scheduler uses libraries through their public names only.

The rule, checked on the source of every module under ``scheduler/``: a name that starts with
one underscore (not a dunder) is reached only through ``self`` or ``cls``. So no ``x._pool``,
no ``getattr(x, "_pool")``, no ``import httpcore._async`` or ``from h11 import _state``. It is
stricter than "no third-party private attribute" (it also keeps one scheduler module out of
another's private parts), and it needs no list of which objects belong to which library: an
object the scheduler did not define, it can reach only through a name other than ``self``.
A library's private attribute can change in any release; its pinned public API cannot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCHEDULER = Path(__file__).resolve().parents[2] / "scheduler"
REFLECTION = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reaches(source: str) -> list[str]:
    """Each place in ``source`` that names a private attribute or module, as ``line: code``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        reach = False
        if isinstance(node, ast.Attribute) and _private(node.attr):
            reach = not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            named = node.args[1] if len(node.args) > 1 else None
            reach = (
                node.func.id in REFLECTION
                and isinstance(named, ast.Constant)
                and isinstance(named.value, str)
                and _private(named.value)
            )
        elif isinstance(node, ast.Import):
            reach = any(_private(part) for a in node.names for part in a.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            parts = node.module.split(".")
            reach = any(_private(p) for p in parts) or any(_private(a.name) for a in node.names)
        if reach:
            found.append(f"{getattr(node, 'lineno', '?')}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "pool = http._transport._pool",
        "pool._network_backend = backend",
        "getattr(http, '_transport', None)",
        "import httpcore._async.connection_pool",
        "from httpcore._backends import anyio",
        "from h11 import _state",
        "client._transport_for_url(url)",
    ],
)
def test_the_rule_catches_each_way_of_naming_a_private_attribute(source: str) -> None:
    assert private_reaches(source) != []


def test_the_rule_leaves_an_objects_own_attributes_and_dunders_alone() -> None:
    source = (
        "from __future__ import annotations\n"
        "class A:\n"
        "    def f(self):\n"
        "        return self._x, type(self).__name__, getattr(self, 'public')\n"
        "    @classmethod\n"
        "    def g(cls):\n"
        "        return cls._registry\n"
    )
    assert private_reaches(source) == []


def test_no_scheduler_module_names_a_private_attribute_of_anything_but_itself() -> None:
    modules = sorted(SCHEDULER.rglob("*.py"))
    assert modules, f"no modules found under {SCHEDULER}"
    reaches = {
        str(path.relative_to(SCHEDULER.parent)): found
        for path in modules
        if (found := private_reaches(path.read_text(encoding="utf-8")))
    }
    assert reaches == {}
