"""``python -m sim``: the simulation's command line (``report``, ``validate``, ``select``,
``replay``)."""

__all__: list[str] = []
