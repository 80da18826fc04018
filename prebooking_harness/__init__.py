"""``prebooking-harness``: the project's one installed command, on top of every part
(``prebooking_harness.main``). What command lines share is in ``commandline``."""

__all__: list[str] = []
