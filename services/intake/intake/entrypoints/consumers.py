"""What intake does with dispatch's and the SLA monitor's events: each becomes a command, run on the
consumer's transaction.

The consumer (shared.consumer) records the event as processed in the same transaction, so a
redelivered event changes nothing twice. The events a ticket gets because of the field carry the
technician who acted and the dispatch event as their cause.
"""

from __future__ import annotations

from typing import Any

from intake.adapters import inbound
from intake.domain import commands as c
from shared.consumer import Handler
from shared.envelope import Envelope
from shared.messagebus import MessageBus


def _runner(bus: MessageBus) -> Any:
    def run(to_command: Any) -> Handler:
        async def handle(conn: Any, event: Any, envelope: Envelope) -> None:  # the consumer's transaction
            command = to_command(event)
            if command is not None:
                await bus.handle(command, metadata=envelope.caused(envelope.actor), conn=conn)

        return handle

    return run


def field_work(bus: MessageBus) -> dict[str, Handler]:
    """Dispatch's event type -> the consumer handler that runs its command."""
    run = _runner(bus)

    def technician(event: inbound.TechnicianAssigned | inbound.TicketReassigned) -> c.RecordTechnician:
        return c.RecordTechnician(ticket_id=event.ticket_id, technician_id=event.technician_id)

    def parts(event: inbound.PartsRequested) -> c.AwaitPartsFromField:
        return c.AwaitPartsFromField(
            ticket_id=event.ticket_id, parts=event.parts, occurred_at=event.occurred_at
        )

    def resolved(event: inbound.WorkResolved) -> c.ResolveFromField:
        return c.ResolveFromField(
            ticket_id=event.ticket_id,
            technician_id=event.technician_id,
            fix=event.fix,
            fault_code=event.fault_code,
            occurred_at=event.occurred_at,
        )

    def diagnosed(event: inbound.DiagnosisRecorded) -> c.ReassessAfterDiagnosis | None:
        if not event.fault_code:
            return None  # nothing the entitlement rules could use
        return c.ReassessAfterDiagnosis(ticket_id=event.ticket_id, fault_code=event.fault_code)

    return {
        "TechnicianAssigned": run(technician),
        "TicketReassigned": run(technician),
        "PartsRequested": run(parts),
        "WorkResolved": run(resolved),
        "DiagnosisRecorded": run(diagnosed),
    }


def sla_catalog(bus: MessageBus) -> dict[str, Handler]:
    """The SLA monitor's publications -> the policies and calendars contracts and tickets may name."""
    run = _runner(bus)

    def policy(event: inbound.PolicyPublished) -> c.RecordSlaReference:
        return c.RecordSlaReference(
            kind="policy", reference_id=event.policy_id, published_at=event.occurred_at
        )

    def calendar(event: inbound.CalendarPublished) -> c.RecordSlaReference:
        return c.RecordSlaReference(
            kind="calendar", reference_id=event.calendar_id, published_at=event.occurred_at
        )

    return {"PolicyPublished": run(policy), "CalendarPublished": run(calendar)}
