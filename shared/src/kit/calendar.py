"""Working days on the Russian production calendar (ID-05), with the decreed transfers.

Deadlines such as "the policy within 2 working days of payment" (DMS-06) or "within 1 working day"
(OMS-03) count working days. The ``holidays`` package knows the holidays, the days off moved by
government decree and the Saturdays made working days; its version is pinned in constraints.txt
because a new decree arrives with a new release.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: date) -> bool:
    return bool(_calendar(day.year).is_working_day(day))


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``. Day 0 is ``start`` itself when it is a working
    day, else the next working day: an event on a holiday starts counting on the next working day."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    while not is_working_day(current):
        current += timedelta(days=1)
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


#: Business days are Moscow's: UTC+3, without daylight saving since 2014.
MOSCOW = timezone(timedelta(hours=3), "MSK")


def business_day(moment: datetime) -> date:
    """The Moscow date of a moment (a naive moment, as SQLite returns it, is UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(MOSCOW).date()


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day``."""
    years: int = relativedelta(day, birth_date).years
    return years
