"""The report's plots, as PNG files: one metric against load per strategy with its 95% band,
inversions against the stagger gap, and the seed's claimed ranges against simulated ones."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "place_labels",
    "plot_gap_sweep",
    "plot_metric_against",
    "plot_metric_by_load",
    "plot_seed_ranges",
    "plot_tradeoff",
]

DPI = 110
MARKERS = ("o", "s", "^", "D", "v", "P", "X")  # a strategy each, so overlaps stay visible
LINES = ("-", "--", "-.", ":")
SPREAD = 50  # largest over smallest positive value beyond which a y axis is logarithmic


def _pyplot() -> ModuleType:
    """matplotlib's pyplot, drawing to files only (no screen on servers or in CI). Imported at
    the first plot, not with this module: the commands and the tests that import the report's
    code without drawing (every pytest worker collects them all) would pay about half a second
    for it."""
    import matplotlib  # noqa: PLC0415 (see the docstring)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 (see the docstring)

    return plt


def plot_metric_by_load(
    rows: Sequence[dict[str, Any]],
    metric: str,
    *,
    classes_per_minute: int,
    ylabel: str,
    title: str,
    path: Path,
) -> Path:
    """``metric`` (with ``metric_low``/``metric_high``) against load, one line per point."""
    opening = "class opens" if classes_per_minute == 1 else "classes open"
    return plot_metric_against(
        rows,
        "load",
        metric,
        xlabel=f"prebookings per class ({classes_per_minute} {opening} per minute)",
        ylabel=ylabel,
        title=title,
        path=path,
    )


def plot_metric_against(
    rows: Sequence[dict[str, Any]],
    x: str,
    metric: str,
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    path: Path,
) -> Path:
    """``metric`` with its 95% band against the column ``x``, one line per point (strategy)."""
    figure, axes = _pyplot().subplots(figsize=(7, 4.2))
    names = sorted({r["point"] for r in rows})
    for index, point in enumerate(names):
        series = sorted((r for r in rows if r["point"] == point), key=lambda r: r[x])
        xs, ys = [r[x] for r in series], [r[metric] for r in series]
        # Strategies with equal results (auto and sequential, often) would hide each other:
        # each has its own marker and line style, nudged sideways by a few points.
        nudge = _nudge(axes, figure, index, len(names))
        axes.plot(xs, ys, marker=MARKERS[index % len(MARKERS)], markersize=5,
                  linestyle=LINES[index % len(LINES)], label=point, transform=nudge)  # fmt: skip
        axes.fill_between(
            xs,
            [r[f"{metric}_low"] for r in series],
            [r[f"{metric}_high"] for r in series],
            alpha=0.15,
        )
        axes.update_datalim(list(zip(xs, ys, strict=True)))
    spread = _spread_scale(axes, [r[metric] for r in rows])
    axes.autoscale_view()
    axes.set(xlabel=xlabel, ylabel=f"{ylabel}{spread}")
    axes.set_title(title)
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize=8)
    return _save(figure, path)


def _nudge(axes: Any, figure: Any, index: int, count: int) -> Any:
    """The data's coordinates, shifted sideways by a few points for the ``index``-th of ``count``
    series, so that equal series stay visible side by side."""
    from matplotlib.transforms import offset_copy  # noqa: PLC0415 (see ``_pyplot``)

    return offset_copy(
        axes.transData, figure, x=3.0 * (index - (count - 1) / 2), y=0, units="points"
    )


def _spread_scale(axes: Any, values: Sequence[float]) -> str:
    """A logarithmic y axis (linear near 0, where zeros sit) when the positive values span
    more than ``SPREAD`` times: seconds when safe beside minutes when a backlog builds. What to
    add to the axis label."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    if not positive or max(positive) / min(positive) <= SPREAD:
        return ""
    axes.set_yscale("symlog", linthresh=10 ** math.floor(math.log10(min(positive))))
    return ", log scale"


def plot_gap_sweep(
    rows: Sequence[dict[str, Any]], *, target: float, chosen: float | None, title: str, path: Path
) -> Path:
    series = sorted(rows, key=lambda r: r["gap"])
    gaps = [r["gap"] * 1000 for r in series]
    figure, axes = _pyplot().subplots(figsize=(7, 4.2))
    axes.plot(gaps, [r["inversion_rate"] for r in series], marker="o", label="inversion rate")
    axes.fill_between(
        gaps,
        [r["inversion_rate_low"] for r in series],
        [r["inversion_rate_high"] for r in series],
        alpha=0.2,
    )
    axes.axhline(target, color="red", linestyle="--", label=f"target {target:.1%}")
    if chosen is not None:
        axes.axvline(chosen * 1000, color="green", linestyle=":", label=f"{chosen * 1000:g} ms")
    axes.set(xlabel="stagger gap (ms)", ylabel="inverted pairs / all pairs")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)


