"""The report's words: Jinja2 templates (``sim/report/templates``) fed by typed findings.

The numbers are computed in code (``sim.report.answer``, ``sim.study``); a template only chooses the
words around them and how many digits to show, through the filters below, so a sentence can be
changed without reading the code that measured it; the short phrases the code puts into data
and plots (KN's verdicts, paired differences, plot titles) are macros of ``phrases.j2``, called
through ``phrase``. Markdown templates are not escaped (they
write Markdown), but text a scenario file supplies goes through ``text``, which escapes what
HTML would read as markup; the HTML page's template escapes everything it is not told is safe.
"""

from __future__ import annotations

import html
from typing import Any

import jinja2

from sim.model.summary import Measure
from sim.report.numbers import ci, num
from sim.selection.rules import WORDS

__all__ = ["phrase", "render_html", "render_markdown"]

_LOADER = jinja2.PackageLoader("sim.report", "templates")


def _ci(estimate: Any, digits: int = 2) -> str:
    """``mean [low, high]`` of an ``Estimate``."""
    return (
        f"{num(estimate.mean, digits)} [{num(estimate.low, digits)}, {num(estimate.high, digits)}]"
    )


def _pct(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}%}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _names(values: Any, last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (``last``: the word before the last one)."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _signed(value: float, digits: int = 2) -> str:
    """``+1.50``, ``-0.020``: a difference, its sign always shown (``num``'s ``< 0.01`` for
    one that is not 0 but would print as 0)."""
    shown = f"{value:+.{digits}f}"
    return num(value, digits) if value != 0 and float(shown) == 0 else shown


def _environment(*, autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=_LOADER,
        autoescape=autoescape,  # noqa: S701 (Markdown out: scenario text goes through ``text``)
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the report, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        num=num,
        ci=_ci,
        ci_of=ci,
        g=lambda value: f"{value:g}",
        pct=_pct,
        seconds=_seconds,
        names=_names,
        plural=_plural,
        signed=_signed,
        text=lambda value: html.escape(str(value), quote=False),
    )
    # The words that decide, defined once (``sim.selection.rules``): ``{{ words.safe.meaning }}``.
    environment.globals["words"] = {word.name: word for word in WORDS}
    # Each measure's label and unit, defined once (``sim.model.summary``): a header says
    # ``{{ measure.unfair.label }} ({{ measure.unfair.unit }})``.
    environment.globals["measure"] = {m.value: m for m in Measure}
    return environment


_MARKDOWN = _environment(autoescape=False)
_HTML = _environment(autoescape=True)


def render_markdown(template: str, **context: Any) -> str:
    """``templates/{template}.md.j2`` with ``context``: Markdown, without its final newlines."""
    return _MARKDOWN.get_template(f"{template}.md.j2").render(**context).strip("\n")


def render_html(template: str, **context: Any) -> str:
    """``templates/{template}.html.j2`` with ``context``, every value escaped unless marked safe."""
    return _HTML.get_template(f"{template}.html.j2").render(**context)


def phrase(name: str, *args: Any, **kwargs: Any) -> str:
    """The macro ``name`` of ``templates/phrases.j2`` called with the arguments: one line."""
    macro = getattr(_MARKDOWN.get_template("phrases.j2").module, name)
    return str(macro(*args, **kwargs))
