"""Locust runs of many concurrent cron invocations, checked for double bookings."""

__all__: list[str] = []
