"""AimHarder's answer bodies, built from domain outcomes (field names are AimHarder's own).

Sources per field are in mock_aimharder/API.md; the shapes follow
kappys1's zod schemas and capture, rudeayelo's strict schemas, fitbot's HTML checks.
"""

from __future__ import annotations

from html import escape
from typing import Any

from mock_aimharder.model.accounts import Account, LoginRefusal, Session
from mock_aimharder.model.config import BoxSpec
from mock_aimharder.model.dates import spanish_day_label, spanish_weekday_label, time_range, timeid
from mock_aimharder.model.gym import BookingOutcome, CancelOutcome, ClassView

__all__ = [
    "LOGIN_FAILURE_HTML",
    "LOGIN_LOCKED_HTML",
    "LOGOUT",
    "booking_answer",
    "cancel_answer",
    "json_login_failure",
    "json_login_success",
    "listing_answer",
    "login_success_html",
    "next_bookings_answer",
    "roles",
]

LOGOUT: dict[str, Any] = {"logout": 1}
"""A box route without a live session (kappys1, danielcasanovasgayoso: HTTP 200)."""

LOGIN_FAILURE_HTML = (
    "<!DOCTYPE html><html><body><form id='loginForm' method='post'>"
    '<div id="loginErrors">Usuario o contraseña incorrecto</div>'
    "</form></body></html>"
)
"""fitbot looks for id ``loginErrors`` and the phrase "incorrecto" (src/constants.py)."""

LOGIN_LOCKED_HTML = (
    "<!DOCTYPE html><html><body><form id='loginForm' method='post'>"
    '<div id="loginErrors">Has intentado acceder demasiadas veces. Inténtalo más tarde</div>'
    "</form></body></html>"
)
"""fitbot's other key phrase: "demasiadas veces" (src/exceptions.py)."""


def login_success_html(account: Account, session: Session, fingerprint: str) -> str:
    """The page after a form login: an empty ``loginErrors`` (fitbot's tests count that as
    success), and the iframe plus redirect kappys1's parser requires (html-parser.service.ts)."""
    query = (
        f"token={session.token}&fingerprint={escape(fingerprint)}"
        f"&user={account.id}&refresh={session.token}"
    )
    return (
        '<!DOCTYPE html><html><body><span id="loginErrors"></span>'
        f'<iframe src="/setrefresh?{query}"></iframe>'
        '<script>window.location.href="/home";</script></body></html>'
    )


def roles(boxes: list[BoxSpec], box_name: str, site_domain: str) -> list[dict[str, Any]]:
    """The member's boxes as whoami lists them (rudeayelo ``identitySchema``): ``role``,
    ``boid``, ``gym`` (XanVendrell reads it from the login's roles too), ``centre_url``."""
    return [
        {
            "role": "client",
            "boid": box.id,
            "gym": box.name or box_name,
            "centre_url": f"{box.subdomain}.{site_domain.lstrip('.')}",
        }
        for box in boxes
    ]


def json_login_success(
    account: Account, session: Session, member_roles: list[dict[str, Any]]
) -> dict[str, Any]:
    """``data.userData.id`` and ``data.auth.authOK`` (rudeayelo ``loginSchema``, epereztg)."""
    return {
        "data": {
            "userData": {"id": account.id, "name": account.name, "roles": member_roles},
            "auth": {"authOK": True, "refreshToken": session.token},
        }
    }


def json_login_failure(why: LoginRefusal = LoginRefusal.WRONG) -> dict[str, Any]:
    """``error.message`` (poderosonovo, XanVendrell); the locked key is the mock's own."""
    key = "LOGIN_ERROR_LOGIN" if why is LoginRefusal.WRONG else "LOGIN_ERROR_DEMASIADAS_VECES"
    return {"error": {"message": key}}


def _clases_contratadas(names: list[str]) -> str:
    return ",".join(names)


