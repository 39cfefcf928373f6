"""What the SLA monitor reads from the ticket and dispatch topics: tolerant views with only the
fields it needs (producers may add fields freely)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class ContextView:
    customer_id: str
    policy_id: str
    calendar_id: str
    severity: str
    region: str | None = None
    on_site_covered: bool = True
    region_class: str | None = None  # intake adds it (issue 12): "city" | "elsewhere"


@dataclass(frozen=True, kw_only=True)
class TicketFact:
    ticket_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TicketOpened(TicketFact):
    reported_at: datetime
    context: ContextView
    channel: str | None = None


@dataclass(frozen=True, kw_only=True)
class TicketClassified(TicketFact):
    severity: str


@dataclass(frozen=True, kw_only=True)
class TicketAwaitingCustomer(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketAwaitingParts(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketResumed(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketResolved(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketReopened(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketClosed(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketCancelled(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class AssignmentAcknowledged(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class RemoteSessionStarted(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class TechnicianArrived(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class WorkResolved(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class OnSiteVisitRequired(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class RemoteSessionEnded(TicketFact):
    resolved: bool  # unresolved: the on-site decision


@dataclass(frozen=True, kw_only=True)
class DiagnosisRecorded(TicketFact):
    pass


@dataclass(frozen=True, kw_only=True)
class ComplaintFiled:
    complaint_id: str
    ticket_id: str | None
    customer_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class ComplaintAnswered:
    complaint_id: str
    ticket_id: str | None
    customer_id: str
    occurred_at: datetime


TICKET_INPUTS = (
    TicketOpened,
    TicketClassified,
    TicketAwaitingCustomer,
    TicketAwaitingParts,
    TicketResumed,
    TicketResolved,
    TicketReopened,
    TicketClosed,
    TicketCancelled,
    ComplaintFiled,
    ComplaintAnswered,
)
DISPATCH_INPUTS = (
    AssignmentAcknowledged,
    RemoteSessionStarted,
    TechnicianArrived,
    WorkResolved,
    OnSiteVisitRequired,
    RemoteSessionEnded,
    DiagnosisRecorded,
)
