"""Which inputs move which clocks. Used live (the consumer's command) and in what-if replays, so
both measure exactly the same way. Pure: the policy and calendar are resolved by the caller's
`policy_of(id)` / `calendar_of(id)`."""

from __future__ import annotations

from collections.abc import Callable

from sla_monitor.domain import inputs as i
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import SlaEvent
from sla_monitor.domain.policy import ClockKind, ClockStart, Policy

C = ClockKind
RESPONDED = (C.RESPONSE,)
RESTORED = (C.RESPONSE, C.RESTORE, C.HANDOFF, C.DIAGNOSIS)  # restored implies diagnosed
CLOSED = (C.RESPONSE, C.RESTORE, C.HANDOFF, C.DIAGNOSIS, C.RESOLUTION)
# A resolution or closing with the on-site clock still open means nobody went: `not_needed`.
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
            channel=event.channel,
            region_class=event.region_class,
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
    if ticket.unmeasured:
        return ticket, []  # refused at opening (unknown policy or calendar): no clock to move
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
            ticket.started_by(ClockStart.FIRST_CONTACT, at, policy, f"first contact ({event.why})")
            return ticket.stop(RESPONDED, at, calendar, event.why)
        case i.Arrived():
            ticket.started_by(ClockStart.FIRST_CONTACT, at, policy, "first contact (technician arrived)")
            return ticket.stop((C.RESPONSE, C.ON_SITE), at, calendar, "technician arrived")
        case i.OnSiteNeeded():
            ticket.started_by(ClockStart.ONSITE_DECISION, at, policy, f"on-site decision ({event.why})")
        case i.Diagnosed():
            return ticket.stop((C.DIAGNOSIS,), at, calendar, "diagnosis recorded")
        case i.Restored():
            gone = ticket.on_site_not_needed(
                at, policy, calendar, f"resolved with nobody on site ({event.why})"
            )
            return gone + ticket.stop(RESTORED, at, calendar, event.why)
        case i.Reopened():
            ticket.reopen(at, policy)
        case i.Closed():
            gone = ticket.on_site_not_needed(at, policy, calendar, "closed with nobody on site")
            return gone + ticket.stop(CLOSED, at, calendar, "ticket closed after the callback")
        case i.Cancelled():
            return ticket.cancel(at, calendar)
        case i.ComplaintFiled():
            return ticket.complaint_filed(event.complaint_id, at, policy)
        case i.ComplaintAnswered():
            return ticket.complaint_answered(event.complaint_id, at, calendar)
    return []
