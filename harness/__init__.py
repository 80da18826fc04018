"""What the parts share to judge and to launch: the measures, and child processes.

    measures    the definitions every judge uses (holds a place, inversions, lost, ...)
    children    start a child process, read its listening line, stop it with its group

It imports only the scheduler's core and the mock's model, so the simulation, the load tests
and the tests can all use it without pulling in a server.
"""

__all__: list[str] = []
