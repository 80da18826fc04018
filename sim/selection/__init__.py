"""Choosing a strategy: the one rule set (safe, fairest, fastest, ties: ``sim.selection.rules``),
KN over replications under common random numbers, the choices per load, ``auto`` against the
best fixed strategy, and the trigger presets' recommendations.

No presentation library here: selections are typed values that ``sim.report`` puts in words."""

__all__: list[str] = []
