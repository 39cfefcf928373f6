"""Warranty and 三包 (three-guarantees) entitlement of a unit for a fault report.

Rules applied by :func:`assess` (pure, standard library only):

1. Term: the warranty starts on the unit's acceptance date and lasts ``warranty_months``
   calendar months: ``end_exclusive = add_months(acceptance_date, warranty_months)`` (day
   clamped to the month end) and the nominal last covered day is ``end_exclusive - 1 day``.
   E.g. accepted 2024-01-31, 1 month: end_exclusive 2024-02-29, last day 2024-02-28.
2. Extension: the last day moves later by ``days_out_of_service`` (days out of service for
   repair or waiting for parts).
3. Holidays: if the extended last day is not a working day (public holiday, or weekend day
   that is not a make-up working day) it moves to the next working day.
4. Purchase windows, counted from ``purchase_date`` (else the acceptance date), day 1 being
   that date itself. For a performance fault in warranty: days 1..7 return, exchange or
   repair; days 8..15 exchange or repair; later repair only.
5. Repeated fault (in warranty): the same ``fault_code`` already repaired twice within the
   warranty period and failing again -> free replacement (same model or better).
   Variant ``strict_monthly``: one prior repair of that fault code in the 30 days before
   the report is enough.
6. Exclusions: human damage or force majeure -> no free service, all chargeable.
7. Charges: in warranty (not excluded) parts, labour and travel are free. Out of warranty
   parts are chargeable; labour and travel too unless paid maintenance covers the reported
   date. Anything chargeable -> quote before work; out of warranty -> notify sales.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

RETURN_WINDOW_DAYS = 7
EXCHANGE_WINDOW_DAYS = 15
STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT = 2
STRICT_MONTHLY_WINDOW_DAYS = 30


class Cause(StrEnum):
    PERFORMANCE_FAULT = "performance_fault"
    HUMAN_DAMAGE = "human_damage"
    FORCE_MAJEURE = "force_majeure"
    UNKNOWN = "unknown"


class Remedy(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    PAID_REPAIR = "paid_repair"


class Variant(StrEnum):
    STANDARD = "standard"
    STRICT_MONTHLY = "strict_monthly"


EXCLUDED_CAUSES = frozenset({Cause.HUMAN_DAMAGE, Cause.FORCE_MAJEURE})


@dataclass(frozen=True, kw_only=True)
class HolidayCalendar:
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday

    def is_working_day(self, d: date) -> bool:
        if d in self.holidays:
            return False
        return d in self.makeup_workdays or d.weekday() not in self.weekend

    def next_working_day(self, d: date) -> date:
        """``d`` itself if it is a working day, else the first working day after it."""
        for _ in range(366):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError("no working day within a year")


@dataclass(frozen=True, kw_only=True)
class UnitFacts:
    acceptance_date: date
    warranty_months: int
    days_out_of_service: int = 0
    purchase_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class ContractTerms:
    variant: Variant = Variant.STANDARD
    paid_maintenance_until: date | None = None


@dataclass(frozen=True, kw_only=True)
class PriorRepair:
    fault_code: str
    resolved_on: date


@dataclass(frozen=True, kw_only=True)
class FaultReport:
    reported_on: date
    fault_code: str | None = None
    cause: Cause = Cause.PERFORMANCE_FAULT


@dataclass(frozen=True, kw_only=True)
class Charges:
    parts: bool
    labour: bool
    travel: bool


@dataclass(frozen=True, kw_only=True)
class Entitlement:
    in_warranty: bool
    warranty_ends_on: date
    excluded: bool
    remedies: tuple[Remedy, ...]
    replacement_due: bool
    charges: Charges
    quote_before_work: bool
    notify_sales: bool
    reasons: tuple[str, ...]


_WEEKENDS_ONLY = HolidayCalendar()


def add_months(d: date, months: int) -> date:
    """Calendar month arithmetic, clamping the day to the target month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def warranty_end(unit: UnitFacts, calendar: HolidayCalendar) -> date:
    """Last day covered (inclusive): rules 1-3 of the module docstring."""
    if unit.warranty_months < 0:
        raise ValueError("warranty_months must be >= 0")
    if unit.days_out_of_service < 0:
        raise ValueError("days_out_of_service must be >= 0")
    last_day = add_months(unit.acceptance_date, unit.warranty_months) - timedelta(days=1)
    last_day += timedelta(days=unit.days_out_of_service)
    return calendar.next_working_day(last_day)


