"""Read models kept in the command's own transaction: a committed command is visible at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.tables import complaints_view, tickets_view
from intake.domain.complaint import Complaint
from intake.domain.ticket import Ticket


def ticket_document(ticket: Ticket, technician_id: str | None = None) -> dict[str, Any]:
    """The ticket as the API shows it (also what an idempotent retry gets back)."""
    context = ticket.context
    assert context is not None and ticket.caller is not None
    entitlement = ticket.entitlement
    return {
        "ticket_id": ticket.ticket_id,
        "status": str(ticket.status),
        "severity": str(context.severity),
        "channel": str(ticket.channel),
        "customer_id": context.customer_id,
        "contract_id": context.contract_id,
        "policy_id": context.policy_id,
        "calendar_id": context.calendar_id,
        "site_id": context.site_id,
        "unit_id": context.unit_id,
        "region": context.region,
        "on_site_covered": context.on_site_covered,
        "description": ticket.description,
        "fault_code": ticket.fault_code,
        "caller": {
            "name": ticket.caller.name,
            "phone": ticket.caller.phone,
            "contact_id": ticket.caller.contact_id,
            "registered": ticket.caller.registered,
        },
        "reported_at": ticket.reported_at.isoformat() if ticket.reported_at else None,
        "opened_at": ticket.opened_at.isoformat() if ticket.opened_at else None,
        "updated_at": ticket.updated_at.isoformat() if ticket.updated_at else None,
        "technician_id": technician_id,
        "resolution": ticket.resolution,
        "satisfaction": ticket.satisfaction,
        "notes": [
            {"text": n.text, "author": n.author, "at": n.occurred_at.isoformat()} for n in ticket.notes
        ],
        "entitlement": None
        if entitlement is None
        else {
            "in_warranty": entitlement.in_warranty,
            "warranty_ends_on": entitlement.warranty_ends_on.isoformat(),
            "excluded": entitlement.excluded,
            "remedies": list(entitlement.remedies),
            "replacement_due": entitlement.replacement_due,
            "chargeable": {
                "parts": entitlement.parts_chargeable,
                "labour": entitlement.labour_chargeable,
                "travel": entitlement.travel_chargeable,
            },
            "quote_before_work": entitlement.quote_before_work,
            "notify_sales": entitlement.notify_sales,
            "sales_rep_id": entitlement.sales_rep_id,
            "reasons": list(entitlement.reasons),
        },
        "version": ticket.version,
    }


def _upsert_ticket():
    """Insert or overwrite a ticket's row, built once: executed with one parameter dict per call.

    (Reusing the statement spares SQLAlchemy rebuilding and re-keying it for every command.)
    """
    kept = ("ticket_id", "technician_id")  # the key, and what dispatch's events set
    projected = [column.name for column in tickets_view.c if column.name not in kept]
    statement = insert(tickets_view)
    return statement.on_conflict_do_update(
        index_elements=[tickets_view.c.ticket_id],
        set_={name: statement.excluded[name] for name in projected},
    )


_UPSERT_TICKET = _upsert_ticket()


async def project_ticket(conn: AsyncConnection, ticket: Ticket) -> None:
    await project_tickets(conn, [ticket])


async def project_tickets(conn: AsyncConnection, tickets: Sequence[Ticket]) -> None:
    """Upsert the tickets' rows (one multi-row statement)."""
    if tickets:
        await conn.execute(_UPSERT_TICKET, [_ticket_row(ticket) for ticket in tickets])


def _ticket_row(ticket: Ticket) -> dict[str, Any]:
    context = ticket.context
    assert context is not None
    return {
        "ticket_id": ticket.ticket_id,
        "status": str(ticket.status),
        "severity": str(context.severity),
        "channel": str(ticket.channel),
        "customer_id": context.customer_id,
        "contract_id": context.contract_id,
        "site_id": context.site_id,
        "unit_id": context.unit_id,
        "region": context.region,
        "description": ticket.description,
        "caller": {
            "name": ticket.caller.name,
            "phone": ticket.caller.phone,
            "registered": ticket.caller.registered,
        }
        if ticket.caller
        else {},
        "reported_at": ticket.reported_at,
        "updated_at": ticket.updated_at,
        "version": ticket.version,
    }


async def project_complaint(conn: AsyncConnection, complaint: Complaint) -> None:
    values = {
        "ticket_id": complaint.ticket_id,
        "customer_id": complaint.customer_id,
        "text": complaint.text,
        "reply": complaint.reply,
        "filed_at": complaint.filed_at,
        "answered_at": complaint.answered_at,
    }
    statement = insert(complaints_view).values(complaint_id=complaint.complaint_id, **values)
    await conn.execute(
        statement.on_conflict_do_update(index_elements=[complaints_view.c.complaint_id], set_=values)
    )


def complaint_document(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint_id": complaint.complaint_id,
        "ticket_id": complaint.ticket_id,
        "customer_id": complaint.customer_id,
        "text": complaint.text,
        "status": complaint.status,
        "reply": complaint.reply,
        "filed_at": complaint.filed_at.isoformat() if complaint.filed_at else None,
        "answered_at": complaint.answered_at.isoformat() if complaint.answered_at else None,
        "version": complaint.version,
    }
