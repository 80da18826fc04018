"""The generated references: every scenario key described, the committed page fresh, every
command's help on the commands' page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from prebooking_harness.main import COMMANDS
from prebooking_harness.reference import command_lines, commands_page, subcommands
from sim.scenario import Scenario
from sim.scenario_reference import PAGE, scenario_keys_page, undescribed

ROOT = Path(__file__).resolve().parents[2]


def _dotted(values: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for name, value in values.items():
        key = f"{prefix}{name}"
        yield key
        if isinstance(value, Mapping) and "kind" not in value and name != "policy":
            yield from _dotted(value, f"{key}.")


def test_every_scenario_key_has_a_description() -> None:
    assert undescribed() == [], "add Field(description=...) to these keys"


def test_a_key_without_a_description_is_named() -> None:
    class Inner(BaseModel):
        model_config = ConfigDict(frozen=True)
        told: int = Field(1, description="Described.")
        untold: int = 2

    class Outer(BaseModel):
        inner: Inner = Field(Inner(), description="A table.")
        bare: float = 0.0

    assert undescribed(Outer) == ["inner.untold", "bare"]


def test_the_committed_scenario_keys_page_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / PAGE).read_text(encoding="utf-8")

    assert committed == scenario_keys_page(), f"docs/{PAGE} is stale: run make docs"


def test_the_scenario_keys_page_lists_every_key_with_its_default() -> None:
    page = scenario_keys_page()
    defaults = Scenario().model_dump(mode="json")

    tables = [name for name, value in defaults.items() if isinstance(value, Mapping)]
    keys = [key for key in _dotted(defaults) if key not in tables or key == "policy"]

    missing = [key for key in keys if f"| `{key}` |" not in page]
    missing += [name for name in tables if name != "policy" and f"## `[{name}]`" not in page]

    assert missing == []
    assert "*default `60.0`; a number 1 to 604,800* |" in page
    assert "| `uniform` | `low`: The shortest delay, in seconds;" in page


def test_the_commands_page_has_every_command_and_subcommand() -> None:
    lines = dict(command_lines())
    page = commands_page()

    assert set(COMMANDS) <= {words[0] for words in lines if words}
    assert {"invoke", "serve", "status"} <= {words[1] for words in lines if len(words) == 2}
    for words, text in lines.items():
        assert "usage:" in text, words
        assert f"## `{' '.join(('prebooking-harness', *words))}`" in page


def test_subcommands_are_read_from_the_positional_arguments_however_shown() -> None:
    braces = (
        "usage: s [-h] {serve,invoke} ...\n\npositional arguments:\n  {serve,invoke}\n"
        "    serve               run the cron endpoint\n    invoke              one invocation,\n"
        "                        now\n\noptions:\n  -h, --help  show this help\n"
    )
    metavar = (
        "usage: p [-h] COMMAND ...\n\npositional arguments:\n  COMMAND\n"
        "    report    write the report\n    scheduler\n              the real scheduler\n"
    )
    plain = "usage: a [-h] file\n\npositional arguments:\n  file        a path\n"

    assert subcommands(braces) == ["serve", "invoke"]
    assert subcommands(metavar) == ["report", "scheduler"]
    assert subcommands(plain) == []
