"""AimHarder's answer codes and messages, with the client sources that read them.

``bookState`` and ``cancelState`` values and the ``errorMssgLang`` keys are AimHarder's own
(API.md, "POST /api/book" and "POST /api/cancelBook"). Refusals always carry ``errorMssg`` and
``errorMssgLang``, because the fitbot family decides success by their *absence* (API.md, "POST
/api/book"); the keys marked "mock's own" exist in no client and are only there so that rule holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

__all__ = [
    "ALREADY_BOOKED",
    "CLASS_DISABLED",
    "CLASS_FULL",
    "CONTRACT_LIMIT",
    "DAILY_LIMIT",
    "LATE_CANCELLATION",
    "NOT_IN_PLAN",
    "NO_CREDITS",
    "RESERVATION_UNKNOWN",
    "TOO_FAR_AHEAD",
    "TOO_LATE",
    "UNKNOWN_CLASS",
    "UNPAID",
    "BookState",
    "CancelState",
    "Refusal",
    "WindowUnit",
    "too_early",
]


class BookState(IntEnum):
    """``bookState`` of ``/api/book`` and of a listed class (for the asking user)."""

    BOOKED = 1  # [Cx6] + kappys1 capture
    WAITLISTED = 0  # Marc-Roig QUEUED, rudeayelo "waitlisted"
    FULL = -1  # "This class is full" (lluismather), "lista de espera llena" (kiru22)
    NO_CREDITS = -2  # "You have spent all your classes" (lluismather), "No credit available"
    # (fitbot src/exceptions.py), "Not allowed for this class" (Marc-Roig)
    TOO_FAR_AHEAD = -4  # "more than N days of anticipation", a box-wide horizon (lluismather)
    UNPAID = -5  # outstanding payment (lluismather)
    TOO_LATE = -7  # "less than 15 minutes" before the start (lluismather)
    LIMIT_REACHED = -8  # with "max" (kappys1 capture; Marc-Roig "Exceeded daily booking limit")
    NOT_ALLOWED = -12  # generic refusal, reason in errorMssgLang


class CancelState(IntEnum):
    """``cancelState`` of ``/api/cancelBook`` (rudeayelo ``#executeCancellation``, Marc-Roig)."""

    CANCELLED = 1
    LATE = 2
    DENIED = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """Why AimHarder said no: ``errorMssgLang`` (a key clients match), ``errorMssg`` (Spanish)."""

    lang: str
    message: str


class WindowUnit(StrEnum):
    """How a box words its booking window: ``ERROR_ANTELACION_CLIENTE`` counts days, ``_HORAS``
    hours (pachiclana, hecmaque and kiru22 match both keys)."""

    DAYS = "days"
    HOURS = "hours"


def too_early(count: int, unit: WindowUnit = WindowUnit.DAYS) -> Refusal:
    """Too early: kappys1 extracts N from ``(\\d+)\\s+días?\\s+de\\s+antelación`` (its capture).

    The hours wording is the mock's, built like the days one: no client parses its text.
    """
    if unit is WindowUnit.HOURS:
        return Refusal(
            lang="ERROR_ANTELACION_CLIENTE_HORAS",
            message=f"No puedes reservar clases con más de {count} horas de antelación",
        )
    return Refusal(
        lang="ERROR_ANTELACION_CLIENTE",
        message=f"No puedes reservar clases con más de {count} días de antelación",
    )


ALREADY_BOOKED = Refusal(
    lang="NOPUEDESRESERVAMISMAHORA",  # [Cx5]; kappys1 ANALYSIS.md capture
    message="No puedes hacer más de una reserva a la misma hora",
)
CLASS_FULL = Refusal(lang="CLASE_COMPLETA", message="La clase está completa")  # mock's own
UNKNOWN_CLASS = Refusal(lang="CLASE_NO_EXISTE", message="La clase no existe")  # mock's own
CLASS_DISABLED = Refusal(
    lang="CLASE_NO_DISPONIBLE", message="La clase no está disponible"
)  # mock's own
RESERVATION_UNKNOWN = Refusal(
    lang="RESERVA_NO_EXISTE", message="No se ha encontrado la reserva"
)  # mock's own; rudeayelo tests pair cancelState 3 with an errorMssg

# The keys below are the mock's own unless a source is named: clients branch on ``bookState``
# for -2, -4, -5, -7 and -8, and the text is only there for the fitbot family's rule.
NO_CREDITS = Refusal(lang="SIN_CREDITOS", message="Has gastado todas tus clases")
NOT_IN_PLAN = Refusal(lang="NO_INCLUIDA_EN_TARIFA", message="Tu tarifa no incluye esta clase")
TOO_FAR_AHEAD = Refusal(lang="DEMASIADA_ANTELACION", message="La clase es demasiado lejana")
UNPAID = Refusal(lang="PAGO_PENDIENTE", message="Tienes un pago pendiente")
TOO_LATE = Refusal(lang="DEMASIADO_TARDE", message="Ya no se puede reservar esta clase")
DAILY_LIMIT = Refusal(lang="LIMITE_DIARIO", message="Has alcanzado el límite de reservas del día")
CONTRACT_LIMIT = Refusal(
    lang="HASSUPERADOLIMITCONTR",  # Marc-Roig/AlphaBot: "The booking limit has been reached"
    message="Has superado el límite de reservas de tu contrato",
)
LATE_CANCELLATION = Refusal(
    lang="CANCELACION_TARDIA",  # cancelState 2: confirm with late=1 (rudeayelo, Marc-Roig)
    message="Si cancelas ahora perderás la clase",
)
