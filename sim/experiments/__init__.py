"""Grids of replications on any executor: the sweep, the quick look, the seed's tables, outside
demand and the send offset, the trigger presets, and a replication replayed alone."""

__all__: list[str] = []
