"""Every input the monitor consumed, kept as it came (`sla_inputs`): what-if replays read them, and
dispatch's events that arrive before the ticket's opening (another topic: no order between them) wait
here until the opening does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.adapters.tables import sla_inputs
from sla_monitor.adapters.translate import clock_input
from sla_monitor.domain.inputs import ClockInput


class StoredInputs:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def keep(
        self,
        *,
        event_id: UUID,
        ticket_id: str,
        event_type: str,
        occurred_at: datetime,
        data: Mapping[str, Any],
    ) -> None:
        """Once per event id (a redelivered event is kept once)."""
        await self._uow.conn.execute(
            insert(sla_inputs)
            .values(
                event_id=event_id,
                ticket_id=ticket_id,
                event_type=event_type,
                occurred_at=occurred_at,
                data=dict(data),
            )
            .on_conflict_do_nothing()
        )

    async def others(self, ticket_id: str, *, besides: UUID) -> list[ClockInput]:
        """The ticket's other inputs, in occurrence order."""
        rows = (
            await self._uow.conn.execute(
                select(sla_inputs.c.event_type, sla_inputs.c.data)
                .where(sla_inputs.c.ticket_id == ticket_id, sla_inputs.c.event_id != besides)
                .order_by(sla_inputs.c.occurred_at)
            )
        ).all()
        registry = self._uow.store.registry
        return [clock_input(registry.load(row.event_type, row.data)) for row in rows]
