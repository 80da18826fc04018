"""What the parts share to judge and to launch: the measures, and child processes.

    measures    the definitions every judge uses (holds a place, inversions, lost, ...)
    children    start a child process, read its listening line, stop it with its group
    journal     the mock's whole journal, read page by page over HTTP (httpx)
    tls         one TLS context per process for httpx's clients (it loads the CA bundle
                for each one it makes, even for plain HTTP on loopback)
    gym         a real gym for real runs: the mock, athletes logged in, prebookings, journal
    certificates  a throwaway authority and a certificate for 127.0.0.1, made at run time
                (tests and benchmarks serve loopback TLS with it; needs the dev extras'
                ``cryptography``)

The judges (measures, journal, children) import only the scheduler's core, the mock's model and
httpx, so the simulation, the load tests and the tests can use them without pulling in a
server; ``gym`` starts the real parts, and is imported only where they run.
"""

__all__: list[str] = []
