"""Every error the scheduler defines is a ``SchedulerError``: one tree, one ``except``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import scheduler
from scheduler.core.errors import SchedulerError


def scheduler_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module_info in pkgutil.walk_packages(scheduler.__path__, "scheduler."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith("scheduler.")
            ):
                found[f"{value.__module__}.{name}"] = value
    return found


def test_every_scheduler_error_descends_from_scheduler_error() -> None:
    errors = scheduler_exceptions()
    assert len(errors) >= 10  # the walk found the tree (guards against an empty walk)
    assert [name for name, error in errors.items() if not issubclass(error, SchedulerError)] == []
