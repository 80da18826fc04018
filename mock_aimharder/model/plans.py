"""What each member's plan allows, and the credits each has spent.

AimHarder refuses a booking the member's plan does not allow with -2 (no credits left, or a
class the plan does not include: "You have spent all your classes" in lluismather, "No credit
available" in fitbot, "Not allowed for this class" in Marc-Roig), -5 (an outstanding payment,
lluismather), -12 ``HASSUPERADOLIMITCONTR`` (the contract's limit of reservations, Marc-Roig) and
-8 with ``max`` (the box's limit per day: kappys1's capture, Marc-Roig). ``clasesContratadas``
lists the class names the plan includes (kappys1's capture).

**Decisions** (no client shows them): a spot and a waitlist place cost one credit each, at
booking; a cancellation in time gives it back, a late one does not. Both limits count live
reservations (spots and waitlist places); the daily one those on the class's day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mock_aimharder.model.codes import (
    CONTRACT_LIMIT,
    DAILY_LIMIT,
    NO_CREDITS,
    NOT_IN_PLAN,
    UNPAID,
    BookState,
    Refusal,
)
from mock_aimharder.model.config import UserAccount

__all__ = ["Holdings", "PlanRefusal", "Plans"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Holdings:
    """A member's live reservations: in all, and on the day of the class being booked."""

    total: int
    that_day: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRefusal:
    """Why the plan refuses: the state, the reason, and ``max`` for -8."""

    book_state: BookState
    refusal: Refusal
    max: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Plan:
    credits: int | None
    classes: frozenset[str] | None
    contract_limit: int | None
    unpaid: bool


class Plans:
    """Every member's plan, the box's daily limit, and the credits spent so far."""

    def __init__(self) -> None:
        self._plans: dict[int, _Plan] = {}
        self._spent: dict[int, int] = {}
        self.daily_limit: int | None = None

    def configure(self, users: Iterable[UserAccount], *, daily_limit: int | None) -> None:
        """Adopt the members' plans (ids already assigned); credits spent are kept."""
        self.daily_limit = daily_limit
        self._plans = {
            user.id: _Plan(
                credits=user.credits,
                classes=None if user.plan is None else frozenset(user.plan),
                contract_limit=user.contract_limit,
                unpaid=user.unpaid,
            )
            for user in users
            if user.id is not None
        }

    def reset(self) -> None:
        """Forget the credits spent."""
        self._spent.clear()

    def counts_holdings(self, user_id: int) -> bool:
        """Whether ``refusal`` needs the member's ``Holdings`` (a limit applies)."""
        plan = self._plans.get(user_id)
        return self.daily_limit is not None or (
            plan is not None and plan.contract_limit is not None
        )

    def refusal(
        self, user_id: int, class_name: str, holdings: Holdings | None
    ) -> PlanRefusal | None:
        """The plan's reason to refuse this booking, checked in the order of the codes above."""
        plan = self._plans.get(user_id)
        if plan is not None:
            if plan.unpaid:
                return PlanRefusal(book_state=BookState.UNPAID, refusal=UNPAID)
            if plan.classes is not None and class_name not in plan.classes:
                return PlanRefusal(book_state=BookState.NO_CREDITS, refusal=NOT_IN_PLAN)
            if plan.credits is not None and self._spent.get(user_id, 0) >= plan.credits:
                return PlanRefusal(book_state=BookState.NO_CREDITS, refusal=NO_CREDITS)
            limit = plan.contract_limit
            if limit is not None and holdings is not None and holdings.total >= limit:
                return PlanRefusal(book_state=BookState.NOT_ALLOWED, refusal=CONTRACT_LIMIT)
        daily = self.daily_limit
        if daily is not None and holdings is not None and holdings.that_day >= daily:
            return PlanRefusal(book_state=BookState.LIMIT_REACHED, refusal=DAILY_LIMIT, max=daily)
        return None

    def spend(self, user_id: int) -> None:
        """One credit for a new spot or waitlist place."""
        self._spent[user_id] = self._spent.get(user_id, 0) + 1

    def refund(self, user_id: int) -> None:
        """A cancellation in time gives the credit back."""
        self._spent[user_id] = max(0, self._spent.get(user_id, 0) - 1)

    def credits_left(self, user_id: int) -> int | None:
        """Credits the member can still spend; None: unlimited."""
        plan = self._plans.get(user_id)
        if plan is None or plan.credits is None:
            return None
        return max(0, plan.credits - self._spent.get(user_id, 0))

    def contracted(self, user_id: int, every_class: list[str]) -> list[str]:
        """``clasesContratadas``: the plan's class names, or every class when it has none."""
        plan = self._plans.get(user_id)
        if plan is None or plan.classes is None:
            return every_class
        return sorted(plan.classes)
