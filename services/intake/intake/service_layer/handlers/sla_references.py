"""What the SLA monitor publishes: the policies and calendars contracts and tickets may name."""

from __future__ import annotations

from intake.domain import commands as c
from intake.service_layer.unit_of_work import IntakeUnitOfWork


async def record_sla_reference(command: c.RecordSlaReference, uow: IntakeUnitOfWork) -> None:
    """Idempotent: a redelivered or re-seeded publication records nothing new."""
    await uow.sla_references.record(command.kind, command.reference_id, command.published_at)
