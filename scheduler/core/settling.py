"""How long a request whose answer never came may still land, and how long a record is watched.

A booking sent and never answered may reach AimHarder late: queued on the way or in front of
AimHarder's servers, it lands after its sender gave up, and even after a later invocation's
resend was answered "class full" (issue 22: a first request 20 s on its way lands after the
resend's refusal, once the other member cancels). So a row whose earlier request's fate is
unknown is not made ``failed`` by a later answer while that request may still land
(``may_still_land``, ``PolicyConfig.settle_horizon``); it stays ``unknown`` and AimHarder's
listing is read again at every reclaim.

Past the horizon a refusal is recorded ``failed``, with the instant of the unanswered request
kept (``Prebooking.unanswered_at``): such a row is read again from the listing, once a lease,
until its class is over (``class_over_day``), and completed if the place shows. A class is not
known by its hour here, only by its day (``Prebooking.day``, AimHarder's YYYYMMDD in the box's
own zone), so "over" is the end of that day in the latest zone on Earth (UTC-12), 36 h after
the day's midnight in UTC: never before the class has started, at most a day after it.
"""

from __future__ import annotations

from scheduler.core.domain import Instant, Seconds

__all__ = ["DAY_OVER_AFTER", "civil_day", "class_over_day", "may_still_land"]

DAY = 86_400.0
# From a day's midnight in UTC to its end in UTC-12 (Baker Island), the last zone to end a day.
DAY_OVER_AFTER: Seconds = 36 * 3600.0


def may_still_land(unanswered_at: Instant | None, *, now: Instant, horizon: Seconds) -> bool:
    """Whether a request sent at ``unanswered_at`` and never answered may still reach AimHarder
    at ``now``: the listing does not show it yet, but it may (None: every request answered)."""
    return unanswered_at is not None and now < unanswered_at + horizon


def class_over_day(now: Instant) -> str:
    """The latest day (YYYYMMDD) whose classes are all over at ``now`` in every zone: a row of
    a later day is still read from the listing. Days compare as text in this form."""
    return civil_day(now - DAY_OVER_AFTER)


def civil_day(instant: Instant) -> str:
    """The UTC calendar day of ``instant`` (Unix seconds) as YYYYMMDD, by the proleptic
    Gregorian calendar's arithmetic (the core reads no clock and imports no ``datetime``)."""
    days = int(instant // DAY) + 719_468  # days since 0000-03-01, a March-first year
    era = days // 146_097  # 400-year cycles
    of_era = days - era * 146_097
    year_of_era = (of_era - of_era // 1460 + of_era // 36_524 - of_era // 146_096) // 365
    day_of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153  # 0 = March
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = month_index + 3 if month_index < 10 else month_index - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return f"{year:04d}{month:02d}{day:02d}"
