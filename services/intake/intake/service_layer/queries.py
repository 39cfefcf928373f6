"""Ticket lists from the read model, with opaque keyset cursors."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.tables import tickets_view


@dataclass(frozen=True, kw_only=True)
class TicketFilter:
    customer_id: str | None = None
    status: str | None = None
    severity: str | None = None
    technician_id: str | None = None
    region: str | None = None


class BadCursor(ValueError):
    pass


def encode_cursor(ticket_id: str) -> str:
    return base64.urlsafe_b64encode(ticket_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        decoded = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if not decoded.startswith("T-"):
        raise BadCursor(cursor)
    return decoded


async def list_tickets(
    engine: AsyncEngine, where: TicketFilter, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = select(tickets_view).order_by(tickets_view.c.ticket_id).limit(limit + 1)
    for column in ("customer_id", "status", "severity", "technician_id", "region"):
        value = getattr(where, column)
        if value is not None:
            query = query.where(tickets_view.c[column] == value)
    if cursor:
        query = query.where(tickets_view.c.ticket_id > decode_cursor(cursor))
    async with engine.connect() as conn:
        rows = [dict(r) for r in (await conn.execute(query)).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        for key in ("reported_at", "updated_at"):
            row[key] = row[key].isoformat()
    return rows, encode_cursor(rows[-1]["ticket_id"]) if more else None


async def ticket_row(engine: AsyncEngine, ticket_id: str) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        row = (
            (await conn.execute(select(tickets_view).where(tickets_view.c.ticket_id == ticket_id)))
            .mappings()
            .first()
        )
    return dict(row) if row else None
