"""A unit's warranty status as the hotline agent sees it in a lookup."""

from __future__ import annotations

from datetime import date
from typing import Any

from intake.domain.entitlement import HolidayCalendar, warranty_end
from intake.service_layer.context import unit_facts

WEEKENDS_ONLY = HolidayCalendar()


def warranty_status(
    unit: dict[str, Any], today: date, holidays: HolidayCalendar = WEEKENDS_ONLY
) -> dict[str, Any]:
    ends_on = warranty_end(unit_facts(unit), holidays)
    return {
        "in_warranty": today <= ends_on,
        "ends_on": ends_on.isoformat(),
        "days_left": max((ends_on - today).days, 0),
    }
