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


async def contract_as_reported(
    uow: IntakeUnitOfWork, contract: dict[str, Any] | None, reported_at: datetime | None
) -> dict[str, Any] | None:
    """The contract's terms as they stood when the fault was reported (its stream as of then).

    A ticket reported before a change of terms is judged by the old ones; one dated before the
    contract was first recorded, by its first recorded terms. `contract` is today's row, the answer
    when no report instant is known or the contract has no stream."""
    if contract is None or reported_at is None:
        return contract
    stood = await uow.contracts.get(contract["id"], as_of=reported_at)
    if stood is None:
        stood = await uow.contracts.first_version(contract["id"])
    if stood is None or stood.removed:
        return contract
    return {**contract, **stood.state, "id": stood.record_id, "company_id": stood.customer_id}


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
        contract = await contract_as_reported(uow, contract, ticket.reported_at)
    if unit is None:
        return False
    prior = await uow.archive.prior_repairs(unit["id"], excluding_ticket=ticket.ticket_id)
    entitle(ticket, unit, contract, cause, now, prior, holidays, fault_code=fault_code)
    return True
