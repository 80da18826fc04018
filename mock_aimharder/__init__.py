"""A FastAPI server that speaks AimHarder's booking API, with latency, faults and a journal."""

__all__: list[str] = []
