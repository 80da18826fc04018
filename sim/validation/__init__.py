"""Is the model right? Real invocations (the mock in its own process, the real scheduler,
SQLite), the machinery's calibration from them, and equivalence tests of model against real."""

__all__: list[str] = []