def _replacement_reason(
    unit: UnitFacts, terms: ContractTerms, fault: FaultReport, priors: Sequence[PriorRepair], ends_on: date
) -> str | None:
    """Rule 5: reason a free replacement is due, or None."""
    code = fault.fault_code
    if code is None:
        return None
    last = min(ends_on, fault.reported_on)
    same = [p for p in priors if p.fault_code == code and unit.acceptance_date <= p.resolved_on <= last]
    if len(same) >= STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT:
        return f"fault {code} already repaired {len(same)} times in warranty: free replacement"
    since = fault.reported_on - timedelta(days=STRICT_MONTHLY_WINDOW_DAYS)
    if terms.variant is Variant.STRICT_MONTHLY and any(since <= p.resolved_on for p in same):
        return f"fault {code} recurred within {STRICT_MONTHLY_WINDOW_DAYS} days (strict_monthly): replacement"
    return None


def assess(
    *,
    unit: UnitFacts,
    terms: ContractTerms,
    fault: FaultReport,
    prior_repairs: Sequence[PriorRepair] = (),
    calendar: HolidayCalendar = _WEEKENDS_ONLY,
) -> Entitlement:
    """Entitlement of ``unit`` for ``fault`` (see the module docstring for the rules)."""
    ends_on = warranty_end(unit, calendar)
    purchased = unit.purchase_date or unit.acceptance_date
    if fault.reported_on < purchased:
        raise ValueError("reported_on is before the purchase date")
    in_warranty = fault.reported_on <= ends_on
    excluded = fault.cause in EXCLUDED_CAUSES
    replacement_due = False
    remedies: tuple[Remedy, ...] = (Remedy.PAID_REPAIR,)
    charges = Charges(parts=True, labour=True, travel=True)
    reasons: list[str] = []
    if excluded:
        reasons.append(f"cause {fault.cause.value} is excluded from free service: all chargeable")
    elif in_warranty:
        reasons.append(f"in warranty until {ends_on.isoformat()}: parts, labour and travel free")
        charges = Charges(parts=False, labour=False, travel=False)
        remedies = (Remedy.REPAIR,)
        day = (fault.reported_on - purchased).days + 1
        if fault.cause is Cause.PERFORMANCE_FAULT and day <= RETURN_WINDOW_DAYS:
            reasons.append("within 7 days of purchase: return, exchange or repair")
            remedies = (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR)
        elif fault.cause is Cause.PERFORMANCE_FAULT and day <= EXCHANGE_WINDOW_DAYS:
            reasons.append("within 15 days of purchase: exchange or repair")
            remedies = (Remedy.EXCHANGE, Remedy.REPAIR)
        reason = _replacement_reason(unit, terms, fault, prior_repairs, ends_on)
        if reason is not None:
            reasons.append(reason)
            replacement_due = True
            remedies = tuple(Remedy.REPLACEMENT if r is Remedy.REPAIR else r for r in remedies)
    else:
        reasons.append(f"out of warranty (ended {ends_on.isoformat()}): paid repair, parts at cost")
        until = terms.paid_maintenance_until
        if until is not None and until >= fault.reported_on:
            reasons.append(f"paid maintenance until {until.isoformat()} covers labour and travel")
            charges = Charges(parts=True, labour=False, travel=False)
    quote = charges.parts or charges.labour or charges.travel
    if quote:
        reasons.append("chargeable work: quote before work")
    if not in_warranty:
        reasons.append("out of warranty: notify the sales representative")
    return Entitlement(
        in_warranty=in_warranty,
        warranty_ends_on=ends_on,
        excluded=excluded,
        remedies=remedies,
        replacement_due=replacement_due,
        charges=charges,
        quote_before_work=quote,
        notify_sales=not in_warranty,
        reasons=tuple(reasons),
    )
