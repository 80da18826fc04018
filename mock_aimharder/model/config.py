"""The mock's whole configuration: one validated pydantic model, loadable from TOML or JSON.

Everything a scenario sets lives here: accounts, classes (capacity, waitlist, window opening),
per-endpoint latency and faults, and where clients disagree as knobs
(API.md, "Where clients disagree").
Unknown keys are refused (a typo must not silently mean "default"), and every refusal names the
field path and the expected form.
"""

from __future__ import annotations

import json
import tomllib
import zlib
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from commandline.durations import DurationError, parse_duration
from mock_aimharder.model.codes import WindowUnit
from mock_aimharder.model.dates import parse_clock, parse_day
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.errors import ConfigProblem, MockConfigError
from mock_aimharder.model.faults import FaultSpec
from mock_aimharder.model.latency import EndpointLatency
from mock_aimharder.model.outside import OutsideDemand
from mock_aimharder.model.timing import Timing

__all__ = [
    "DEFAULT_BOX",
    "MAX_CONFIG_BYTES",
    "BoxSpec",
    "ClassSpec",
    "FullClassPolicy",
    "MockConfig",
    "UserAccount",
    "assign_user_ids",
    "config_problems",
]

DEFAULT_BOX = 10122
"""A real box id (crossfitcerdanyola300, kappys1 migration 004 comments); any int works."""

FIRST_USER_ID = 100001

