"""A deterministic driver for core tests: flows against a script of latencies and answers.

No SimPy, no store, no sockets: a heap of ``(time, seq)`` events is the whole event loop, so the
same script always gives the same trace. Each effect takes ``latency[<effect name>]`` seconds
(``Book``'s per attempt comes from ``answers``); what the world answers comes from the script:

- ``FindReady``: the ``ready`` prebookings with ``available_at <= now``, in the script's order
  (not sorted: the core must sort), at most ``limit``;
- ``Claim``: the prebooking, now ``executing``; ``None`` for ids in ``lost``;
- ``GetSession``: a session; ``None`` for users in ``no_session``;
- ``Book``: ``answers[id][attempt - 1]`` (the last one repeats; default: booked after
  ``latency["Book"]``); an answer slower than the effect's ``timeout`` becomes a
  ``TransportError`` at the timeout, as httpx would raise;
- ``ReadPlace``: ``places[id]`` (default None: no place) after ``latency["ReadPlace"]``, a
  ``TransportError`` at the timeout when that is longer;
- ``MarkResult``: ``True``, ``False`` for ids in ``unrecorded``;
- ``errors[(effect name, id or user)]`` is thrown in instead, after the effect's latency.

``Run.trace`` is every effect with the time it was yielded; ``Run.steps()`` a readable digest.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from scheduler.core import domain, effects
from scheduler.core.errors import Failure, TransportError
from scheduler.core.status import Status

__all__ = ["ANA", "Answer", "Run", "Script", "prebooking", "run"]

# (latency, what AimHarder answers or raises)
Answer = tuple[domain.Seconds, domain.BookingResult | Exception]
ANA = domain.Prebooking(
    id=domain.PrebookingId("p1"),
    user=domain.UserId("ana@example.com"),
    class_id=100,
    day="20261130",
    box=1,
    available_at=0.0,
    created_at=-60.0,
)
"""One prebooking whose window opens at 0, asked for a minute before: the flows' tests' own."""
MAX_EVENTS = 100_000  # a flow that never ends fails its test instead of hanging it


def prebooking(i: int, *, created_at: float | None = None) -> domain.Prebooking:
    """Prebooking ``p{i:02d}`` of its own user, ready at 0, asked for in order of ``i``."""
    return domain.Prebooking(
        id=domain.PrebookingId(f"p{i:02d}"),
        user=domain.UserId(f"user{i}@example.com"),
        class_id=100,
        day="20261130",
        box=1,
        available_at=0.0,
        created_at=-1000.0 + i if created_at is None else created_at,
    )


@dataclass(frozen=True, kw_only=True)
class Script:
    ready: Sequence[domain.Prebooking] = ()
    latency: Mapping[str, domain.Seconds] = field(default_factory=dict)
    answers: Mapping[str, Sequence[Answer]] = field(default_factory=dict)
    lost: Collection[str] = ()
    no_session: Collection[str] = ()
    unrecorded: Collection[str] = ()
    places: Mapping[str, int | None] = field(default_factory=dict)
    errors: Mapping[tuple[str, str], Exception] = field(default_factory=dict)


@dataclass
class Run:
    value: Any
    now: domain.Instant
    trace: list[tuple[domain.Instant, effects.Effect]]

    def steps(self, *kinds: str) -> list[tuple[float, str, str]]:
        """``(time, effect name, prebooking id / user / instant)``, of ``kinds`` if given."""
        return [
            (round(at, 9), type(effect).__name__, _subject(effect))
            for at, effect in self.trace
            if not kinds or type(effect).__name__ in kinds
        ]

    def effects(self, kind: type[effects.Effect]) -> list[Any]:
        return [effect for _, effect in self.trace if isinstance(effect, kind)]


def run(flow: effects.Flow[Any], script: Script, *, now: domain.Instant = 0.0) -> Run:
    """Drive ``flow`` (and every child it spawns) to its end; returns its value and trace."""
    return _Loop(script, now).run(flow)


def _subject(effect: effects.Effect) -> str:
    match effect:
        case (
            effects.Claim(prebooking_id=pid)
            | effects.MarkResult(prebooking_id=pid)
            | effects.Spawn(key=pid)
        ):
            return pid
        case effects.Book(prebooking=prebooking) | effects.ReadPlace(prebooking=prebooking):
            return prebooking.id
        case effects.GetSession(user=user):
            return user
        case effects.Sleep(until=until) | effects.WaitAny(until=until):
            return "-" if until is None else f"{until:.9g}"
        case effects.FindReady(limit=limit):
            return str(limit)


@dataclass(eq=False)
class _Process:
    flow: effects.Flow[Any]
    key: str | None
    parent: _Process | None
    done: bool = False
    value: Any = None
    finished: dict[str, Any] = field(default_factory=dict)  # its children that returned
    waiting: int | None = None  # the token of the WaitAny it is parked on
    among: frozenset[str] = frozenset()  # what that WaitAny waits among

    def ready(self) -> tuple[effects.Finished, ...]:
        return tuple(
            effects.Finished(key=domain.PrebookingId(key), value=value)
            for key, value in self.finished.items()
            if key in self.among
        )


@dataclass(frozen=True)
class _Start:
    pass


@dataclass(frozen=True)
class _Send:
    value: Any


@dataclass(frozen=True)
class _Throw:
    error: BaseException


@dataclass(frozen=True)
class _Wake:
    token: int


_Action = _Start | _Send | _Throw | _Wake


class _Loop:
    def __init__(self, script: Script, now: domain.Instant) -> None:
        self.script = script
        self.now = now
        self.trace: list[tuple[domain.Instant, effects.Effect]] = []
        self._heap: list[tuple[domain.Instant, int, _Process, _Action]] = []
        self._seq = itertools.count()
        self._attempts: dict[str, int] = {}

    def run(self, flow: effects.Flow[Any]) -> Run:
        root = _Process(flow=flow, key=None, parent=None)
        self._at(self.now, root, _Start())
        for _ in range(MAX_EVENTS):
            if not self._heap:
                break
            at, _, process, action = heapq.heappop(self._heap)
            if isinstance(action, _Wake):
                if process.waiting != action.token:
                    continue  # that WaitAny was already answered, by a child or by its timeout
                process.waiting = None
                action = _Send(process.ready())
            self.now = at
            self._step(process, action)
        else:
            raise AssertionError(f"more than {MAX_EVENTS} events: the flow does not end")
        if not root.done:
            raise AssertionError(f"stuck at {self.now}: nothing scheduled, the flow is waiting")
        return Run(value=root.value, now=self.now, trace=self.trace)

    def _at(self, at: domain.Instant, process: _Process, action: _Action) -> None:
        heapq.heappush(self._heap, (at, next(self._seq), process, action))

    def _step(self, process: _Process, action: _Start | _Send | _Throw) -> None:
        """Resume ``process``; go on while its effects answer at once (Spawn, a ready WaitAny)."""
        next_action: _Start | _Send | _Throw | None = action
        while next_action is not None:
            effect = self._resume(process, next_action)
            if effect is None:
                return
            self.trace.append((self.now, effect))
            next_action = self._handle(process, effect)

    def _resume(self, process: _Process, action: _Start | _Send | _Throw) -> effects.Effect | None:
        try:
            match action:
                case _Start():
                    return next(process.flow)
                case _Send(value=value):
                    return process.flow.send(effects.Reply(value=value, now=self.now))
                case _Throw(error=error):
                    if isinstance(error, Failure):
                        error.at(self.now)
                    return process.flow.throw(error)
        except StopIteration as stop:
            self._finish(process, stop.value)
        return None

    def _handle(self, process: _Process, effect: effects.Effect) -> _Send | None:
        """Performs ``effect``; the reply if it is immediate, else None (an event will resume)."""
        match effect:
            case effects.Spawn(key=key, flow=child):
                self._at(self.now, _Process(flow=child, key=key, parent=process), _Start())
                return _Send(None)  # the parent goes on at once; the child starts right after
            case effects.WaitAny(among=among, until=until):
                process.among = among
                if finished := process.ready():
                    return _Send(finished)
                process.waiting = token = next(self._seq)
                if until is not None:
                    self._at(max(until, self.now), process, _Wake(token))
            case effects.Sleep(until=until):
                self._at(max(until, self.now), process, _Send(None))
            case (
                effects.FindReady()
                | effects.Claim()
                | effects.GetSession()
                | effects.Book()
                | effects.ReadPlace()
                | effects.MarkResult()
            ):
                latency, outcome = self._perform(effect)
                done = _Throw(outcome) if isinstance(outcome, BaseException) else _Send(outcome)
                self._at(self.now + latency, process, done)
            case _:
                assert_never(effect)
        return None

    def _finish(self, process: _Process, value: Any) -> None:
        process.done, process.value = True, value
        parent = process.parent
        if parent is None or process.key is None:
            return
        parent.finished[process.key] = value
        if parent.waiting is not None and process.key in parent.among:
            self._at(self.now, parent, _Wake(parent.waiting))

    def _perform(
        self,
        effect: effects.FindReady
        | effects.Claim
        | effects.GetSession
        | effects.Book
        | effects.ReadPlace
        | effects.MarkResult,
    ) -> tuple[domain.Seconds, Any]:
        script, name = self.script, type(effect).__name__
        latency = script.latency.get(name, 0.0)
        match effect:
            case effects.FindReady(now=now, limit=limit):
                ready = [p for p in script.ready if p.available_at <= now]
                return self._or_error(name, "", latency, tuple(ready[:limit]))
            case effects.Claim(prebooking_id=pid, instance_id=instance, now=now):
                row = next(p for p in script.ready if p.id == pid)
                claimed = None if pid in script.lost else _claimed(row, instance, now)
                return self._or_error(name, pid, latency, claimed)
            case effects.GetSession(user=user):
                session = None if user in script.no_session else domain.Session(user=user)
                return self._or_error(name, user, latency, session)
            case effects.Book() | effects.ReadPlace():
                return self._request(effect, latency)
            case effects.MarkResult(prebooking_id=pid):
                return self._or_error(name, pid, latency, pid not in script.unrecorded)
            case _:
                assert_never(effect)

    def _request(
        self, effect: effects.Book | effects.ReadPlace, latency: domain.Seconds
    ) -> tuple[domain.Seconds, Any]:
        if isinstance(effect, effects.Book):
            return self._book(effect.prebooking, effect.timeout)
        if latency > effect.timeout:
            timed_out = f"GET /api/bookings timed out after {effect.timeout:g} s"
            return effect.timeout, TransportError(timed_out)
        place = self.script.places.get(effect.prebooking.id)
        return self._or_error("ReadPlace", effect.prebooking.id, latency, place)

    def _or_error(
        self, name: str, subject: str, latency: domain.Seconds, value: Any
    ) -> tuple[domain.Seconds, Any]:
        return latency, self.script.errors.get((name, subject), value)

    def _book(
        self, prebooking: domain.Prebooking, timeout: domain.Seconds
    ) -> tuple[domain.Seconds, Any]:
        attempt = self._attempts[prebooking.id] = self._attempts.get(prebooking.id, 0) + 1
        booked = domain.BookingResult(book_state=1, reservation_id=f"r-{prebooking.id}")
        default = [(self.script.latency.get("Book", 0.0), booked)]
        answers = self.script.answers.get(prebooking.id, default)
        latency, answer = answers[min(attempt, len(answers)) - 1]
        if latency > timeout:
            return timeout, TransportError(f"POST /api/book timed out after {timeout:g} s")
        return latency, answer


def _claimed(
    row: domain.Prebooking, instance: domain.InstanceId, now: domain.Instant
) -> domain.Prebooking:
    return dataclasses.replace(row, status=Status.EXECUTING, claimed_by=instance, claimed_at=now)
