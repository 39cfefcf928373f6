"""Warranty entitlement of a ticket: the archive rows it needs, the domain's rules, one event.

Run when a ticket is opened about a unit, when a clerk asks again, and when the field diagnoses a
fault code (a repeated fault may make the unit due for replacement).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from intake.domain.entitlement import Cause, FaultReport, PriorRepair, assess
from intake.domain.ticket import Ticket
from intake.service_layer import context as archive_context
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from shared.calendars.china import ChinaCalendar


def entitle(
    ticket: Ticket,
    unit: dict[str, Any],
    contract: dict[str, Any] | None,
    cause: Cause,
    now: datetime,
    prior: Sequence[PriorRepair],
    holidays: ChinaCalendar,
    *,
    fault_code: str | None = None,
) -> None:
    fault_code = fault_code or ticket.fault_code
    terms = archive_context.contract_terms(contract)
    report = FaultReport.at(
        ticket.reported_at or now, timezone=terms.timezone, fault_code=fault_code, cause=cause
    )
    entitlement = assess(
        unit=archive_context.unit_facts(unit),
        terms=terms,
        fault=report,
        prior_repairs=prior,
        calendar=holidays,
    )
    ticket.record_entitlement(
        entitlement,
        now,
        fault_code=fault_code,
        days_out_of_service=unit.get("days_out_of_service") or 0,
        out_of_service_reasons=tuple(unit.get("out_of_service_reasons") or ()),
    )


async def assess_again(
    uow: IntakeUnitOfWork,
    ticket: Ticket,
    *,
    cause: Cause,
    fault_code: str | None,
    now: datetime,
    holidays: ChinaCalendar,
) -> bool:
    """Entitlement on a repair (diagnosis from the field, or a clerk); False: no unit to assess."""
    context = ticket.context
    assert context is not None
    if not context.unit_id:
        return False
    unit = await uow.archive.row("units", context.unit_id)
    contract = None
    if context.contract_id:
        contract = await uow.archive.row("contracts", context.contract_id)
    if unit is None:
        return False
    prior = await uow.archive.prior_repairs(unit["id"], excluding_ticket=ticket.ticket_id)
    entitle(ticket, unit, contract, cause, now, prior, holidays, fault_code=fault_code)
    return True
