"""Days and times the way AimHarder writes them.

Days travel as ``YYYYMMDD`` (every client), class times as ``HH:MM``, the
listing's ``day`` label in Spanish ("15 de Enero de 2025": kappys1 parses
``(\\d{1,2}) de (\\w+) de (\\d{4})``), and a class starts in the box's local time (kappys1 does
the window subtraction in Europe/Madrid).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = [
    "class_start",
    "parse_clock",
    "parse_day",
    "spanish_day_label",
    "spanish_weekday_label",
    "time_range",
    "timeid",
]

_MONTHS = (
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
)


def parse_day(text: str) -> dt.date:
    """``"20250115"`` -> the date; ``ValueError`` naming the form otherwise."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"day {text!r} is not in the form YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"day {text!r} is not a calendar date (expected YYYYMMDD)") from None


def parse_clock(text: str) -> dt.time:
    """``"18:00"`` -> the time of day; ``ValueError`` naming the form otherwise."""
    hours, _, minutes = text.partition(":")
    if not (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"time {text!r} is not in the form HH:MM")
    try:
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"time {text!r} is not a time of day (expected HH:MM)") from None


def spanish_day_label(day: str) -> str:
    """``"20250115"`` -> ``"15 de Enero de 2025"``."""
    date = parse_day(day)
    return f"{date.day} de {_MONTHS[date.month - 1]} de {date.year}"


_WEEKDAYS = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")


def spanish_weekday_label(day: str) -> str:
    """``"20260926"`` -> ``"Sábado, 26 de Septiembre de 2026"`` (``nextBookings``' ``day``:
    rudeayelo checks the weekday against the date)."""
    return f"{_WEEKDAYS[parse_day(day).weekday()]}, {spanish_day_label(day)}"


def time_range(start: str, length_minutes: int) -> str:
    """``("18:00", 60)`` -> ``"18:00 - 19:00"`` (spaces around the dash, as rudeayelo expects)."""
    begin = dt.datetime.combine(dt.date(2000, 1, 1), parse_clock(start))
    end = begin + dt.timedelta(minutes=length_minutes)
    return f"{begin:%H:%M} - {end:%H:%M}"


def timeid(start: str, length_minutes: int) -> str:
    """``("18:15", 60)`` -> ``"1815_60"`` (fitbot matches ``target_time in timeid``)."""
    return f"{start.replace(':', '')}_{length_minutes}"


def class_start(day: str, start: str, timezone: str) -> float:
    """The Unix instant a class starts, reading its day and time in the box's time zone."""
    local = dt.datetime.combine(parse_day(day), parse_clock(start), tzinfo=ZoneInfo(timezone))
    return local.timestamp()
