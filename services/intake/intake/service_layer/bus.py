"""Intake's message bus: every command through one handler; ticket openings through the group commit.

    bus = message_bus(runtime, holidays)
    outcome = await bus.handle(OpenTicket(...), metadata=..., idempotency=KeyUse(...))  # Outcome
    document = await bus.handle(CloseTicket(ticket_id=..., callback_note=...), metadata=...)
    await bus.handle(ResolveFromField(...), metadata=envelope.caused(actor), conn=conn)  # consumer

An opening from a route (no `conn`) joins the next group of openings (service_layer/openings.py) and
answers an Outcome (status and body, the first answer for a retried Idempotency-Key); any other
command runs on its own unit of work, or on the consumer's connection when `conn` is given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.projections import PROJECTIONS
from intake.domain.commands import OpenTicket
from intake.service_layer.handlers import handlers
from intake.service_layer.openings import TicketOpenings
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from shared.calendars.china import ChinaCalendar
from shared.envelope import EventMetadata
from shared.idempotency import KeyUse
from shared.messagebus import MessageBus, UnitOfWorkFactory
from shared.runtime import ServiceRuntime


class IntakeBus(MessageBus):
    def __init__(self, uow_factory: UnitOfWorkFactory, table: dict, openings: TicketOpenings | None) -> None:
        super().__init__(uow_factory, table)
        self._openings = openings

    async def handle(
        self,
        command: Any,
        *,
        metadata: EventMetadata | None = None,
        conn: AsyncConnection | None = None,
        idempotency: KeyUse | None = None,
    ) -> Any:
        if isinstance(command, OpenTicket) and conn is None and self._openings is not None:
            return await self._openings.open(command, metadata=metadata or EventMetadata(), key=idempotency)
        return await super().handle(command, metadata=metadata, conn=conn)


def message_bus(runtime: ServiceRuntime, holidays: ChinaCalendar) -> IntakeBus:
    """The bus of a running service: units of work on the runtime's engine, projections on commit."""

    def unit_of_work(metadata: EventMetadata, conn: AsyncConnection | None) -> IntakeUnitOfWork:
        return runtime.unit_of_work(IntakeUnitOfWork, metadata, conn, projections=PROJECTIONS)

    table = handlers(holidays)
    openings = TicketOpenings(runtime, table[OpenTicket], PROJECTIONS)
    return IntakeBus(unit_of_work, table, openings)
