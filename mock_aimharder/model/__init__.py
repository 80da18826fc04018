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

from mock_aimharder.model.config import ClassSpec, FullClassPolicy, MockConfig, UserAccount
from mock_aimharder.model.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Normal,
    Seconds,
    Uniform,
)
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.errors import (
    BadInputError,
    ConfigProblem,
    MockConfigError,
    MockError,
    ServingError,
)
from mock_aimharder.model.faults import Fault, FaultSpec
from mock_aimharder.model.latency import EndpointLatency, Sampler, seeded_streams

__all__ = [
    "BadInputError",
    "ClassSpec",
    "ConfigProblem",
    "Distribution",
    "Empirical",
    "Endpoint",
    "EndpointLatency",
    "Exponential",
    "Fault",
    "FaultSpec",
    "Fixed",
    "FullClassPolicy",
    "LogNormal",
    "MockConfig",
    "MockConfigError",
    "MockError",
    "Normal",
    "Sampler",
    "Seconds",
    "ServingError",
    "Uniform",
    "UserAccount",
    "seeded_streams",
]
