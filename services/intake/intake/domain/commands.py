"""What a route or a consumer may ask intake to do: one command, one handler (service_layer/handlers).

Commands carry what the caller knows (ids, the request's values, the expected version from If-Match)
and nothing the handler looks up itself (the archive, the clock, the ticket's current state).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intake.domain.entitlement import Cause
from intake.domain.events import Channel, QuoteAnswerChannel, Severity

# The vocabulary the edge needs, with the commands below.
__all__ = ["Cause", "Channel", "QuoteAnswerChannel", "Severity"]


# ---- tickets, from the office or an integration -------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class OpenTicket:
    customer_id: str
    channel: Channel
    severity: Severity
    description: str
    caller_name: str
    caller_phone: str
    reported_at: datetime | None = None
    contract_id: str | None = None
    site_id: str | None = None
    unit_id: str | None = None
    serial_number: str | None = None
    fault_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class TicketCommand:
    """A change to one ticket; `expected_version` is the If-Match the client sent (None: any)."""

    ticket_id: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class ClassifyTicket(TicketCommand):
    severity: Severity
    reason: str


@dataclass(frozen=True, kw_only=True)
class AddNote(TicketCommand):
    text: str
    author: str


@dataclass(frozen=True, kw_only=True)
class AwaitCustomer(TicketCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class AwaitParts(TicketCommand):
    reason: str
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ResumeTicket(TicketCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class ResolveTicket(TicketCommand):
    resolution: str
    resolved_by: str
    technician_id: str | None = None
    fault_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReopenTicket(TicketCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecordSatisfaction(TicketCommand):
    """The callback's answer; a dissatisfied one files a complaint in the same transaction."""

    score: int
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseTicket(TicketCommand):
    callback_note: str


@dataclass(frozen=True, kw_only=True)
class CancelTicket(TicketCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class AnswerQuote(TicketCommand):
    """The customer's answer to the quote for chargeable work, as the office recorded it."""

    recorded_by: str
    answered_via: QuoteAnswerChannel
    answered_at: datetime | None = None  # None: now
    quote_reference: str | None = None
    quoted_amount: str | None = None  # a decimal string
    currency: str | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class AcceptQuote(AnswerQuote):
    """Consent given: the work may start."""


@dataclass(frozen=True, kw_only=True)
class DeclineQuote(AnswerQuote):
    """Consent refused: the ticket is cancelled."""


@dataclass(frozen=True, kw_only=True)
class ReassessEntitlement(TicketCommand):
    cause: Cause = Cause.PERFORMANCE_FAULT
    fault_code: str | None = None


# ---- tickets, following dispatch's field work (tolerant: a ticket already past the step is left) --
@dataclass(frozen=True, kw_only=True)
class RecordTechnician:
    """Who works on the ticket now (kept in the read model only, not an event of the ticket)."""

    ticket_id: str
    technician_id: str


@dataclass(frozen=True, kw_only=True)
class AwaitPartsFromField:
    ticket_id: str
    parts: tuple[str, ...]
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class ResolveFromField:
    ticket_id: str
    technician_id: str
    fix: str
    fault_code: str | None
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReassessAfterDiagnosis:
    ticket_id: str
    fault_code: str


# ---- complaints ---------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class FileComplaint:
    customer_id: str
    text: str
    ticket_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerComplaint:
    complaint_id: str
    reply: str
    answered_by: str


# ---- the customer archive (mutable reference rows) -----------------------------------------------
ARCHIVE_KINDS = ("contacts", "sites", "contracts", "units")  # the collections under a customer


@dataclass(frozen=True, kw_only=True)
class AddCompany:
    name: str


@dataclass(frozen=True, kw_only=True)
class RenameCompany:
    company_id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class AddRecord:
    """A contact, site, contract or unit (`kind`, one of ARCHIVE_KINDS) of a customer."""

    kind: str
    company_id: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ReplaceRecord:
    kind: str
    company_id: str
    record_id: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RemoveRecord:
    kind: str
    company_id: str
    record_id: str


# ---- what the SLA monitor publishes ---------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RecordSlaReference:
    """A policy or calendar the SLA monitor published: contracts and tickets may name it."""

    kind: str  # "policy" | "calendar"
    reference_id: str
    published_at: datetime
