"""Warranty and 三包 (three-guarantees) entitlement of a unit for a fault report.

Days are counted as Chinese law counts them (`intake.domain.periods`, 民法典 arts. 201-203), on
local dates in the contract's time zone (`FaultReport.at` turns the report instant into that date).
Rules applied by :func:`assess` (pure, standard library only):

1. Term: the warranty starts the day after the unit's acceptance date and lasts
   ``warranty_months``: the last covered day is the corresponding day ``warranty_months`` later
   (accepted 2024-01-15, 24 months: covered through 2026-01-15; accepted 2024-01-31, 1 month:
   through 2024-02-29, the month having no 31st).
2. Extension: the last day moves later by ``days_out_of_service`` (days out of service for
   repair or waiting for parts).
3. Holidays: if the extended last day is not a working day in the one China calendar
   (`shared.calendars.china`: a public holiday, or a weekend day that is not a make-up working
   day) it moves to the next working day. A last day beyond the years the calendar covers is
   judged by the ordinary week (weekends only) and the entitlement says so in its reasons.
4. Purchase windows, counted from the day after ``purchase_date`` (else the acceptance date):
   bought 1 March, a performance fault in warranty reported through 8 March gives return,
   exchange or repair; through 16 March exchange or repair; later repair only.
5. Repeated fault (in warranty): the same ``fault_code`` already repaired twice, each repair
   within one year before the report (counted from the day after the repair), and failing
   again -> free replacement (same model or better). Variant ``strict_monthly``: one prior repair
   of that fault code within one month before the report is enough.
6. Exclusions: human damage or force majeure -> no free service, all chargeable.
7. Charges: in warranty (not excluded) parts, labour and travel are free. Out of warranty
   parts are chargeable; labour and travel too unless paid maintenance covers the reported
   date. Anything chargeable -> quote before work; out of warranty -> notify sales.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from intake.domain.periods import (
    DEFAULT_TIMEZONE,
    last_day_after_days,
    last_day_after_months,
    local_date,
)
from shared.calendars.china import ChinaCalendar, china_calendar

RETURN_WINDOW_DAYS = 7
EXCHANGE_WINDOW_DAYS = 15
STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT = 2
STANDARD_REPEAT_WINDOW_MONTHS = 12
STRICT_MONTHLY_WINDOW_MONTHS = 1


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
class UnitFacts:
    acceptance_date: date
    warranty_months: int
    days_out_of_service: int = 0
    purchase_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class ContractTerms:
    variant: Variant = Variant.STANDARD
    paid_maintenance_until: date | None = None
    timezone: str = DEFAULT_TIMEZONE  # the contract's; report days are local dates there


@dataclass(frozen=True, kw_only=True)
class PriorRepair:
    fault_code: str
    resolved_on: date


@dataclass(frozen=True, kw_only=True)
class FaultReport:
    reported_on: date  # the local date in the contract's time zone (see `at`)
    fault_code: str | None = None
    cause: Cause = Cause.PERFORMANCE_FAULT

    @classmethod
    def at(
        cls,
        reported_at: datetime,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        fault_code: str | None = None,
        cause: Cause = Cause.PERFORMANCE_FAULT,
    ) -> FaultReport:
        """A report made at the instant ``reported_at``, dated in the contract's ``timezone``."""
        return cls(reported_on=local_date(reported_at, timezone), fault_code=fault_code, cause=cause)


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


def warranty_end(unit: UnitFacts, calendar: ChinaCalendar | None = None) -> date:
    """Last day covered (inclusive): rules 1-3 of the module docstring."""
    if unit.warranty_months < 0:
        raise ValueError("warranty_months must be >= 0")
    if unit.days_out_of_service < 0:
        raise ValueError("days_out_of_service must be >= 0")
    last_day = last_day_after_months(unit.acceptance_date, unit.warranty_months)
    last_day += timedelta(days=unit.days_out_of_service)
    return (calendar or china_calendar()).next_working_day(last_day, beyond_ok=True)


def warranty_end_is_provisional(ends_on: date, calendar: ChinaCalendar | None = None) -> bool:
    """True when the end was judged by the ordinary week: the holiday schedule is not yet published."""
    return not (calendar or china_calendar()).covers(ends_on)


def _replacement_reason(
    unit: UnitFacts, terms: ContractTerms, fault: FaultReport, priors: Sequence[PriorRepair], ends_on: date
) -> str | None:
    """Rule 5: reason a free replacement is due, or None."""
    code = fault.fault_code
    if code is None:
        return None
    last = min(ends_on, fault.reported_on)
    same = [p for p in priors if p.fault_code == code and unit.acceptance_date <= p.resolved_on <= last]

    def within(months: int) -> list[PriorRepair]:
        return [p for p in same if fault.reported_on <= last_day_after_months(p.resolved_on, months)]

    in_year = within(STANDARD_REPEAT_WINDOW_MONTHS)
    if len(in_year) >= STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT:
        return f"fault {code} already repaired {len(in_year)} times within one year: free replacement"
    if terms.variant is Variant.STRICT_MONTHLY and within(STRICT_MONTHLY_WINDOW_MONTHS):
        return f"fault {code} recurred within one month of its repair (strict_monthly): replacement"
    return None


def assess(
    *,
    unit: UnitFacts,
    terms: ContractTerms,
    fault: FaultReport,
    prior_repairs: Sequence[PriorRepair] = (),
    calendar: ChinaCalendar | None = None,
) -> Entitlement:
    """Entitlement of ``unit`` for ``fault`` (see the module docstring for the rules).

    ``calendar`` defaults to the shipped China calendar; tests may pass their own.
    """
    calendar = calendar or china_calendar()
    ends_on = warranty_end(unit, calendar)
    purchased = unit.purchase_date or unit.acceptance_date
    if fault.reported_on < purchased:
        raise ValueError("reported_on is before the purchase date")
    in_warranty = unit.warranty_months > 0 and fault.reported_on <= ends_on
    excluded = fault.cause in EXCLUDED_CAUSES
    replacement_due = False
    remedies: tuple[Remedy, ...] = (Remedy.PAID_REPAIR,)
    charges = Charges(parts=True, labour=True, travel=True)
    reasons: list[str] = []
    if warranty_end_is_provisional(ends_on, calendar):
        reasons.append(
            f"warranty end {ends_on.isoformat()} is beyond the published holiday calendar "
            f"(through {calendar.last_year}): judged by weekends only"
        )
    if excluded:
        reasons.append(f"cause {fault.cause.value} is excluded from free service: all chargeable")
    elif in_warranty:
        reasons.append(f"in warranty until {ends_on.isoformat()}: parts, labour and travel free")
        charges = Charges(parts=False, labour=False, travel=False)
        remedies = (Remedy.REPAIR,)
        return_until = last_day_after_days(purchased, RETURN_WINDOW_DAYS)
        exchange_until = last_day_after_days(purchased, EXCHANGE_WINDOW_DAYS)
        if fault.cause is Cause.PERFORMANCE_FAULT and fault.reported_on <= return_until:
            reasons.append(f"within 7 days of purchase (through {return_until}): return, exchange or repair")
            remedies = (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR)
        elif fault.cause is Cause.PERFORMANCE_FAULT and fault.reported_on <= exchange_until:
            reasons.append(f"within 15 days of purchase (through {exchange_until}): exchange or repair")
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
