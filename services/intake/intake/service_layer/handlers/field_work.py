"""The ticket follows dispatch's field work (commands the field-work consumer builds from its events).

Tolerant on purpose: an id that is no ticket of ours (a maintenance visit), or a ticket already past
the step (resolved by the office first), is left as it is and the event counts as handled.
"""

from __future__ import annotations

from intake.domain import commands as c
from intake.domain.entitlement import Cause
from intake.domain.ticket import UNFINISHED, WORKING, Status, Ticket
from intake.service_layer.assessment import assess_again
from intake.service_layer.handlers.tickets import now
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from shared.calendars.china import ChinaCalendar


async def _ticket_in(uow: IntakeUnitOfWork, ticket_id: str, states: frozenset[Status]) -> Ticket | None:
    ticket = await uow.tickets.get(ticket_id)
    return ticket if ticket is not None and ticket.status in states else None


async def record_technician(command: c.RecordTechnician, uow: IntakeUnitOfWork) -> None:
    await uow.ticket_rows.record_technician(command.ticket_id, command.technician_id)


async def await_parts_from_field(command: c.AwaitPartsFromField, uow: IntakeUnitOfWork) -> None:
    ticket = await _ticket_in(uow, command.ticket_id, WORKING)
    if ticket is not None:
        ticket.await_parts("parts requested from the field", command.parts, command.occurred_at)


async def resolve_from_field(command: c.ResolveFromField, uow: IntakeUnitOfWork) -> None:
    ticket = await _ticket_in(uow, command.ticket_id, UNFINISHED)
    if ticket is not None:
        ticket.resolve(
            command.fix or "resolved in the field",
            f"technician:{command.technician_id}",
            command.occurred_at,
            technician_id=command.technician_id,
            fault_code=command.fault_code,
        )


async def reassess_after_diagnosis(
    command: c.ReassessAfterDiagnosis, uow: IntakeUnitOfWork, *, holidays: ChinaCalendar
) -> None:
    """Entitlement on every repair: the field's fault code may make it a repeat (replacement)."""
    ticket = await _ticket_in(uow, command.ticket_id, UNFINISHED)
    if ticket is not None:
        await assess_again(
            uow,
            ticket,
            cause=Cause.PERFORMANCE_FAULT,
            fault_code=command.fault_code,
            now=now(),
            holidays=holidays,
        )
