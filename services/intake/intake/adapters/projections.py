"""Read models kept current from the events a unit of work appends, in the same transaction.

A committed command is visible at once in `tickets_view`, `complaints_view` and a unit's history
(`unit_history`: outages, days out of service, repairs).
Each projection folds the batch's events per stream first, so a group of openings (or a command that
records two events) costs one statement per table, whatever the batch size. A row's `version` counts
its stream's events: the row is created by the stream's first event and moves with every later one
in the transaction that appends it, so it never needs the aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, bindparam, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.archive_projection import project_archive
from intake.adapters.tables import complaints_view, tickets_view
from intake.adapters.unit_history import project_unit_history
from intake.domain.events import (
    ComplaintAnswered,
    ComplaintFiled,
    TicketAwaitingCustomer,
    TicketAwaitingParts,
    TicketCancelled,
    TicketClosed,
    TicketEvent,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.envelope import Envelope
from shared.unit_of_work import Projection

STATUS_AFTER: dict[type, str] = {
    TicketAwaitingCustomer: "awaiting_customer",
    TicketAwaitingParts: "awaiting_parts",
    TicketResumed: "open",
    TicketReopened: "open",
    TicketResolved: "resolved",
    TicketClosed: "closed",
    TicketCancelled: "cancelled",
}
_CONTEXT_COLUMNS = ("severity", "customer_id", "contract_id", "site_id", "unit_id", "region")


def _upsert(table, key: str, kept: tuple[str, ...] = ()):
    """Insert or overwrite a row, built once and executed with one parameter dict per row."""
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={c.name: statement.excluded[c.name] for c in table.c if c.name not in (key, *kept)},
    )


_INSERT_TICKETS = _upsert(tickets_view, "ticket_id", kept=("technician_id",))  # dispatch's to set
_MOVE_TICKETS = (
    update(tickets_view)
    .where(tickets_view.c.ticket_id == bindparam("b_ticket_id"))
    .values(
        status=func.coalesce(bindparam("b_status", type_=Text), tickets_view.c.status),
        **{name: bindparam(f"b_{name}") for name in _CONTEXT_COLUMNS},
        updated_at=bindparam("b_updated_at"),
        version=tickets_view.c.version + bindparam("b_added"),
    )
)
_INSERT_COMPLAINTS = _upsert(complaints_view, "complaint_id")
_ANSWER_COMPLAINTS = (
    update(complaints_view)
    .where(complaints_view.c.complaint_id == bindparam("b_complaint_id"))
    .values(reply=bindparam("b_reply"), answered_at=bindparam("b_answered_at"))
)


def _opened_row(event: TicketOpened) -> dict[str, Any]:
    context = event.context
    return {
        "ticket_id": event.ticket_id,
        "status": "open",
        "channel": str(event.channel),
        **{name: getattr(context, name) for name in _CONTEXT_COLUMNS},
        "severity": str(context.severity),
        "description": event.description,
        "caller": {
            "name": event.caller.name,
            "phone": event.caller.phone,
            "registered": event.caller.registered,
        },
        "reported_at": event.reported_at,
        "updated_at": event.occurred_at,
        "version": 1,
    }


async def project_tickets(
    conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]
) -> None:
    """New tickets inserted (one statement), changed ones moved on (one statement)."""
    new: dict[str, dict[str, Any]] = {}
    moved: dict[str, dict[str, Any]] = {}
    for event in events:
        if not isinstance(event, TicketEvent):
            continue
        if isinstance(event, TicketOpened):
            new[event.ticket_id] = _opened_row(event)
            continue
        row = new.get(event.ticket_id)
        if row is None:
            row = moved.setdefault(
                event.ticket_id, {"ticket_id": event.ticket_id, "status": None, "version": 0}
            )
        row.update({name: getattr(event.context, name) for name in _CONTEXT_COLUMNS})
        row["severity"] = str(event.context.severity)
        row["status"] = STATUS_AFTER.get(type(event), row["status"])
        row["updated_at"] = event.occurred_at
        row["version"] += 1
    if new:
        await conn.execute(_INSERT_TICKETS, list(new.values()))
    if moved:
        await conn.execute(_MOVE_TICKETS, [_moved_params(row) for row in moved.values()])


def _moved_params(row: dict[str, Any]) -> dict[str, Any]:
    params = {f"b_{name}": value for name, value in row.items() if name != "version"}
    params["b_added"] = row["version"]
    return params


async def project_complaints(
    conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]
) -> None:
    filed: dict[str, dict[str, Any]] = {}
    answered: dict[str, dict[str, Any]] = {}
    for event in events:
        if isinstance(event, ComplaintFiled):
            filed[event.complaint_id] = {
                "complaint_id": event.complaint_id,
                "ticket_id": event.ticket_id,
                "customer_id": event.customer_id,
                "text": event.text,
                "reply": None,
                "filed_at": event.occurred_at,
                "answered_at": None,
            }
        elif isinstance(event, ComplaintAnswered):
            row = filed.get(event.complaint_id)
            if row is None:
                row = answered.setdefault(event.complaint_id, {"b_complaint_id": event.complaint_id})
                row.update(b_reply=event.reply, b_answered_at=event.occurred_at)
            else:
                row.update(reply=event.reply, answered_at=event.occurred_at)
    if filed:
        await conn.execute(_INSERT_COMPLAINTS, list(filed.values()))
    if answered:
        await conn.execute(_ANSWER_COMPLAINTS, list(answered.values()))


PROJECTIONS: tuple[Projection, ...] = (
    project_archive,
    project_tickets,
    project_complaints,
    project_unit_history,
)
