"""Response bodies of intake: the JSON the API has always answered, described for OpenAPI.

Times are ISO 8601 strings as the documents give them (`datetime.isoformat()`), so a model never
changes a byte of a body; a field added to a document later passes through (extra="allow").
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.domain.commands import Channel, Severity

IsoTime = str  # an ISO 8601 date-time with its offset, e.g. 2026-11-28T09:30:00+00:00


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")  # a field added to a document never breaks the model


class CallerOut(_Out):
    name: str
    phone: str
    contact_id: str | None
    registered: bool


class NoteOut(_Out):
    text: str
    author: str
    at: IsoTime


class ChargeableOut(_Out):
    parts: bool
    labour: bool
    travel: bool


class EntitlementOut(_Out):
    in_warranty: bool
    warranty_ends_on: date
    excluded: bool
    remedies: list[str]
    replacement_due: bool
    chargeable: ChargeableOut
    quote_before_work: bool
    notify_sales: bool
    sales_rep_id: str | None
    reasons: list[str]
    awaits_consent: bool  # chargeable work waits for the customer's consent to the quote


class QuoteDecisionOut(_Out):
    """The customer's last answer to a quote on the ticket."""

    decision: str  # accepted | declined
    answered_via: str
    answered_at: IsoTime
    recorded_by: str
    quote_reference: str | None
    quoted_amount: str | None
    currency: str | None
    note: str


class TicketOut(_Out):
    """A ticket (its ETag header is its version)."""

    ticket_id: str
    status: str
    severity: Severity
    channel: Channel
    customer_id: str
    contract_id: str | None
    policy_id: str
    calendar_id: str
    site_id: str | None
    unit_id: str | None
    region: str | None
    region_class: str | None = None
    on_site_covered: bool
    description: str
    fault_code: str | None
    caller: CallerOut
    reported_at: IsoTime | None
    opened_at: IsoTime | None
    updated_at: IsoTime | None
    technician_id: str | None
    resolution: str | None
    satisfaction: int | None
    notes: list[NoteOut]
    entitlement: EntitlementOut | None
    awaiting_consent: bool  # nobody is sent until the customer accepts the quote
    quote_decision: QuoteDecisionOut | None
    version: int


class TicketRowCaller(_Out):
    name: str
    phone: str
    registered: bool


class TicketRow(_Out):
    """A ticket in a list (the read model's columns)."""

    ticket_id: str
    status: str
    severity: str
    channel: str
    customer_id: str
    contract_id: str | None
    site_id: str | None
    unit_id: str | None
    region: str | None
    technician_id: str | None
    description: str
    caller: TicketRowCaller
    reported_at: IsoTime
    updated_at: IsoTime
    version: int


class TicketPage(BaseModel):
    items: list[TicketRow]
    next_cursor: str | None


class StoredEvent(_Out):
    version: int
    event_id: str
    type: str
    occurred_at: IsoTime
    recorded_at: IsoTime
    actor: str | None
    correlation_id: str | None
    data: dict[str, Any]


class ArchiveHistory(BaseModel):
    """A customer's, unit's or contract's stream, oldest first."""

    id: str
    events: list[StoredEvent]


class TicketHistory(BaseModel):
    ticket_id: str
    events: list[StoredEvent]


class ComplaintOut(_Out):
    complaint_id: str
    ticket_id: str | None
    customer_id: str
    text: str
    status: Literal["open", "answered"]
    reply: str | None
    filed_at: IsoTime | None
    answered_at: IsoTime | None
    version: int


class Created(BaseModel):
    id: str


class Warranty(_Out):
    in_warranty: bool
    ends_on: date
    days_left: int
    days_out_of_service: int = Field(default=0, description="Days the warranty is extended by")
    extension_reasons: list[str] = Field(default_factory=list, description="The outages counted")


class ContactOut(_Out):
    id: str
    company_id: str
    name: str
    phone: str
    email: str | None
    is_main: bool


class SiteOut(_Out):
    id: str
    company_id: str
    address: str
    city: str
    region: str
    region_class: str | None = None


class ContractOut(_Out):
    id: str
    company_id: str
    policy_id: str
    calendar_id: str
    on_site_regions: list[str]
    remote_only_elsewhere: bool
    warranty_terms: str | None
    paid_maintenance_until: date | None
    account_engineer_id: str | None
    sales_rep_id: str | None
    three_guarantees_variant: str
    starts_on: date
    ends_on: date | None
    consent_required_before_work: bool = False
    time_zone: str = "Asia/Shanghai"  # IANA name: the contract's local dates


class UnitOut(_Out):
    id: str
    company_id: str
    site_id: str
    contract_id: str | None
    model: str
    serial_number: str
    product_line: str
    quantity: int
    purchased_on: date | None
    installed_on: date | None
    accepted_on: date
    warranty_months: int
    days_out_of_service: int
    on_site_service_months: int | None = None
    warranty: Warranty


class UnitRecord(UnitOut):
    """A unit with the contract it is under, both as they stood at the instant asked (or now)."""

    contract: ContractOut | None = None


class CompanyRecord(_Out):
    """A customer with every contact, site, contract and unit (each unit's warranty as of today)."""

    id: str
    name: str
    created_at: IsoTime
    contacts: list[ContactOut]
    sites: list[SiteOut]
    contracts: list[ContractOut]
    units: list[UnitOut]


class LookupMatch(CompanyRecord):
    matched_unit: UnitOut | None = Field(default=None, description="Only when looked up by serial")


class Lookup(BaseModel):
    matches: list[LookupMatch]
