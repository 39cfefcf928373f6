"""Warranty entitlement of a ticket: the archive rows it needs, the domain's rules, one event.

Run when a ticket is opened about a unit, when a clerk asks again, and when the field diagnoses a
fault code (a repeated fault may make the unit due for replacement).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.domain.entitlement import Cause, Entitlement, FaultReport, PriorRepair, assess
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


@dataclass(frozen=True, kw_only=True)
class Assessed:
    """An entitlement decided for a report, with what the ticket records beside it."""

    entitlement: Entitlement
    fault_code: str | None
    days_out_of_service: int
    out_of_service_reasons: tuple[str, ...]

    def record_on(self, ticket: Ticket, now: datetime) -> None:
        ticket.record_entitlement(
            self.entitlement,
            now,
            fault_code=self.fault_code,
            days_out_of_service=self.days_out_of_service,
            out_of_service_reasons=self.out_of_service_reasons,
        )


def entitlement_of(
    unit: dict[str, Any],
    contract: dict[str, Any] | None,
    cause: Cause,
    reported_at: datetime,
    prior: Sequence[PriorRepair],
    holidays: ChinaCalendar,
    *,
    fault_code: str | None,
) -> Assessed:
    """The domain's rules on the archive's rows (decided before a ticket opens, or again later)."""
    terms = archive_context.contract_terms(contract)
    report = FaultReport.at(reported_at, timezone=terms.timezone, fault_code=fault_code, cause=cause)
    entitlement = assess(
        unit=archive_context.unit_facts(unit),
        terms=terms,
        fault=report,
        prior_repairs=prior,
        calendar=holidays,
    )
    return Assessed(
        entitlement=entitlement,
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
    fault_code = fault_code or ticket.fault_code
    reported_at = ticket.reported_at or now
    entitlement_of(unit, contract, cause, reported_at, prior, holidays, fault_code=fault_code).record_on(
        ticket, now
    )
    return True
