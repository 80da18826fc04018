"""AimHarder's rules and numbers, with no web framework and no HTTP client.

    accounts, classes, gym   who holds which place; the booking rules (window, capacity, waitlist)
    codes, dates             AimHarder's bookState codes and its day and time formats
    journal                  every booking attempt in the order it took effect
    config                   a gym's configuration (classes, users, latency, faults), checked
    distributions, latency   seeded delay distributions per endpoint and stage
    endpoints, faults        AimHarder's endpoints and the faults that can be injected on them
    errors                   the mock's error tree

The HTTP server (``mock_aimharder.server``) and the simulation (``sim``) both take AimHarder's
behaviour from here, so the two cannot disagree on who gets a place.
"""

__all__: list[str] = []
