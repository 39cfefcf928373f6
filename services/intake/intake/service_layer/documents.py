"""Tickets and complaints as the API shows them (plain dicts: also what an idempotent retry gets back).

Built from the aggregate (after a command, or replayed as of a moment) plus the technician the read
model holds; the response models in entrypoints/schemas.py describe exactly these shapes.
"""

from __future__ import annotations

from typing import Any

from intake.domain.complaint import Complaint
from intake.domain.events import QuoteAccepted, QuoteDeclined
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
        "region_class": context.region_class,
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
            "awaits_consent": entitlement.awaits_consent,
        },
        "awaiting_consent": ticket.awaiting_consent,
        "quote_decision": _quote_decision(ticket.quote_answer),
        "version": ticket.version,
    }


def _quote_decision(answer: QuoteAccepted | QuoteDeclined | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "decision": "accepted" if isinstance(answer, QuoteAccepted) else "declined",
        "answered_via": str(answer.answered_via),
        "answered_at": answer.answered_at.isoformat(),
        "recorded_by": answer.recorded_by,
        "quote_reference": answer.quote_reference,
        "quoted_amount": answer.quoted_amount,
        "currency": answer.currency,
        "note": answer.note,
    }


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
