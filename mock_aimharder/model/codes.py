"""AimHarder's answer codes and messages, with the client sources that read them.

``bookState`` and ``cancelState`` values and the ``errorMssgLang`` keys are AimHarder's own
(AIMHARDER-API.md §3, §4). Refusals always carry ``errorMssg`` and ``errorMssgLang``, because
the fitbot family decides success by their *absence* (§3, "Caution for the mock"); the keys
marked "mock's own" exist in no client and are only there so that rule holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "ALREADY_BOOKED",
    "CLASS_DISABLED",
    "CLASS_FULL",
    "RESERVATION_UNKNOWN",
    "UNKNOWN_CLASS",
    "BookState",
    "CancelState",
    "Refusal",
    "too_early",
]


class BookState(IntEnum):
    """``bookState`` of ``/api/book`` and of a listed class (for the asking user)."""

    BOOKED = 1  # [Cx6] + kappys1 capture
    WAITLISTED = 0  # Marc-Roig QUEUED, rudeayelo "waitlisted"
    FULL = -1  # "This class is full" (lluismather), "lista de espera llena" (kiru22)
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


def too_early(days: int) -> Refusal:
    """Too early: kappys1 extracts N from ``(\\d+)\\s+días?\\s+de\\s+antelación`` (capture §3)."""
    return Refusal(
        lang="ERROR_ANTELACION_CLIENTE",
        message=f"No puedes reservar clases con más de {days} días de antelación",
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
