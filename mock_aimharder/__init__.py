"""A FastAPI server that speaks AimHarder's booking API, with latency, faults and a journal.

The package root exports the pure parts (configuration, distributions, samplers, errors), which
the simulation imports without pulling in FastAPI. The server itself:
``mock_aimharder.app.create_app``, ``mock_aimharder.serving.serve``, ``python -m mock_aimharder``.
"""

from mock_aimharder.config import ClassSpec, FullClassPolicy, MockConfig, UserAccount
from mock_aimharder.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Normal,
    Seconds,
    Uniform,
)
from mock_aimharder.endpoints import Endpoint
from mock_aimharder.errors import (
    BadInputError,
    ConfigProblem,
    MockConfigError,
    MockError,
    ServingError,
)
from mock_aimharder.faults import Fault, FaultSpec
from mock_aimharder.latency import EndpointLatency, Sampler, seeded_streams

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
