"""The exactly-once guard: a row per (ticket, clock, threshold) in `sla_emissions`, inserted in the
unit of work's transaction before the events are appended. A replayed input, a second replica or a
restart that computes the same threshold again finds the row taken and emits nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert

from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.adapters.tables import sla_emissions
from sla_monitor.domain.events import SlaEvent, once_key


class SlaEmissions:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def claim(self, emitted: Sequence[SlaEvent]) -> list[SlaEvent]:
        """The events nobody emitted before (each key claimed now, for good)."""
        if not emitted:
            return []
        keyed = {once_key(event): event for event in emitted}
        rows = [{"ticket_id": t, "clock": c, "threshold": h, "event_id": uuid.uuid4()} for (t, c, h) in keyed]
        claimed = await self._uow.conn.execute(
            insert(sla_emissions)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(sla_emissions.c.ticket_id, sla_emissions.c.clock, sla_emissions.c.threshold)
        )
        won = {tuple(row) for row in claimed}
        return [event for key, event in keyed.items() if key in won]
