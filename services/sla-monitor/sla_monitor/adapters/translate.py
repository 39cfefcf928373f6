"""Intake's and dispatch's events (the tolerant views of `inbound.py`) as the monitor's clock inputs:
the one place that knows both vocabularies. Used by the consumer and by replays of stored inputs."""

from __future__ import annotations

from typing import Any

from sla_monitor.adapters import inbound as e
from sla_monitor.domain import inputs as i


def clock_input(event: Any) -> i.ClockInput:
    """The input an inbound event means; LookupError for a type the monitor does not read."""
    match event:
        case e.TicketOpened():
            c = event.context
            return i.Opened(
                ticket_id=event.ticket_id,
                at=event.reported_at,  # the clocks run from the report, not from the record
                policy_id=c.policy_id,
                calendar_id=c.calendar_id,
                severity=c.severity,
                customer_id=c.customer_id,
                region=c.region,
                on_site_covered=c.on_site_covered,
                channel=event.channel,
                region_class=c.region_class,
            )
        case e.ComplaintFiled():
            return i.ComplaintFiled(
                ticket_id=event.ticket_id or event.complaint_id,
                at=event.occurred_at,
                complaint_id=event.complaint_id,
                customer_id=event.customer_id,
            )
        case e.ComplaintAnswered():
            return i.ComplaintAnswered(
                ticket_id=event.ticket_id or event.complaint_id,
                at=event.occurred_at,
                complaint_id=event.complaint_id,
            )
        case e.TicketClassified():
            return i.Reclassified(ticket_id=event.ticket_id, at=event.occurred_at, severity=event.severity)
        case e.TicketAwaitingCustomer():
            return i.Paused(ticket_id=event.ticket_id, at=event.occurred_at, reason="awaiting_customer")
        case e.TicketAwaitingParts():
            return i.Paused(ticket_id=event.ticket_id, at=event.occurred_at, reason="awaiting_parts")
        case e.AssignmentAcknowledged() | e.RemoteSessionStarted():
            return i.Responded(ticket_id=event.ticket_id, at=event.occurred_at, why=type(event).__name__)
        case e.RemoteSessionEnded(resolved=False):
            return i.OnSiteNeeded(ticket_id=event.ticket_id, at=event.occurred_at, why="RemoteSessionEnded")
        case e.RemoteSessionEnded():
            # resolved remotely: the resolution itself (WorkResolved / TicketResolved) stops the clocks
            return i.Noted(ticket_id=event.ticket_id, at=event.occurred_at, what="remote session resolved it")
        case e.WorkResolved() | e.TicketResolved():
            return i.Restored(ticket_id=event.ticket_id, at=event.occurred_at, why=type(event).__name__)
    simple = _SIMPLE.get(type(event))
    if simple is None:
        raise LookupError(f"the SLA monitor does not read {type(event).__name__}")
    return simple(ticket_id=event.ticket_id, at=event.occurred_at)


_SIMPLE: dict[type, type[i.ClockInput]] = {
    e.TicketResumed: i.Resumed,
    e.TechnicianArrived: i.Arrived,
    e.OnSiteVisitRequired: i.OnSiteNeeded,
    e.DiagnosisRecorded: i.Diagnosed,
    e.TicketReopened: i.Reopened,
    e.TicketClosed: i.Closed,
    e.TicketCancelled: i.Cancelled,
}
