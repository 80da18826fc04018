"""The real prebooking scheduler: a pure core, and the drivers and adapters that run it for real.

core/          every decision, no I/O and no clock (see ``scheduler.core``)
store/         the prebookings' database: SQLAlchemy Core (SQLite, PostgreSQL) and in memory
client.py      AimHarder over HTTP: paths, fields, answers
connections.py the way there: HTTP/1.1 on asyncio's transports, connections opened ahead
origin.py      where AimHarder is: its URL's scheme, host and port, checked once
aio.py         the asyncio driver: interprets the core's effects with the store and the client
invoke.py      one real invocation: the driver, a deadline, the platform's cut
app.py         the cron endpoint (Starlette); auth.py its secret check
settings.py    configuration from the environment; importing.py prebookings from files
cli.py         ``python -m scheduler``
"""

__all__: list[str] = []
