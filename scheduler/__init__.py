"""The real prebooking scheduler: a core with no I/O and the drivers that run it."""

__all__: list[str] = []
