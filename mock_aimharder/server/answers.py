"""AimHarder's answer bodies, built from domain outcomes (field names are AimHarder's own).

Sources per field are in mock_aimharder/API.md; the shapes follow AIMHARDER-API.md §1-§4:
kappys1's zod schemas and capture, rudeayelo's strict schemas, fitbot's HTML checks.
"""

from __future__ import annotations

from html import escape
from typing import Any

from mock_aimharder.model.accounts import Account, Session
from mock_aimharder.model.classes import Place
from mock_aimharder.model.codes import BookState
from mock_aimharder.model.dates import spanish_day_label, time_range, timeid
from mock_aimharder.model.gym import BookingOutcome, CancelOutcome, ClassView

__all__ = [
    "LOGIN_FAILURE_HTML",
    "LOGOUT",
    "booking_answer",
    "cancel_answer",
    "json_login_failure",
    "json_login_success",
    "listing_answer",
    "login_success_html",
]

LOGOUT: dict[str, Any] = {"logout": 1}
"""A box route without a live session (kappys1, danielcasanovasgayoso: HTTP 200)."""

LOGIN_FAILURE_HTML = (
    "<!DOCTYPE html><html><body><form id='loginForm' method='post'>"
    '<div id="loginErrors">Usuario o contraseña incorrecto</div>'
    "</form></body></html>"
)
"""fitbot looks for id ``loginErrors`` and the phrase "incorrecto" (src/constants.py)."""


def login_success_html(account: Account, session: Session, fingerprint: str) -> str:
    """The page after a form login: an empty ``loginErrors`` (fitbot's tests count that as
    success), and the iframe plus redirect kappys1's parser requires (html-parser.service.ts)."""
    query = (
        f"token={session.cookie.rsplit('|', 1)[-1]}&fingerprint={escape(fingerprint)}"
        f"&user={account.id}&refresh={session.cookie.rsplit('|', 1)[-1]}"
    )
    return (
        '<!DOCTYPE html><html><body><span id="loginErrors"></span>'
        f'<iframe src="/setrefresh?{query}"></iframe>'
        '<script>window.location.href="/home";</script></body></html>'
    )


def json_login_success(account: Account, session: Session) -> dict[str, Any]:
    """``data.userData.id`` and ``data.auth.authOK`` (rudeayelo ``loginSchema``, epereztg)."""
    return {
        "data": {
            "userData": {"id": account.id, "name": account.name, "roles": []},
            "auth": {"authOK": True, "refreshToken": session.cookie.rsplit("|", 1)[-1]},
        }
    }


def json_login_failure() -> dict[str, Any]:
    """``error.message`` (poderosonovo, XanVendrell)."""
    return {"error": {"message": "LOGIN_ERROR_LOGIN"}}


def _clases_contratadas(names: list[str]) -> str:
    return ",".join(names)


def booking_answer(outcome: BookingOutcome, class_names: list[str]) -> dict[str, Any]:
    """``/api/book``: ``clasesContratadas`` always, ``id`` (a string) on 1 and 0."""
    body: dict[str, Any] = {
        "clasesContratadas": _clases_contratadas(class_names),
        "hasPublicMemberships": 1,
        "bookState": int(outcome.book_state),
    }
    if outcome.reservation_id is not None:
        body["id"] = str(outcome.reservation_id)
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


def listing_answer(day: str, views: list[ClassView], box_name: str) -> dict[str, Any]:
    """``/api/bookings``: exactly the top-level keys rudeayelo's strict ``dailySchema`` allows."""
    slots = {timeid(v.spec.time, v.spec.length_minutes): v for v in views}
    return {
        "clasesDisp": _clases_contratadas(sorted({v.spec.name for v in views})),
        "timetable": [
            {"id": key, "time": time_range(v.spec.time, v.spec.length_minutes)}
            for key, v in sorted(slots.items())
        ],
        "day": spanish_day_label(day),
        "bookings": [_listed_class(view, box_name) for view in views],
        "seminars": [],
    }


_BOOK_STATE = {Place.SPOT: int(BookState.BOOKED), Place.WAITLIST: int(BookState.WAITLISTED)}


def _listed_class(view: ClassView, box_name: str) -> dict[str, Any]:
    spec = view.spec
    return {
        "id": spec.id,
        "time": time_range(spec.time, spec.length_minutes),
        "timeid": timeid(spec.time, spec.length_minutes),
        "classId": spec.class_type_id,
        "className": spec.name,
        "classDesc": "",
        "color": "59, 130, 246",
        "classLength": spec.length_minutes,
        "boxName": box_name,
        "boxDir": "",
        "boxPic": None,
        "coachName": spec.coach,
        "coachPic": None,
        "enabled": 1 if spec.enabled else 0,
        "bookState": None if view.place is None else _BOOK_STATE[view.place],
        "idres": view.reservation_id,
        "cancelledId": view.cancelled_id,
        "ocupation": view.occupation,  # sic: AimHarder's spelling
        "limit": spec.capacity,
        "limitc": spec.capacity,
        "waitlist": spec.waitlist,
        "checkAthletesNum": 0,
        "resadmin": 0,
        "included": 1,
        "onlineclass": 0,
        "hidden": 0,
        "zoomid": None,
        "zoomJoinUrl": None,
        "zoomJoinPw": None,
        "spotres": None,
    }