def booking_answer(outcome: BookingOutcome, class_names: list[str]) -> dict[str, Any]:
    """``/api/book``: ``clasesContratadas`` always, ``id`` (a string) on 1 and 0, ``max`` on -8."""
    body: dict[str, Any] = {
        "clasesContratadas": _clases_contratadas(class_names),
        "hasPublicMemberships": 1,
        "bookState": int(outcome.book_state),
    }
    if outcome.reservation_id is not None:
        body["id"] = str(outcome.reservation_id)
    if outcome.max is not None:
        body["max"] = outcome.max
    if outcome.refusal is not None:
        body["errorMssg"] = outcome.refusal.message
        body["errorMssgLang"] = outcome.refusal.lang
    return body


def cancel_answer(outcome: CancelOutcome) -> dict[str, Any]:
    """``/api/cancelBook``: ``cancelState``, with ``errorMssg`` when denied (rudeayelo tests)."""
    body: dict[str, Any] = {"cancelState": int(outcome.cancel_state)}
    if outcome.refusal is not None:
        body["errorMssg"] = outcome.refusal.message
        body["errorMssgLang"] = outcome.refusal.lang
    return body


def listing_answer(day: str, views: list[ClassView], *, limit_text: bool = False) -> dict[str, Any]:
    """``/api/bookings``: exactly the top-level keys rudeayelo's strict ``dailySchema`` allows
    (``resmsgs`` only on a day without classes). Rows carry no ``hidden``: live rows had none."""
    slots = {timeid(v.spec.time, v.spec.length_minutes): v for v in views}
    answer: dict[str, Any] = {
        "clasesDisp": _clases_contratadas(sorted({v.spec.name for v in views})),
        "timetable": [
            {"id": key, "time": time_range(v.spec.time, v.spec.length_minutes)}
            for key, v in sorted(slots.items())
        ],
        "day": spanish_day_label(day),
        "bookings": [_listed_class(view, limit_text) for view in views],
        "seminars": [],
    }
    if not views:  # a day without classes also had "resmsgs": [] (rudeayelo, observed live)
        answer["resmsgs"] = []
    return answer


def next_bookings_answer(views: list[ClassView], *, limit_text: bool = False) -> dict[str, Any]:
    """``/api/nextBookings``: exactly ``nextClasses`` and ``history`` (rudeayelo's strict schema);
    each class as the listing shows it (Marc-Roig maps both with one function) plus ``day``."""
    return {
        "nextClasses": [
            _listed_class(view, limit_text) | {"day": spanish_weekday_label(view.spec.day)}
            for view in views
        ],
        "history": [],
    }


def _listed_class(view: ClassView, limit_text: bool) -> dict[str, Any]:
    spec = view.spec
    # The text form carries how many wait in brackets: AlphaBot reads it with r"\((.*?)\)".
    limit = f"{spec.capacity} ({view.waiting})" if limit_text else spec.capacity
    return {
        "id": spec.id,
        "time": time_range(spec.time, spec.length_minutes),
        "timeid": timeid(spec.time, spec.length_minutes),
        "classId": spec.class_type_id,
        "className": spec.name,
        "classDesc": "",
        "color": "59, 130, 246",
        "classLength": spec.length_minutes,
        "boxName": view.box_name,
        "boxDir": "",
        "boxPic": None,
        "coachName": spec.coach,
        "coachPic": None,
        "enabled": 1 if spec.enabled else 0,
        "bookState": None if view.book_state is None else int(view.book_state),
        "idres": view.reservation_id,
        "cancelledId": view.cancelled_id,
        "ocupation": view.occupation,  # sic: AimHarder's spelling
        "limit": limit,
        "limitc": spec.capacity,
        "waitlist": spec.waitlist,
        "checkAthletesNum": 0,
        "resadmin": 0,
        "included": 1,
        "onlineclass": 0,
        "zoomid": None,
        "zoomJoinUrl": None,
        "zoomJoinPw": None,
        "spotres": None,
    }
