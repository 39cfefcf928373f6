"""The SLA monitor's unit of work: the per-ticket clock state with its exactly-once guard, the stored
inputs, and the policy/calendar documents, all on one transaction (its own, or the consumer's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import EventMetadata
from shared.eventstore.store import EventStore, StreamAppend
from shared.messagebus import MessageBus
from shared.runtime import ServiceRuntime
from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.adapters.catalog import Catalog
from sla_monitor.adapters.catalog_rows import CalendarDocuments, PolicyDocuments
from sla_monitor.adapters.emissions import SlaEmissions
from sla_monitor.adapters.repositories import SlaTickets
from sla_monitor.adapters.stored_inputs import StoredInputs
from sla_monitor.adapters.watermarks import InputWatermarks
from sla_monitor.service_layer.handlers import HANDLERS


class SlaUnitOfWork(SqlUnitOfWork):
    def __init__(self, store: EventStore, *, catalog: Catalog, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.catalog = catalog  # policies and calendars as the clocks read them (in memory)
        self.tickets = SlaTickets(self, SlaEmissions(self))
        self.inputs = StoredInputs(self)
        self.watermarks = InputWatermarks(self)  # how far the inputs are read: the timer's horizon
        self.policies = PolicyDocuments(self)
        self.calendars = CalendarDocuments(self)

    def pending_appends(self) -> list[StreamAppend]:
        return [
            *super().pending_appends(),
            *self.tickets.collect_appends(),
            *self.policies.collect_appends(),
            *self.calendars.collect_appends(),
        ]

    async def commit(self) -> None:
        await super().commit()
        if self.policies.changed or self.calendars.changed:
            await self.catalog.reload()  # this replica measures with a new policy at once


def message_bus(runtime: ServiceRuntime, catalog: Catalog) -> MessageBus:
    def unit_of_work(metadata: EventMetadata, conn: AsyncConnection | None) -> SlaUnitOfWork:
        if conn is not None:
            return SlaUnitOfWork(runtime.store, catalog=catalog, conn=conn, metadata=metadata)
        return SlaUnitOfWork(runtime.store, catalog=catalog, engine=runtime.engine, metadata=metadata)

    return MessageBus(unit_of_work, HANDLERS)
