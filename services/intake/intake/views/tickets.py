"""Tickets and complaints as the routes read them: the event streams (a ticket now, as of a moment,
its history) and the read model (lists with opaque keyset cursors, who may see a ticket)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.adapters.repositories import COMPLAINT_PREFIX, TICKET_PREFIX
from intake.adapters.tables import tickets_view
from intake.domain.complaint import Complaint
from intake.domain.errors import ComplaintNotFound, MalformedRequest, TicketNotFound
from intake.domain.ticket import Ticket
from intake.service_layer.documents import complaint_document, ticket_document
from shared.eventstore import EventStore


@dataclass(frozen=True, kw_only=True)
class TicketFilter:
    customer_id: str | None = None
    status: str | None = None
    severity: str | None = None
    technician_id: str | None = None
    region: str | None = None


class BadCursor(MalformedRequest):
    def __init__(self) -> None:
        super().__init__("Malformed cursor", field="cursor")


def encode_cursor(ticket_id: str) -> str:
    return base64.urlsafe_b64encode(ticket_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        decoded = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor() from exc
    if not decoded.startswith(TICKET_PREFIX):
        raise BadCursor()
    return decoded


class TicketViews:
    def __init__(self, engine: AsyncEngine, store: EventStore) -> None:
        self._engine = engine
        self._store = store

    async def ticket(self, ticket_id: str, *, as_of: datetime | None = None) -> dict[str, Any]:
        """The ticket replayed from its stream (as it stood at `as_of`), with today's technician."""
        async with self._engine.connect() as conn:
            history = []
            if ticket_id.startswith(TICKET_PREFIX):
                history = await self._store.load_events(conn, ticket_id, as_of=as_of)
            if not history:
                raise TicketNotFound(ticket_id)
            return ticket_document(Ticket.replay(history), await _technician_of(conn, ticket_id))

    async def history(self, ticket_id: str) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            stored = await self._store.read(conn, ticket_id) if ticket_id.startswith(TICKET_PREFIX) else []
        if not stored:
            raise TicketNotFound(ticket_id)
        return [
            {
                "version": e.version,
                "event_id": str(e.event_id),
                "type": e.event_type,
                "occurred_at": e.occurred_at.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "actor": e.metadata.get("actor"),
                "correlation_id": e.metadata.get("correlation_id"),
                "data": e.data,
            }
            for e in stored
        ]

    async def page(
        self, where: TicketFilter, *, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        query = select(tickets_view).order_by(tickets_view.c.ticket_id).limit(limit + 1)
        for column in ("customer_id", "status", "severity", "technician_id", "region"):
            value = getattr(where, column)
            if value is not None:
                query = query.where(tickets_view.c[column] == value)
        if cursor:
            query = query.where(tickets_view.c.ticket_id > decode_cursor(cursor))
        async with self._engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        more = len(rows) > limit
        rows = rows[:limit]
        for row in rows:
            for key in ("reported_at", "updated_at"):
                row[key] = row[key].isoformat()
        return rows, encode_cursor(rows[-1]["ticket_id"]) if more else None

    async def visible(
        self, ticket_id: str, *, only_technician: bool, technician_id: str | None, region: str | None
    ) -> bool:
        """Technicians reach only their jobs' tickets, supervisors with a region only that region's."""
        if not (only_technician or region):
            return True
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(tickets_view.c.technician_id, tickets_view.c.region).where(
                        tickets_view.c.ticket_id == ticket_id
                    )
                )
            ).first()
        if row is None:
            return False
        return row.technician_id == technician_id if only_technician else row.region == region

    async def complaint(self, complaint_id: str) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            history = []
            if complaint_id.startswith(COMPLAINT_PREFIX):
                history = await self._store.load_events(conn, complaint_id)
        if not history:
            raise ComplaintNotFound(complaint_id)
        return complaint_document(Complaint.replay(history))


async def _technician_of(conn: AsyncConnection, ticket_id: str) -> str | None:
    row = (
        await conn.execute(select(tickets_view.c.technician_id).where(tickets_view.c.ticket_id == ticket_id))
    ).first()
    return row[0] if row else None
