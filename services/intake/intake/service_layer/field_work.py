"""The ticket follows the field work: dispatch's events, applied in the consumer's transaction."""

from __future__ import annotations

import inspect
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters import inbound
from intake.adapters.tables import tickets_view
from intake.domain.entitlement import Cause
from intake.domain.ticket import UNFINISHED, WORKING, Ticket
from intake.service_layer.tickets import TICKET_STREAM, TicketService, apply_consequences
from shared.envelope import Envelope
from shared.runtime import ServiceRuntime


def handlers(service: TicketService) -> dict[str, Any]:
    runtime = service.runtime

    async def technician_changed(conn: AsyncConnection, event: Any, envelope: Envelope) -> None:
        await conn.execute(
            update(tickets_view)
            .where(tickets_view.c.ticket_id == event.ticket_id)
            .values(technician_id=event.technician_id)
        )

    async def parts_requested(
        conn: AsyncConnection, event: inbound.PartsRequested, envelope: Envelope
    ) -> None:
        await _command(
            runtime,
            conn,
            envelope,
            event.ticket_id,
            WORKING,
            lambda t: t.await_parts("parts requested from the field", event.parts, event.occurred_at),
        )

    async def work_resolved(conn: AsyncConnection, event: inbound.WorkResolved, envelope: Envelope) -> None:
        await _command(
            runtime,
            conn,
            envelope,
            event.ticket_id,
            UNFINISHED,
            lambda t: t.resolve(
                event.fix or "resolved in the field",
                f"technician:{event.technician_id}",
                event.occurred_at,
                technician_id=event.technician_id,
                fault_code=event.fault_code,
            ),
        )

    async def diagnosed(conn: AsyncConnection, event: inbound.DiagnosisRecorded, envelope: Envelope) -> None:
        """Entitlement on every repair: the field's fault code may make it a repeat (replacement)."""
        if event.fault_code:
            await _command(
                runtime,
                conn,
                envelope,
                event.ticket_id,
                UNFINISHED,
                lambda t: service.assess_again(
                    conn, t, cause=Cause.PERFORMANCE_FAULT, fault_code=event.fault_code
                ),
            )

    return {
        "TechnicianAssigned": technician_changed,
        "TicketReassigned": technician_changed,
        "PartsRequested": parts_requested,
        "WorkResolved": work_resolved,
        "DiagnosisRecorded": diagnosed,
    }


async def _command(
    runtime: ServiceRuntime,
    conn: AsyncConnection,
    envelope: Envelope,
    ticket_id: str,
    applies_in: frozenset,
    action,
) -> None:
    history = await runtime.store.load_events(conn, ticket_id)
    if not history:
        return  # not one of ours (e.g. a maintenance visit without a ticket)
    ticket = Ticket.replay(history)
    if ticket.status not in applies_in:
        return  # already there (e.g. resolved by the office first): nothing to do
    outcome = action(ticket)
    if inspect.isawaitable(outcome):
        await outcome
    if not ticket.pending_events:
        return
    new_events = list(ticket.pending_events)
    metadata = envelope.caused(envelope.actor)  # the technician who acted in the field
    await runtime.store.append(
        conn,
        stream_id=ticket_id,
        stream_type=TICKET_STREAM,
        expected_version=ticket.version - len(new_events),
        new_events=new_events,
        metadata=metadata,
    )
    ticket.pending_events.clear()
    await apply_consequences(conn, ticket, new_events, metadata, runtime, None)
