"""One replication in SimPy: the trigger, the platform, the database, AimHarder's own rules and
the scheduler's machinery around the real core, and the summary of what the run left behind.

Plain SimPy and numpy: no presentation library (rich, jinja2, matplotlib), no scipy, no httpx
(import-linter contract in ``pyproject.toml``)."""

__all__: list[str] = []
