"""The faults of one run (``sim.faults``), each drawn from a stream of its own.

A fault's stream is ``faults.<name>`` (its durations ``faults.<name>.delay``), derived only
once the fault is on: a run without faults derives none, so its recorded seeds and draws are
what they were before faults existed. AimHarder's faults share one draw per booking
(``faults.answer``), since a booking meets at most one of them. What struck, when and whom is
kept (``struck``) for the replay's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from mock_aimharder.model.distributions import Distribution
from mock_aimharder.model.latency import Sampler
from sim.faults import ANSWER_FAULTS, FaultModel
from sim.model.streams import Streams

__all__ = ["Faults", "Struck"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Struck:
    """One fault that struck: when (the model's clock), which, and whom."""

    at: float
    fault: str
    subject: str
    detail: str = ""


class Faults:
    """Whether each fault strikes now, from its own stream; nothing once ``until`` is past."""

    def __init__(self, env: simpy.Environment, model: FaultModel, streams: Streams) -> None:
        self._env = env
        self.model = model
        self._streams = streams
        self._rngs: dict[str, np.random.Generator] = {}
        self._samplers: dict[str, Sampler] = {}
        self._answer_shares = [(name, model.share(name)) for name in ANSWER_FAULTS]
        self._answers = any(share > 0 for _, share in self._answer_shares)
        self.struck: list[Struck] = []

    def _active(self) -> bool:
        return self.model.until is None or self._env.now < self.model.until

    def _rng(self, name: str) -> np.random.Generator:
        rng = self._rngs.get(name)
        if rng is None:
            rng = self._rngs[name] = self._streams.rng(f"faults.{name}")
        return rng

    def note(self, fault: str, subject: str, detail: str = "") -> None:
        self.struck.append(Struck(at=self._env.now, fault=fault, subject=subject, detail=detail))

    def strikes(self, name: str) -> bool:
        """Whether fault ``name`` strikes now (a draw only when it is on); the caller notes
        what it struck (``note``), with what it drew for it."""
        share = self.model.share(name)
        if share <= 0 or not self._active():
            return False
        return bool(self._rng(name).random() < share)

    def answer(self, subject: str) -> str | None:
        """Which of AimHarder's faults strikes booking ``subject``, if any: one draw."""
        if not self._answers or not self._active():
            return None
        u = float(self._rng("answer").random())
        for name, share in self._answer_shares:
            if u < share:
                self.note(name, subject)
                return name
            u -= share
        return None

    def delay(self, name: str, distribution: Distribution) -> float:
        """A duration for fault ``name`` (a stall, a pause, a late answer, a jump)."""
        sampler = self._samplers.get(name)
        if sampler is None:
            sampler = self._samplers[name] = self._streams.sampler(
                f"faults.{name}.delay", distribution
            )
        return sampler.sample()

    def direction(self, name: str) -> float:
        """+1 or -1, drawn from fault ``name``'s stream (a clock steps either way)."""
        return 1.0 if self._rng(name).random() < 0.5 else -1.0
