"""Periods as Chinese law counts them (民法典 arts. 201-203), on local dates.

* Art. 201: the day of the event (purchase, acceptance, repair) is not counted; the period starts
  the next day. A period of N days after day E therefore ends on E + N: bought on 1 March, a
  7-day return window runs 2..8 March, so 8 March is its last day.
* Art. 202: a period in months or years ends on the corresponding day of the last month; without
  one (31 January + 1 month) on that month's last day. Accepted 15 January 2024, 24 months: the
  last covered day is 15 January 2026.
* Art. 203: a last day that is a statutory rest day moves to the first working day after it
  (`ChinaCalendar.next_working_day`, applied by the warranty rule).

Days are local dates in the contract's time zone, never UTC dates: a call at 07:00 Beijing time on
16 January is 15 January in UTC but 16 January for the customer and the law.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"
"""A contract's time zone unless it names another (SPEC 2.3/2.4); also that of contracts recorded
before contracts had one (their events carry none)."""


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone the tz database knows (e.g. Asia/Urumqi, Europe/Berlin)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def add_months(d: date, months: int) -> date:
    """The corresponding day ``months`` later, clamped to the target month's last day (art. 202)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def last_day_after_days(event: date, days: int) -> date:
    """Last day of a period of ``days`` days counted from the day after ``event`` (art. 201)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    return event + timedelta(days=days)


def last_day_after_months(event: date, months: int) -> date:
    """Last day of a period of ``months`` months after ``event`` (arts. 201-202)."""
    if months < 0:
        raise ValueError("months must be >= 0")
    return add_months(event, months)


def local_date(at: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The calendar date of the instant ``at`` in ``timezone`` (``at`` must be timezone-aware)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a report instant must be timezone-aware")
    return at.astimezone(ZoneInfo(timezone)).date()
