"""One running mock: its configuration, its gym, and one request pipeline per endpoint.

The admin API changes it only through these methods, so configuration and state never
disagree: a new configuration replaces the pipelines (fresh seeded streams, fresh gates; the
requests already in flight finish under the old ones) and re-syncs the gym's catalogue; a reset
clears the gym's dynamic state and re-seeds the streams, so a run after a reset draws exactly
what a run on a fresh server would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount, assign_user_ids
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.gym import Gym
from mock_aimharder.model.latency import seeded_streams
from mock_aimharder.server.pipeline import Clock, EndpointPipeline, system_clock

__all__ = ["MockRuntime"]


class MockRuntime:
    """The mutable heart of one server; the routes read it, the admin API replaces parts."""

    def __init__(self, config: MockConfig, *, seed: int = 0, clock: Clock = system_clock) -> None:
        self.seed = seed
        self.clock = clock
        self.config = config
        self.gym = Gym(config)
        self.pipelines = self._pipelines()
        # Set whenever the classes, the clock offset or the seed's draws change, so the outside
        # crowd (``server.outside``) plans again.
        self.changed = asyncio.Event()

    def _pipelines(self) -> dict[Endpoint, EndpointPipeline]:
        streams = seeded_streams(self.seed)
        return {
            endpoint: EndpointPipeline(
                latency=self.config.latency_of(endpoint),
                faults=self.config.faults_of(endpoint),
                streams=streams[endpoint],
                clock=self.clock,
            )
            for endpoint in Endpoint
        }

    def reconfigure(self, config: MockConfig) -> None:
        """Adopt a validated configuration (see ``Gym.configure`` for what state survives)."""
        self.config = config
        self.gym.configure(config)
        self.pipelines = self._pipelines()
        self.changed.set()

    def reset(self, *, seed: int | None = None) -> None:
        """Clear bookings, sessions and the journal; keep the configuration; re-seed (with
        ``seed`` from now on when given: the draws of a fresh server started with it)."""
        if seed is not None:
            self.seed = seed
        self.gym.reset()
        self.pipelines = self._pipelines()
        self.changed.set()

    def add_classes(self, specs: Iterable[ClassSpec]) -> list[ClassSpec]:
        """Add classes or replace them by id; returns the whole catalogue."""
        merged = {spec.id: spec for spec in self.config.classes}
        specs = list(specs)
        merged.update((spec.id, spec) for spec in specs)
        self.config = self.config.model_copy(update={"classes": list(merged.values())})
        self.gym.add_classes(specs)
        self.changed.set()
        return self.config.classes

    def add_users(self, users: Iterable[UserAccount]) -> list[UserAccount]:
        """Add accounts or replace them by e-mail; ids are assigned as in the config file."""
        merged = assign_user_ids(self.config.users, users)
        self.config = self.config.model_copy(update={"users": merged})
        self.gym.set_users(merged)
        return merged
