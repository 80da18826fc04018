"""The admin API under ``/_admin/``: configure at run time, reset, and read the journal.

Not AimHarder's: it is how tests and load runs set a scenario up and read the verdict. It goes
around the latency pipeline and faults. With ``admin_enabled`` false every route answers 404.
An invalid body is refused with 422 naming the field, and changes nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import TypeAdapter, ValidationError

from commandline.conventions import SEEDS
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount, config_problems
from mock_aimharder.model.errors import BadInputError, ConfigProblem, MockConfigError
from mock_aimharder.server.bodies import body_bytes, json_body, parsed_json
from mock_aimharder.server.forms import fields_of
from mock_aimharder.server.routes import runtime_of

__all__ = ["JOURNAL_PAGE", "JOURNAL_PAGE_MAX", "router"]

T = TypeVar("T")
JOURNAL_PAGE = 1000  # entries per page by default: about 300 KB of JSON
JOURNAL_PAGE_MAX = 10_000


def _enabled(request: Request) -> None:
    if not runtime_of(request).config.admin_enabled:
        raise HTTPException(status_code=404)


router = APIRouter(prefix="/_admin", dependencies=[Depends(_enabled)])

_CLASSES = TypeAdapter(list[ClassSpec])
_USERS = TypeAdapter(list[UserAccount])


async def _json(request: Request) -> Any:
    return await json_body(request)


def _listed(body: Any, key: str) -> Any:
    """Accept one object, a list of them, or ``{key: [...]}``."""
    if isinstance(body, dict) and key in body:
        return body[key]
    return [body] if isinstance(body, dict) else body


def _validated(adapter: TypeAdapter[list[T]], data: Any, field: str, source: str) -> list[T]:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        problems = tuple(
            ConfigProblem(field=f"{field}.{p.field}", message=p.message)
            for p in config_problems(exc)
        )
        raise MockConfigError(source, problems) from None


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    """The configuration in force (including classes and users added at run time)."""
    return runtime_of(request).config.model_dump(mode="json")


@router.put("/config")
async def put_config(request: Request) -> dict[str, Any]:
    """Replace the whole configuration; on 422 the old one stays in force."""
    config = MockConfig.from_data(await _json(request), source="PUT /_admin/config")
    runtime = runtime_of(request)
    runtime.reconfigure(config)
    return runtime.config.model_dump(mode="json")


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    """Clear bookings, sessions and the journal; keep the configuration. An optional body
    ``{"seed": N}`` re-seeds the draws as a fresh server started with ``--seed N`` (one server
    then serves many seeded runs, without a process each)."""
    seed, body = None, await body_bytes(request)
    if body.strip():
        expected = f'{{"seed": N}}, N a whole number from 0 to {SEEDS[-1]}'
        data = parsed_json(body, expected=expected)
        seed = data.get("seed") if isinstance(data, dict) else None
        if not (isinstance(data, dict) and set(data) == {"seed"} and _is_seed(seed)):
            raise BadInputError("body", data, expected)
    runtime_of(request).reset(seed=seed)
    return {"reset": True}


def _is_seed(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in SEEDS


@router.post("/classes")
async def add_classes(request: Request) -> dict[str, Any]:
    """Add classes or replace them by id: one object, a list, or ``{"classes": [...]}``."""
    data = _listed(await _json(request), "classes")
    specs = _validated(_CLASSES, data, "classes", "POST /_admin/classes")
    runtime = runtime_of(request)
    problem = runtime.config.timing().first_problem(specs)
    if problem is not None:  # a window that opens once booking is over
        raise MockConfigError("POST /_admin/classes", (problem,))
    classes = runtime.add_classes(specs)
    return {"classes": [spec.model_dump(mode="json") for spec in classes]}


@router.get("/classes")
async def class_states(request: Request) -> dict[str, Any]:
    """Each class with who holds its spots and who waits (e-mails, in order)."""
    gym = runtime_of(request).gym

    def email(user_id: int) -> str:
        account = gym.accounts.get(user_id)
        return account.email if account else str(user_id)

    return {
        "classes": [
            {
                **state.spec.model_dump(mode="json"),
                "occupation": state.occupation,
                "holders": [email(u) for u in state.holders()],
                "waiting": [email(u) for u in state.waiters()],
            }
            for state in gym.classes()
        ]
    }


@router.post("/users")
async def add_users(request: Request) -> dict[str, Any]:
    """Add accounts or replace them by e-mail: one object, a list, or ``{"users": [...]}``."""
    data = _listed(await _json(request), "users")
    users = _validated(_USERS, data, "users", "POST /_admin/users")
    try:
        merged = runtime_of(request).add_users(users)
    except ValueError as exc:
        problem = ConfigProblem(field="users", message=str(exc))
        raise MockConfigError("POST /_admin/users", (problem,)) from None
    return {"users": [user.model_dump(mode="json") for user in merged]}


@router.get("/journal")
async def journal(request: Request) -> dict[str, Any]:
    """A page of entries with ``seq`` greater than ``since`` (default 0), in processing order:
    at most ``limit`` (default ``JOURNAL_PAGE``, at most ``JOURNAL_PAGE_MAX``). ``more`` says
    whether entries follow the page; the next page starts after the last ``seq`` of this one."""
    query = fields_of(request.query_params.multi_items())
    since = query.optional_integer("since") or 0
    limit = query.optional_integer("limit")
    limit = JOURNAL_PAGE if limit is None else limit
    if not 1 <= limit <= JOURNAL_PAGE_MAX:
        raise BadInputError("limit", limit, f"a whole number from 1 to {JOURNAL_PAGE_MAX}")
    gym = runtime_of(request).gym
    entries = gym.journal.since(since, limit=limit)
    last = len(gym.journal)
    return {
        "entries": [entry.to_json() for entry in entries],
        "last_seq": last,
        "more": bool(entries) and entries[-1].seq < last,
    }
