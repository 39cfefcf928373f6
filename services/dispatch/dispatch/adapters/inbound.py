"""What dispatch reads from the ticket and SLA topics (tolerant views: only the fields it needs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class ContextView:
    customer_id: str
    severity: str
    region: str | None = None
    unit_id: str | None = None
    product_line: str | None = None
    on_site_covered: bool = True


@dataclass(frozen=True, kw_only=True)
class TicketOpened:
    ticket_id: str
    occurred_at: datetime
    context: ContextView
    account_engineer_id: str | None = None
    awaits_consent: bool = False  # the work waits for the customer's consent to the quote


@dataclass(frozen=True, kw_only=True)
class TicketClassified:
    ticket_id: str
    occurred_at: datetime
    severity: str


@dataclass(frozen=True, kw_only=True)
class TicketCancelled:
    ticket_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TicketResolved:
    ticket_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class EntitlementAssessed:
    ticket_id: str
    occurred_at: datetime
    awaits_consent: bool = False  # chargeable work waits for the customer's consent to the quote


@dataclass(frozen=True, kw_only=True)
class QuoteAccepted:
    ticket_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class QuoteDeclined:
    ticket_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class EscalationRaised:
    ticket_id: str
    occurred_at: datetime
    level: int
    reason: str
    region: str | None = None
    # True: the assignee missed a promise of theirs (move the field job); absent in events published
    # before the flag existed (None: the reason decides, see `domain.tiers`).
    reassign_field_job: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CaseHandedOff:
    """The tier hand-off threshold: the case owner changes, not the field job."""

    ticket_id: str
    occurred_at: datetime
    from_level: int
    to_level: int
    reason: str = ""


FROM_TICKETS = (  # intake's topic
    TicketOpened,
    TicketClassified,
    TicketCancelled,
    TicketResolved,
    EntitlementAssessed,
    QuoteAccepted,
    QuoteDeclined,
)
FROM_SLA = (EscalationRaised, CaseHandedOff)  # the SLA monitor's topic
INPUTS = (*FROM_TICKETS, *FROM_SLA)
