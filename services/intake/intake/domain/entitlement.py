"""Warranty and 三包 (three-guarantees) entitlement of a unit for a fault report.

Days are counted as Chinese law counts them (`intake.domain.periods`, 民法典 arts. 201-203), on
local dates in the contract's time zone (`FaultReport.at` turns the report instant into that date).
Rules applied by :func:`assess` (pure, standard library and the China calendar only):

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
5. Repeated faults in warranty (`intake.domain.repeat_faults`): the standard rule (same fault
   repaired twice within one year: replacement or repair at the customer's choice) and the
   contract's variant (``strict_monthly``: replacement; ``six_months_new_unit``: a brand-new unit).
   Excluded causes never count.
6. Exclusions: human damage or force majeure -> no free service, all chargeable.
7. Charges (`intake.domain.charges`): in warranty parts, labour and travel are free while the
   unit's on-site service term runs (``on_site_service_months``, counted like the warranty, rules
   1-3; none: as long as the warranty); after it travel is chargeable. Out of warranty parts are
   chargeable; labour and travel too unless paid maintenance covers the reported date. Anything
   chargeable -> quote before work, and, where the contract says so, wait for the customer's
   consent; out of warranty -> notify sales.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from intake.domain.charges import ALL_CHARGEABLE, Charges, decide_charges
from intake.domain.periods import last_day_after_days, last_day_after_months
from intake.domain.repeat_faults import (
    STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT,
    STANDARD_REPEAT_WINDOW_MONTHS,
    STRICT_MONTHLY_WINDOW_MONTHS,
    repeated_fault,
)
from intake.domain.warranty_facts import (
    EXCLUDED_CAUSES,
    Cause,
    ContractTerms,
    FaultReport,
    PriorRepair,
    Remedy,
    UnitFacts,
    Variant,
)
from shared.calendars.china import ChinaCalendar, china_calendar

__all__ = [
    "ALL_CHARGEABLE",
    "EXCLUDED_CAUSES",
    "EXCHANGE_WINDOW_DAYS",
    "RETURN_WINDOW_DAYS",
    "STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT",
    "STANDARD_REPEAT_WINDOW_MONTHS",
    "STRICT_MONTHLY_WINDOW_MONTHS",
    "Cause",
    "Charges",
    "ContractTerms",
    "Entitlement",
    "FaultReport",
    "PriorRepair",
    "Remedy",
    "UnitFacts",
    "Variant",
    "assess",
    "on_site_service_end",
    "warranty_end",
    "warranty_end_is_provisional",
]

RETURN_WINDOW_DAYS = 7
EXCHANGE_WINDOW_DAYS = 15


@dataclass(frozen=True, kw_only=True)
class Entitlement:
    in_warranty: bool
    warranty_ends_on: date
    cause: Cause  # as assessed: an excluded one explains `excluded`, and a later repeat ignores it
    excluded: bool
    remedies: tuple[Remedy, ...]  # more than one: the customer chooses
    replacement_due: bool  # a free replacement (or a brand-new unit) is owed if chosen
    charges: Charges
    on_site_service_ends_on: date | None  # None: on-site service lasts as long as the warranty
    on_site_service_covered: bool  # the warranty's free on-site term covers the report day
    quote_before_work: bool
    awaits_consent: bool  # chargeable work waits for the customer's consent to the quote
    notify_sales: bool
    reasons: tuple[str, ...]


def _term_end(unit: UnitFacts, months: int, calendar: ChinaCalendar | None) -> date:
    """Last day (inclusive) of a term of ``months`` from acceptance: rules 1-3 of the module docstring."""
    if months < 0:
        raise ValueError("a term in months must be >= 0")
    if unit.days_out_of_service < 0:
        raise ValueError("days_out_of_service must be >= 0")
    last_day = last_day_after_months(unit.acceptance_date, months)
    last_day += timedelta(days=unit.days_out_of_service)
    return (calendar or china_calendar()).next_working_day(last_day, beyond_ok=True)


def warranty_end(unit: UnitFacts, calendar: ChinaCalendar | None = None) -> date:
    """Last day covered (inclusive): rules 1-3 of the module docstring."""
    if unit.warranty_months < 0:
        raise ValueError("warranty_months must be >= 0")
    return _term_end(unit, unit.warranty_months, calendar)


def on_site_service_end(unit: UnitFacts, calendar: ChinaCalendar | None = None) -> date | None:
    """Last day of free on-site service, or None when it lasts as long as the warranty.

    Counted like the warranty (the days out of service extend it too, so equal terms stay equal).
    """
    if unit.on_site_service_months is None:
        return None
    if unit.on_site_service_months < 0:
        raise ValueError("on_site_service_months must be >= 0")
    return _term_end(unit, unit.on_site_service_months, calendar)


def warranty_end_is_provisional(ends_on: date, calendar: ChinaCalendar | None = None) -> bool:
    """True when the end was judged by the ordinary week: the holiday schedule is not yet published."""
    return not (calendar or china_calendar()).covers(ends_on)


def _purchase_windows(purchased: date, fault: FaultReport) -> tuple[tuple[Remedy, ...], str | None]:
    """Rule 4: the remedies a performance fault earns soon after purchase, with the reason."""
    return_until = last_day_after_days(purchased, RETURN_WINDOW_DAYS)
    exchange_until = last_day_after_days(purchased, EXCHANGE_WINDOW_DAYS)
    if fault.cause is Cause.PERFORMANCE_FAULT and fault.reported_on <= return_until:
        reason = f"within 7 days of purchase (through {return_until}): return, exchange or repair"
        return (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR), reason
    if fault.cause is Cause.PERFORMANCE_FAULT and fault.reported_on <= exchange_until:
        reason = f"within 15 days of purchase (through {exchange_until}): exchange or repair"
        return (Remedy.EXCHANGE, Remedy.REPAIR), reason
    return (Remedy.REPAIR,), None


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
    on_site_ends_on = on_site_service_end(unit, calendar)
    purchased = unit.purchase_date or unit.acceptance_date
    if fault.reported_on < purchased:
        raise ValueError("reported_on is before the purchase date")
    in_warranty = unit.warranty_months > 0 and fault.reported_on <= ends_on
    replacement_due = False
    remedies: tuple[Remedy, ...] = (Remedy.PAID_REPAIR,)
    reasons: list[str] = []
    if warranty_end_is_provisional(ends_on, calendar):
        reasons.append(
            f"warranty end {ends_on.isoformat()} is beyond the published holiday calendar "
            f"(through {calendar.last_year}): judged by weekends only"
        )
    decision = decide_charges(
        fault=fault,
        terms=terms,
        in_warranty=in_warranty,
        warranty_ends_on=ends_on,
        on_site_service_ends_on=on_site_ends_on,
    )
    reasons.extend(decision.reasons)
    if in_warranty and not fault.excluded:
        remedies, window = _purchase_windows(purchased, fault)
        reasons.extend(r for r in (window,) if r is not None)
        finding = repeated_fault(unit=unit, terms=terms, fault=fault, priors=prior_repairs)
        reasons.extend(finding.reasons)
        if finding.replacement is not None:
            replacement_due = True
            kept = tuple(r for r in remedies if r is not Remedy.REPAIR)
            remedies = (*kept, finding.replacement, *((Remedy.REPAIR,) if finding.repair_offered else ()))
    if not in_warranty:
        reasons.append("out of warranty: notify the sales representative")
    return Entitlement(
        in_warranty=in_warranty,
        warranty_ends_on=ends_on,
        cause=fault.cause,
        excluded=fault.excluded,
        remedies=remedies,
        replacement_due=replacement_due,
        charges=decision.charges,
        on_site_service_ends_on=on_site_ends_on,
        on_site_service_covered=decision.on_site_service_covered,
        quote_before_work=decision.quote_before_work,
        awaits_consent=decision.awaits_consent,
        notify_sales=not in_warranty,
        reasons=tuple(reasons),
    )
