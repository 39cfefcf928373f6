"""Public holidays a business calendar follows: the one China calendar shared with intake.

A calendar naming ``public_holidays="china"`` reads its public holidays and make-up working days
(调休) from `shared.calendars.china`, the same data intake's warranty rules use, so the SLA clocks
and the ticket's entitlement agree on which days are worked, and next year's schedule arrives for
every such calendar with one refresh (`python -m shared.calendars.refresh`), not by editing each
calendar document.

Beyond the years the data covers an SLA deadline must still be computed (a ticket cannot wait for
the State Council): such a day is treated as an ordinary day of the week, and a warning is logged
once per calendar and year so that operators refresh the data.
"""

from __future__ import annotations

import logging
from datetime import date
from enum import Enum

from shared.calendars.china import china_calendar

SOURCES = frozenset({"china"})
logger = logging.getLogger(__name__)
_warned: set[tuple[str, int]] = set()


class DayKind(Enum):
    ORDINARY = "ordinary"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


def check_source(source: str | None) -> None:
    if source is not None and source not in SOURCES:
        raise ValueError(f"unknown public holiday calendar {source!r}; known: {sorted(SOURCES)}")


def day_kind(source: str, day: date, calendar_id: str) -> DayKind:
    """What the public calendar ``source`` says of local date ``day``."""
    china = china_calendar()
    if not china.covers(day):
        if (calendar_id, day.year) not in _warned:
            _warned.add((calendar_id, day.year))
            logger.warning(
                "calendar %s: %s is beyond the China holiday calendar (%s-%s); treated as an ordinary "
                "day. Run `python -m shared.calendars.refresh` once the State Council publishes %s.",
                calendar_id,
                day.isoformat(),
                china.first_year,
                china.last_year,
                day.year,
            )
        return DayKind.ORDINARY
    if china.is_holiday(day):
        return DayKind.HOLIDAY
    if china.is_makeup_workday(day):
        return DayKind.MAKEUP_WORKDAY
    return DayKind.ORDINARY
