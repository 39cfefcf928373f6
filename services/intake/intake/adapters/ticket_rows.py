"""What the ticket read model holds besides the ticket's events: the technician dispatch assigned.

Dispatch owns assignments; intake keeps who works on a ticket in `tickets_view` only (no event of
the ticket), written by the field-work consumer and read into every ticket document.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from intake.adapters.tables import tickets_view


class TicketRows:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    async def technician_of(self, ticket_id: str) -> str | None:
        row = (
            await self._uow.conn.execute(
                select(tickets_view.c.technician_id).where(tickets_view.c.ticket_id == ticket_id)
            )
        ).first()
        return row[0] if row else None

    async def record_technician(self, ticket_id: str, technician_id: str) -> None:
        await self._uow.conn.execute(
            update(tickets_view)
            .where(tickets_view.c.ticket_id == ticket_id)
            .values(technician_id=technician_id)
        )
