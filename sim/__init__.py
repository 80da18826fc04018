"""The SimPy model around the real scheduler: cron, platform, network, database, server."""

__all__: list[str] = []