def plot_seed_ranges(rows: Sequence[dict[str, Any]], *, title: str, path: Path) -> Path:
    """Claimed (seed) and simulated makespan ranges per row of the seed's Scaling Limits."""
    figure, axes = _pyplot().subplots(figsize=(8, 4.5))
    labels = [f"{r['strategy']}\n{r['prebookings']}" for r in rows]
    finite = [v for r in rows for v in (r["seed_high"], r["sim_high"]) if v != float("inf")]
    top = 1.05 * max(finite, default=1.0)  # an open-ended claim ("9s+") is drawn to the top
    for i, row in enumerate(rows):
        claim = [row["seed_low"], min(row["seed_high"], top)]
        axes.plot([i - 0.1, i - 0.1], claim, lw=6, color="tab:gray")
        axes.plot([i + 0.1, i + 0.1], [row["sim_low"], row["sim_high"]], lw=6, color="tab:blue")
    axes.plot([], [], lw=6, color="tab:gray", label="seed claims")
    axes.plot([], [], lw=6, color="tab:blue", label="simulated (p5 to p95)")
    axes.set_xticks(range(len(rows)), labels, fontsize=8)
    axes.set(ylabel="invocation time (s)")
    axes.set_title(title)
    axes.grid(alpha=0.3, axis="y")
    axes.legend()
    return _save(figure, path)


def plot_tradeoff(
    rows: Sequence[dict[str, Any]],
    *,
    fairness: str,
    xlabel: str,
    recommended: set[tuple[str, int]],
    safe: set[tuple[str, int]],
    title: str,
    path: Path,
) -> Path:
    """p95 time to book against ``fairness``, one point per (strategy, load) of ``rows``.

    Readable where the numbers span orders of magnitude (a few seconds when safe, minutes when a
    backlog builds): time on a log scale, fairness on a scale linear near 0 and logarithmic
    beyond. Points that were ``safe`` in every replication are filled, the others hollow; each
    strategy has its own marker, nudged sideways so that strategies at the same point stay
    visible; the ``recommended`` points that are safe are circled and carry their load (where
    none is safe the answer recommends none)."""
    figure, axes = _pyplot().subplots(figsize=(9, 5))
    names = sorted({r["point"] for r in rows})
    labelled: set[int] = set()  # a load is written once, beside its first circled point
    labels: list[tuple[str, float, float, Any, Any]] = []  # text, x, y, colour, transform
    for index, point in enumerate(names):
        series = sorted((r for r in rows if r["point"] == point), key=lambda r: r["load"])
        nudge = _nudge(axes, figure, index, len(names))
        xs, ys = [r[fairness] for r in series], [r["book_p95"] for r in series]
        marker = MARKERS[index % len(MARKERS)]
        (line,) = axes.plot(xs, ys, linestyle=":", linewidth=1, transform=nudge)
        color = line.get_color()
        axes.plot([], [], marker=marker, linestyle=":", color=color, label=point)
        # Nudged artists do not count for the axes' limits: the points themselves do.
        axes.update_datalim(list(zip(xs, ys, strict=True)))
        for row, x, y in zip(series, xs, ys, strict=True):
            key = (point, row["load"])
            fill = color if key in safe else "none"
            axes.plot(x, y, marker=marker, markersize=7, color=color, markerfacecolor=fill,
                      transform=nudge)  # fmt: skip
            if key in recommended and key in safe:  # none is recommended where none is safe
                axes.plot(x, y, marker="o", markersize=16, fillstyle="none", color=color,
                          transform=nudge)  # fmt: skip
                if row["load"] not in labelled:
                    labelled.add(row["load"])
                    labels.append((str(row["load"]), x, y, color, nudge))
    for label, fill in (("safe in every replication", "gray"), ("not safe", "none")):
        axes.plot([], [], marker="o", linestyle="", color="gray", markerfacecolor=fill, label=label)
    axes.plot([], [], marker="o", markersize=12, fillstyle="none", linestyle="", color="black",
              label="recommended (its load beside it)")  # fmt: skip
    axes.set_yscale("log")
    axes.set_xscale("symlog", linthresh=1.0 if fairness == "unfair" else 0.01)
    axes.autoscale_view()
    axes.margins(x=0.08, y=0.15)
    axes.set(xlabel=xlabel, ylabel="p95 time to book (s after the opening, log scale)")
    place_labels(axes, labels)
    axes.set_title(title)
    axes.grid(alpha=0.3, which="both")
    # Beside the axes, not over them: the points reach every corner.
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(figure, path)


LABEL_ROOM = 11.0  # points: a label this close to one already placed moves up by as much


def place_labels(axes: Any, labels: Sequence[tuple[str, float, float, Any, Any]]) -> None:
    """Each label beside its point, moved up past those already placed so that none covers
    another (then a thin line ties it to its point); on top of the markers, on a pale ground.
    Placed once the scales are final, so that where a label lands on the page is known."""
    placed: list[tuple[float, float]] = []  # where each label sits, in points on the page
    to_points = 72.0 / axes.figure.dpi
    for text, x, y, color, nudge in labels:
        px, py = (v * to_points for v in nudge.transform((x, y)))
        up = 6.0
        while any(abs(px - qx) < 2 * LABEL_ROOM and abs(py + up - qy) < LABEL_ROOM
                  for qx, qy in placed):  # fmt: skip
            up += LABEL_ROOM
        placed.append((px, py + up))
        # A label moved away from its point is tied to it by a thin line.
        leader = {"arrowstyle": "-", "lw": 0.6, "color": color} if up > LABEL_ROOM else None
        axes.annotate(text, (x, y), textcoords="offset points", xytext=(14, up), fontsize=8,
                      color=color, xycoords=nudge, zorder=5, arrowprops=leader,
                      bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                            "alpha": 0.8})  # fmt: skip


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, and savefig draws a figure that
    # has one a second time, without rendering it, before the draw it keeps: a fifth of each
    # figure's time. The layout is done; without the engine the file is the same byte for byte.
    figure.set_layout_engine(None)
    figure.savefig(path, dpi=DPI)
    _pyplot().close(figure)
    return path
