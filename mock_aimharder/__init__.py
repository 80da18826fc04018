"""A mock AimHarder: a pure model of its rules (``model/``) and a server that speaks its API
(``server/``).

The simulation imports only ``mock_aimharder.model``; ``python -m mock_aimharder`` serves it.
"""

__all__: list[str] = []
