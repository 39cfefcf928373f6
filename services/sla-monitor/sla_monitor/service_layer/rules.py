"""Which ticket and dispatch events move which clocks. Used live (the consumer) and in what-if
replays, so both measure exactly the same way."""

from __future__ import annotations

from typing import Any

from sla_monitor.adapters import inbound as i
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import SlaEvent
from sla_monitor.domain.policy import ClockKind, Policy

C = ClockKind
RESPONDED = (C.RESPONSE,)
RESTORED = (C.RESPONSE, C.RESTORE, C.HANDOFF)
CLOSED = (C.RESPONSE, C.ON_SITE, C.RESTORE, C.HANDOFF, C.RESOLUTION)


def subject_of(event: Any) -> str:
    """The SLA ticket an event belongs to (a standalone complaint is its own)."""
    if isinstance(event, (i.ComplaintFiled, i.ComplaintAnswered)):
        return event.ticket_id or event.complaint_id
    return event.ticket_id


def apply(
    ticket: SlaTicket | None, event: Any, policy_of, calendar_of
) -> tuple[SlaTicket | None, list[SlaEvent]]:
    """Apply one input at its occurrence time. `policy_of(id)`/`calendar_of(id)` resolve by id."""
    if isinstance(event, i.TicketOpened):
        if ticket is not None:
            return ticket, []
        context = event.context
        policy = policy_of(context.policy_id)
        return SlaTicket.open(
            ticket_id=event.ticket_id,
            policy=policy,
            calendar_id=context.calendar_id,
            severity=context.severity,
            customer_id=context.customer_id,
            region=context.region,
            opened_at=event.reported_at,
            on_site_covered=context.on_site_covered,
        ), []
    if isinstance(event, i.ComplaintFiled) and ticket is None:
        ticket = SlaTicket(
            ticket_id=subject_of(event),
            policy_id="default",
            calendar_id="7x24",
            severity="P3",
            customer_id=event.customer_id,
            region=None,
            opened_at=event.occurred_at,
            on_site_covered=False,
        )
    if ticket is None:
        return None, []  # opened before this monitor knew it: nothing to measure
    policy: Policy = policy_of(ticket.policy_id)
    calendar: BusinessCalendar = calendar_of(ticket.calendar_id)
    at = event.occurred_at
    match event:
        case i.TicketClassified():
            return ticket, ticket.reclassify(event.severity, at, policy, calendar)
        case i.TicketAwaitingCustomer():
            ticket.pause("awaiting_customer", at, policy)
        case i.TicketAwaitingParts():
            ticket.pause("awaiting_parts", at, policy)
        case i.TicketResumed():
            ticket.resume(at, calendar)
        case i.AssignmentAcknowledged() | i.RemoteSessionStarted():
            return ticket, ticket.stop(RESPONDED, at, calendar, type(event).__name__)
        case i.TechnicianArrived():
            return ticket, ticket.stop((C.RESPONSE, C.ON_SITE), at, calendar, "technician arrived")
        case i.OnSiteVisitRequired():
            ticket.start(C.ON_SITE, at, policy, "remote work did not resolve it")
        case i.WorkResolved() | i.TicketResolved():
            return ticket, ticket.stop(RESTORED, at, calendar, type(event).__name__)
        case i.TicketReopened():
            ticket.reopen(at, policy)
        case i.TicketClosed():
            return ticket, ticket.stop(CLOSED, at, calendar, "ticket closed after the callback")
        case i.TicketCancelled():
            return ticket, ticket.cancel(at, calendar)
        case i.ComplaintFiled():
            return ticket, ticket.complaint_filed(event.complaint_id, at, policy)
        case i.ComplaintAnswered():
            return ticket, ticket.complaint_answered(event.complaint_id, at, calendar)
    return ticket, []