Hostname = Annotated[
    str,
    StringConstraints(
        to_lower=True,
        max_length=253,
        pattern=r"^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$",
    ),
]
"""A host name such as ``aimharder.com`` (a leading dot is allowed, as in a cookie domain)."""
Minutes = Annotated[float, Field(ge=0, le=7 * 24 * 60, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UserAccount(_Model):
    """A gym member who can log in; ``id`` is assigned in order when omitted."""

    email: Annotated[str, Field(min_length=1)]
    password: str
    id: Annotated[int, Field(ge=1)] | None = None
    name: str | None = None
    credits: Annotated[int, Field(ge=0, le=100_000)] | None = None
    """Classes the plan pays for (a spot or a waitlist place each); None: unlimited."""
    plan: list[Annotated[str, Field(min_length=1)]] | None = None
    """Class names the plan covers (``clasesContratadas``); None: every class."""
    contract_limit: Annotated[int, Field(ge=1, le=1000)] | None = None
    """Live reservations the contract allows at once (``HASSUPERADOLIMITCONTR`` past it)."""
    unpaid: bool = False
    """An outstanding payment: every booking is refused with -5."""


class BoxSpec(_Model):
    """A box: its numeric id (the ``box`` field), its subdomain (``{box}.aimharder.com`` and the
    ``/{box}/api/...`` routes) and its name (``boxName``, whoami's ``gym``)."""

    id: Annotated[int, Field(ge=1)]
    subdomain: Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None


class ClassSpec(_Model):
    """One class session on one day: the thing ``/api/book`` books by ``id``."""

    id: Annotated[int, Field(ge=1)]
    box: Annotated[int, Field(ge=1)] = DEFAULT_BOX
    day: str
    time: str
    length_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    name: Annotated[str, Field(min_length=1)] = "CrossFit"
    type_id: Annotated[int, Field(ge=1)] | None = None
    coach: str | None = "Coach Mock"
    capacity: Annotated[int, Field(ge=0)] = 20
    waitlist: Annotated[int, Field(ge=0)] = 0
    opens_at: Annotated[float, Field(allow_inf_nan=False)] | None = None
    enabled: bool = True
    # Members and bots that are not ours, booking from the opening on (``model.outside``).
    outside: OutsideDemand = OutsideDemand()

    @field_validator("day")
    @classmethod
    def _day_form(cls, value: str) -> str:
        parse_day(value)
        return value

    @field_validator("time")
    @classmethod
    def _time_form(cls, value: str) -> str:
        parse_clock(value)
        return value

    @property
    def class_type_id(self) -> int:
        """``classId`` in the listing: the class *type*, stable per name unless set."""
        return self.type_id or zlib.crc32(self.name.encode()) % 100_000 + 1


class FullClassPolicy(StrEnum):
    """What ``/api/book`` does when the class is full (box policy: API.md, "POST /api/book")."""

    WAITLIST_IF_INSIST = "waitlist_if_insist"
    """Join the waitlist only with ``insist=1`` (when it has room); ``insist=0`` or none: -1.
    The default (API.md, "Full class and ``insist``")."""
    WAITLIST_WHEN_ROOM = "waitlist_when_room"
    """Join the waitlist when it has room, whatever ``insist`` says; else -1."""


class MockConfig(_Model):
    """The configuration of one mock AimHarder server (all fields optional)."""

    users: list[UserAccount] = Field(default_factory=list)
    timezone: str = "Europe/Madrid"
    classes: list[ClassSpec] = Field(default_factory=list)
    boxes: list[BoxSpec] = Field(default_factory=list)
    latency: dict[Endpoint, EndpointLatency] = Field(default_factory=dict)
    faults: dict[Endpoint, FaultSpec] = Field(default_factory=dict)
    login_failure_status: Annotated[int, Field(ge=200, le=599)] = 200
    admin_enabled: bool = True
    full_class_policy: FullClassPolicy = FullClassPolicy.WAITLIST_IF_INSIST
    session_ttl_seconds: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1800.0
    box_name: str = "CrossFit Mock"
    listing_limit: Literal["number", "text"] = "number"
    """``limit`` in the listing: the capacity, or ``"20 (3)"`` with how many wait."""
    cookie_domain: Hostname | None = None
    """``Domain`` of ``amhrdrauth``; None: the site the request was addressed to, as AimHarder
    sets it (host-only when addressed by an IP: API.md, "Cookie domain")."""
    site_domain: Hostname | None = None
    """The parent of every box host (whoami's ``centre_url``, ``/home``'s links); None: the
    site the request was addressed to, ``aimharder.com`` when addressed by an IP."""
    cancelled_listing: Literal["cleared", "marked"] = "cleared"
    """A cancelled reservation's row: ``cleared`` (no ``idres``, no ``cancelledId``, as observed
    live) or ``marked`` (``idres`` kept and ``cancelledId`` set)."""
    dead_session_status: Literal[200, 401] = 200
    lockout_after: Annotated[int, Field(ge=1, le=1000)] | None = None
    lockout_seconds: Annotated[float, Field(gt=0, le=7 * 86_400, allow_inf_nan=False)] = 900.0
    window_unit: WindowUnit = WindowUnit.DAYS
    booking_window: Annotated[float, Field(gt=0, le=366 * 24, allow_inf_nan=False)] | None = None
    """Classes without ``opens_at`` open this long (in ``window_unit``) before they start."""
    horizon_days: Annotated[int, Field(ge=0, le=366)] | None = None
    closes_minutes_before: Minutes | None = None
    late_cancel_minutes: Minutes | None = None
    daily_limit: Annotated[int, Field(ge=1, le=100)] | None = None
    # AimHarder's clock minus the clients' (seconds): positive, windows open early for them.
    clock_offset: Annotated[float, Field(ge=-3600, le=3600, allow_inf_nan=False)] = 0.0

    @field_validator("users")
    @classmethod
    def _unique_users(cls, users: list[UserAccount]) -> list[UserAccount]:
        return assign_user_ids([], users)

    @field_validator("classes")
    @classmethod
    def _unique_classes(cls, classes: list[ClassSpec]) -> list[ClassSpec]:
        seen: set[int] = set()
        for spec in classes:
            if spec.id in seen:
                raise ValueError(f"class id {spec.id} appears twice; ids must be unique")
            seen.add(spec.id)
        return classes

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; expected an IANA name") from None
        return value

    @field_validator("boxes")
    @classmethod
    def _unique_boxes(cls, boxes: list[BoxSpec]) -> list[BoxSpec]:
        for key in ("id", "subdomain"):
            values = [getattr(box, key) for box in boxes]
            twice = {value for value in values if values.count(value) > 1}
            if twice:
                raise ValueError(f"box {key} {sorted(twice)[0]!r} appears twice; must be unique")
        return boxes

    @model_validator(mode="after")
    def _windows_open_before_the_class(self) -> Self:
        if self.window_unit is WindowUnit.DAYS and (self.booking_window or 0) > 366:
            raise ValueError(f"booking_window: {self.booking_window} days; expected at most 366")
        problem = self.timing().first_problem(self.classes)
        if problem is not None:
            raise ValueError(str(problem))
        return self

    def timing(self) -> Timing:
        """The box's clock rules (window, horizon, closing, late cancellation)."""
        return Timing(
            timezone=self.timezone,
            unit=self.window_unit,
            window=self.booking_window,
            horizon_days=self.horizon_days,
            closes_before=None
            if self.closes_minutes_before is None
            else 60.0 * self.closes_minutes_before,
            late_cancel_before=None
            if self.late_cancel_minutes is None
            else 60.0 * self.late_cancel_minutes,
        )

    def latency_of(self, endpoint: Endpoint) -> EndpointLatency:
        """The endpoint's latency, zero when not configured."""
        return self.latency.get(endpoint) or EndpointLatency()

    def faults_of(self, endpoint: Endpoint) -> FaultSpec:
        """The endpoint's faults, none when not configured."""
        return self.faults.get(endpoint) or FaultSpec()

    @classmethod
    def from_data(cls, data: object, *, source: str = "data", now: float | None = None) -> Self:
        """Validate a decoded document; ``MockConfigError`` lists every bad field. A class's
        ``opens_in`` (a duration: ``"30s"``, ``"2m"``) becomes ``opens_at`` = ``now`` + it, so
        an example gym's windows open a moment after the mock starts."""
        try:
            return cls.model_validate(_opening_from_now(data, now))
        except ValidationError as exc:
            raise MockConfigError(source, config_problems(exc)) from None
        except ValueError as exc:  # an opens_in that is not a duration, or without a clock
            field, _, message = str(exc).partition(": ")
            raise MockConfigError(source, (ConfigProblem(field=field, message=message),)) from None

    @classmethod
    def from_file(cls, path: str | Path, *, now: float | None = None) -> Self:
        """Load ``.toml`` or ``.json``; syntax errors name the line, field errors the path."""
        path = Path(path)

        def refused(field: str, message: str) -> MockConfigError:
            return MockConfigError(str(path), (ConfigProblem(field=field, message=message),))

        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise refused("<file>", f"cannot be read: {exc.strerror}") from None
        if len(raw) > MAX_CONFIG_BYTES:  # /dev/zero was read until memory ran out
            raise refused("<file>", f"larger than {MAX_CONFIG_BYTES} bytes; expected at most that")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = f"byte {exc.start} is not UTF-8; expected a text file"
            raise refused("<file>", problem) from None
        data: Any
        try:
            if path.suffix == ".toml":
                data = tomllib.loads(text)
            elif path.suffix == ".json":
                data = json.loads(text)
            else:
                raise refused("<file>", f"suffix {path.suffix!r}; expected a .toml or .json file")
        except tomllib.TOMLDecodeError as exc:
            raise refused("<syntax>", f"{exc}; expected valid TOML") from None
        except json.JSONDecodeError as exc:
            raise refused("<syntax>", f"{exc}; expected valid JSON") from None
        except RecursionError:
            raise refused(
                "<syntax>", "nested deeper than the parser reads; expected a few levels"
            ) from None
        return cls.from_data(data, source=str(path), now=now)


MAX_CONFIG_BYTES = 4 * 2**20
"""A configuration file's size bound: the admin API's body bound (``server.bodies.MAX_BODY``),
which fits thousands of classes and users (issue 22, item 8)."""
MAX_OPENS_IN = 366 * 86_400.0  # seconds: a window opens within a year, as booking_window's bound


def _opening_from_now(data: object, now: float | None) -> object:
    """``data`` with each class's ``opens_in`` turned into ``opens_at`` (``now`` + it)."""
    if not isinstance(data, dict) or not isinstance(data.get("classes"), list):
        return data
    classes = []
    for index, spec in enumerate(data["classes"]):
        if not isinstance(spec, dict) or "opens_in" not in spec:
            classes.append(spec)
            continue
        field = f"classes.{index}.opens_in"
        given = {**spec}
        text = given.pop("opens_in")
        if "opens_at" in given:
            raise ValueError(f"{field}: given with opens_at; expected one of the two")
        if now is None:
            raise ValueError(f"{field}: needs the time the mock starts; expected opens_at here")
        try:
            seconds = parse_duration(str(text))
        except DurationError as exc:
            raise ValueError(f"{field}: {exc}") from None
        if not 0 <= seconds <= MAX_OPENS_IN:
            raise ValueError(f"{field}: {text!r}; expected a duration from 0 to 366 days")
        classes.append({**given, "opens_at": now + seconds})
    return {**data, "classes": classes}


def assign_user_ids(
    existing: Sequence[UserAccount], new: Iterable[UserAccount]
) -> list[UserAccount]:
    """``existing`` plus ``new``: a known e-mail is replaced (keeping its id), the rest appended.

    Missing ids get the next free one from ``FIRST_USER_ID`` in order, so the same file always
    gives the same ids. A duplicate id is refused naming both e-mails.
    """
    by_email: dict[str, UserAccount] = {user.email.lower(): user for user in existing}
    for given in new:
        key = given.email.lower()
        known = by_email.get(key)
        keep_id = known is not None and given.id is None
        by_email[key] = given.model_copy(update={"id": known.id}) if keep_id and known else given
    taken: dict[int, str] = {}
    for user in by_email.values():
        if user.id is not None:
            if user.id in taken:
                raise ValueError(
                    f"user id {user.id} is given to both {taken[user.id]!r} and {user.email!r}"
                )
            taken[user.id] = user.email
    next_id = max([FIRST_USER_ID - 1, *taken]) + 1
    result: list[UserAccount] = []
    for user in by_email.values():
        if user.id is None:
            result.append(user.model_copy(update={"id": next_id}))
            next_id += 1
        else:
            result.append(user)
    return result


def config_problems(exc: ValidationError) -> tuple[ConfigProblem, ...]:
    """One ``ConfigProblem`` per pydantic error, with a dotted path and the value given."""
    problems = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "<root>"
        message = error["msg"]
        if field == "<root>" and error["type"] == "value_error":
            # A rule across fields names its field first: "classes.0.opens_at: ...".
            named, _, rest = message.removeprefix("Value error, ").partition(": ")
            if rest and " " not in named:
                problems.append(ConfigProblem(field=named, message=rest))
                continue
        given = error.get("input")
        hidden = isinstance(given, dict | list) or repr(given) in message
        shown = "" if hidden else f" (got {given!r})"
        problems.append(ConfigProblem(field=field, message=f"{message}{shown}"))
    return tuple(problems)
