"""What every command line of the project shares: conventions of flags and help
(``conventions``), durations as locust writes them (``durations``), the stages of long work
(``stages``) and the progress bars that draw them (``progress``, the one module importing rich).

The bottom of the project's packages: standard library only but for ``progress``, so that the
scheduler and the mock's model may use it (import-linter's layers contract, ``pyproject.toml``).
Nothing is re-exported here, so importing one module loads no other.
"""

__all__: list[str] = []
