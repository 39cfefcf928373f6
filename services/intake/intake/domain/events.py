"""Events of the ticket and complaint streams (published on the tickets topic, keyed by ticket id).

Every ticket event carries the ticket's full context, so a consumer (the SLA monitor, dispatch,
notify) never has to call intake back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Severity(StrEnum):
    P1 = "P1"  # critical: system down, business interrupted
    P2 = "P2"  # major
    P3 = "P3"  # general
    P4 = "P4"  # non-fault: consultation


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    FAX = "fax"
    WEB = "web"
    WALK_IN = "walk_in"
    LETTER = "letter"
    PARTNER_API = "partner_api"


@dataclass(frozen=True, kw_only=True)
class TicketContext:
    customer_id: str
    contract_id: str | None
    policy_id: str
    calendar_id: str
    severity: Severity
    region: str | None
    site_id: str | None
    unit_id: str | None
    product_line: str | None
    on_site_covered: bool
    region_class: str | None = None  # the site's: "city" | "elsewhere" (targets may differ); None: not said


@dataclass(frozen=True, kw_only=True)
class Caller:
    name: str
    phone: str
    contact_id: str | None
    registered: bool


@dataclass(frozen=True, kw_only=True)
class TicketEvent:
    ticket_id: str
    occurred_at: datetime
    context: TicketContext


@dataclass(frozen=True, kw_only=True)
class TicketOpened(TicketEvent):
    channel: Channel
    reported_at: datetime
    description: str
    caller: Caller
    fault_code: str | None = None
    account_engineer_id: str | None = None
    sales_rep_id: str | None = None
    # Added within version 1: the entitlement assessed with the opening waits for the customer's
    # consent to the quote (dispatch staffs nobody until `QuoteAccepted`). Older events: False.
    awaits_consent: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketClassified(TicketEvent):
    previous_severity: Severity
    severity: Severity
    reason: str


@dataclass(frozen=True, kw_only=True)
class TicketNoteAdded(TicketEvent):
    text: str
    author: str


@dataclass(frozen=True, kw_only=True)
class EntitlementAssessed(TicketEvent):
    in_warranty: bool
    warranty_ends_on: date
    excluded: bool
    remedies: tuple[str, ...]
    replacement_due: bool
    parts_chargeable: bool
    labour_chargeable: bool
    travel_chargeable: bool
    quote_before_work: bool
    notify_sales: bool
    sales_rep_id: str | None
    reasons: tuple[str, ...]
    fault_code: str | None = None  # the fault assessed (e.g. from the field's diagnosis)
    # Added within version 1 (older events read with these defaults: unknown / no such terms).
    cause: str | None = None  # the cause assessed (an excluded one explains `excluded`)
    on_site_service_ends_on: date | None = None  # None: free on-site service as long as the warranty
    on_site_service_covered: bool | None = None  # the free on-site term covers the report day
    awaits_consent: bool = False  # chargeable work waits for the customer's consent to the quote
    days_out_of_service: int = 0  # the warranty's extension (days out of service for repair, parts)
    out_of_service_reasons: tuple[str, ...] = ()  # one line per outage counted


class QuoteAnswerChannel(StrEnum):
    """How the customer gave their answer to the quote."""

    PHONE = "phone"
    SIGNATURE = "signature"  # a signed quote (paper or on a device)
    EMAIL = "email"
    SMS = "sms"
    FAX = "fax"
    LETTER = "letter"
    IN_PERSON = "in_person"


@dataclass(frozen=True, kw_only=True)
class QuoteAnswered(TicketEvent):
    """The customer's answer to the quote for chargeable work (SPEC 2.3: where the contract says so,
    chargeable work waits for it). `assessed_at` names the assessment quoted (its `occurred_at`) and
    `charges` what it made chargeable, so the answer says which terms it answers."""

    recorded_by: str  # who recorded the answer (the office's actor)
    answered_via: QuoteAnswerChannel
    answered_at: datetime  # when the customer answered (may be before it was recorded)
    assessed_at: datetime
    charges: tuple[str, ...]  # "parts" | "labour" | "travel"
    quote_reference: str | None = None  # the quote's number, when the office issued one
    quoted_amount: str | None = None  # a decimal string, e.g. "1280.00" (exact, no float)
    currency: str | None = None  # ISO 4217, with the amount
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class QuoteAccepted(QuoteAnswered):
    """Consent given: the chargeable work may start (dispatch sends someone from this event on)."""


@dataclass(frozen=True, kw_only=True)
class QuoteDeclined(QuoteAnswered):
    """Consent refused: no chargeable work; the ticket is cancelled in the same transaction."""


@dataclass(frozen=True, kw_only=True)
class TicketAwaitingCustomer(TicketEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class TicketAwaitingParts(TicketEvent):
    reason: str
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TicketResumed(TicketEvent):
    paused: str  # the status left: awaiting_customer or awaiting_parts


@dataclass(frozen=True, kw_only=True)
class TicketResolved(TicketEvent):
    resolution: str
    resolved_by: str
    technician_id: str | None = None
    fault_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class TicketReopened(TicketEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class TicketClosed(TicketEvent):
    callback_note: str


@dataclass(frozen=True, kw_only=True)
class TicketCancelled(TicketEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class SatisfactionRecorded(TicketEvent):
    score: int  # 1 (very dissatisfied) .. 5 (very satisfied)
    comment: str


@dataclass(frozen=True, kw_only=True)
class ComplaintFiled:
    complaint_id: str
    ticket_id: str | None
    customer_id: str
    occurred_at: datetime
    text: str
    source: str  # "customer" or "satisfaction_callback"
    context: TicketContext | None = None
    policy_id: str | None = None  # the customer's contract policy: the reply clock's (None: filed before)


@dataclass(frozen=True, kw_only=True)
class ComplaintAnswered:
    complaint_id: str
    ticket_id: str | None
    customer_id: str
    occurred_at: datetime
    reply: str
    answered_by: str


TICKET_EVENTS = (
    TicketOpened,
    TicketClassified,
    TicketNoteAdded,
    EntitlementAssessed,
    QuoteAccepted,
    QuoteDeclined,
    TicketAwaitingCustomer,
    TicketAwaitingParts,
    TicketResumed,
    TicketResolved,
    TicketReopened,
    TicketClosed,
    TicketCancelled,
    SatisfactionRecorded,
)
COMPLAINT_EVENTS = (ComplaintFiled, ComplaintAnswered)
