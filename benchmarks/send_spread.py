"""Where a real invocation's send times spread, measured against a mock that adds no latency.

Each strategy runs ``ROUNDS`` real invocations of ``N`` ready prebookings (asyncio, httpx,
SQLite, the mock in its own process with a fixed 100 ms each way, taken off) and times every
effect (``sim.validation.calibration`` says what each row is). Prints count, median, mean, p90
and max in
milliseconds, the share of pairs that reached the mock in the opposite order of their sends,
and the ``[client]`` and ``[database]`` tables this implies for ``sim/scenarios/validate.toml``
(``python -m sim validate`` measures the same before it compares, unless ``--calibrate 0``).
Run: .venv/bin/python -m benchmarks.send_spread
"""

from __future__ import annotations

import statistics

import numpy as np
from rich.console import Console
from rich.table import Table

from sim.validation.calibration import calibration, calibration_toml, measure

N, ROUNDS = 10, 8
STRATEGIES = ("sequential", "staggered", "batched", "parallel")


def main() -> None:
    machinery = measure(STRATEGIES, ROUNDS, load=N)
    title = f"{ROUNDS} real invocations of {N} per strategy, beyond the mock's delays (ms)"
    table = Table(title=title)
    for column in ("what", "count", "median", "mean", "p90", "max"):
        table.add_column(column)
    for what, values in sorted(machinery.samples.items()):
        ms = np.asarray(values) * 1000
        table.add_row(
            what,
            str(len(ms)),
            f"{np.median(ms):.2f}",
            f"{ms.mean():.2f}",
            f"{np.percentile(ms, 90):.2f}",
            f"{ms.max():.2f}",
        )
    console = Console()
    console.print(table)
    for name, rates in machinery.overtaken.items():
        console.print(
            f"{name}: pairs reaching the mock in the opposite order of their Book: "
            f"{statistics.mean(rates):.3f} (mean of {len(rates)} invocations)"
        )
    console.print("\nThe model's tables this implies (log-normals, median and mean as measured):")
    console.print(calibration_toml(calibration(machinery, load=N)), highlight=False, markup=False)


if __name__ == "__main__":
    main()
