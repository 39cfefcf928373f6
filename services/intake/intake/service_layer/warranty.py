"""A unit's warranty status as the hotline agent sees it in a lookup.

It uses the same rule and the same China calendar as the ticket's entitlement
(`intake.domain.entitlement.warranty_end`), so the lookup and the ticket cannot disagree; "today" is
the local date in the contract's time zone, never the UTC date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.domain.entitlement import warranty_end, warranty_end_is_provisional
from intake.domain.periods import DEFAULT_TIMEZONE, local_date
from intake.service_layer.context import unit_facts


def warranty_status(unit: dict[str, Any], now: datetime, timezone: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    today = local_date(now, timezone)
    ends_on = warranty_end(unit_facts(unit))
    in_warranty = unit["warranty_months"] > 0 and today <= ends_on
    return {
        "in_warranty": in_warranty,
        "ends_on": ends_on.isoformat(),
        "days_left": max((ends_on - today).days, 0) if in_warranty else 0,
        # the holiday schedule of the end's year is not published yet: judged by weekends only
        "ends_on_provisional": warranty_end_is_provisional(ends_on),
        # the extension for days out of service (repair, waiting for parts), and why
        "days_out_of_service": unit.get("days_out_of_service") or 0,
        "extension_reasons": list(unit.get("out_of_service_reasons") or ()),
    }
