"""Which inputs move which clocks. Used live (the consumer's command) and in what-if replays, so
both measure exactly the same way. Pure: the policy and calendar are resolved by the caller's
`policy_of(id)` / `calendar_of(id)`."""

from __future__ import annotations

from collections.abc import Callable

from sla_monitor.domain import inputs as i
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import SlaEvent
from sla_monitor.domain.policy import ClockKind, Policy

C = ClockKind
RESPONDED = (C.RESPONSE,)
RESTORED = (C.RESPONSE, C.RESTORE, C.HANDOFF)
CLOSED = (C.RESPONSE, C.ON_SITE, C.RESTORE, C.HANDOFF, C.RESOLUTION)
PolicyOf = Callable[[str], Policy]
CalendarOf = Callable[[str], BusinessCalendar]


def apply(
    ticket: SlaTicket | None, event: i.ClockInput, policy_of: PolicyOf, calendar_of: CalendarOf
) -> tuple[SlaTicket | None, list[SlaEvent]]:
    """Apply one input at its occurrence time; (the ticket, or None if not known yet; what it emits)."""
    if isinstance(event, i.Opened):
        if ticket is not None:
            return ticket, []
        return SlaTicket.open(
            ticket_id=event.ticket_id,
            policy=policy_of(event.policy_id),
            calendar_id=event.calendar_id,
            severity=event.severity,
            customer_id=event.customer_id,
            region=event.region,
            opened_at=event.at,
            on_site_covered=event.on_site_covered,
        ), []
    if isinstance(event, i.ComplaintFiled) and ticket is None:
        ticket = SlaTicket(  # a complaint without a ticket is measured on its own, under the default
            ticket_id=event.ticket_id,
            policy_id="default",
            calendar_id="7x24",
            severity="P3",
            customer_id=event.customer_id,
            region=None,
            opened_at=event.at,
            on_site_covered=False,
        )
    if ticket is None:
        return None, []  # opened before this monitor knew it: nothing to measure
    return ticket, _move(ticket, event, policy_of(ticket.policy_id), calendar_of(ticket.calendar_id))


def _move(
    ticket: SlaTicket, event: i.ClockInput, policy: Policy, calendar: BusinessCalendar
) -> list[SlaEvent]:
    at = event.at
    match event:
        case i.Reclassified():
            return ticket.reclassify(event.severity, at, policy, calendar)
        case i.Paused():
            ticket.pause(event.reason, at, policy)
        case i.Resumed():
            ticket.resume(at, calendar)
        case i.Responded():
            return ticket.stop(RESPONDED, at, calendar, event.why)
        case i.Arrived():
            return ticket.stop((C.RESPONSE, C.ON_SITE), at, calendar, "technician arrived")
        case i.OnSiteNeeded():
            ticket.start(C.ON_SITE, at, policy, "remote work did not resolve it")
        case i.Restored():
            return ticket.stop(RESTORED, at, calendar, event.why)
        case i.Reopened():
            ticket.reopen(at, policy)
        case i.Closed():
            return ticket.stop(CLOSED, at, calendar, "ticket closed after the callback")
        case i.Cancelled():
            return ticket.cancel(at, calendar)
        case i.ComplaintFiled():
            return ticket.complaint_filed(event.complaint_id, at, policy)
        case i.ComplaintAnswered():
            return ticket.complaint_answered(event.complaint_id, at, calendar)
    return []
