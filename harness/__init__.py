"""What the parts share to judge and to launch: the measures, and child processes.

    measures    the definitions every judge uses (holds a place, inversions, lost, ...)
    children    start a child process, read its listening line, stop it with its group
    journal     the mock's whole journal, read page by page over HTTP (httpx)

It imports only the scheduler's core, the mock's model and httpx, so the simulation, the load tests
and the tests can all use it without pulling in a server.
"""

__all__: list[str] = []
