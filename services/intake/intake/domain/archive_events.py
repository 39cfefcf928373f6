"""Events of the customer archive's streams: customers (with contacts and sites), units, contracts.

Published on intake's topic like the ticket events, version 1 each. None concerns a ticket, so each
carries its own ids: a customer's events its `customer_id` (and the contact's or site's id), a
unit's `unit_id`, a contract's `contract_id`, both with their customer. A "...Changed" event carries
the whole new state of the record (no diff to replay), so a consumer (inventory's installed base,
notify's contacts) can keep its copy from the latest event alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from intake.domain.periods import DEFAULT_TIMEZONE


@dataclass(frozen=True, kw_only=True)
class CustomerEvent:
    customer_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class CustomerRegistered(CustomerEvent):
    name: str


@dataclass(frozen=True, kw_only=True)
class CustomerRenamed(CustomerEvent):
    name: str


@dataclass(frozen=True, kw_only=True)
class _ContactState(CustomerEvent):
    contact_id: str
    name: str
    phone: str  # E.164
    email: str | None = None
    is_main: bool = False  # the project's main contact


@dataclass(frozen=True, kw_only=True)
class ContactAdded(_ContactState):
    pass


@dataclass(frozen=True, kw_only=True)
class ContactChanged(_ContactState):
    pass


@dataclass(frozen=True, kw_only=True)
class ContactRemoved(CustomerEvent):
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class _SiteState(CustomerEvent):
    site_id: str
    address: str
    city: str
    region: str
    region_class: str | None = None  # "city" | "elsewhere" (on-site targets may differ)


@dataclass(frozen=True, kw_only=True)
class SiteAdded(_SiteState):
    pass


@dataclass(frozen=True, kw_only=True)
class SiteChanged(_SiteState):
    pass


@dataclass(frozen=True, kw_only=True)
class SiteRemoved(CustomerEvent):
    site_id: str


@dataclass(frozen=True, kw_only=True)
class UnitEvent:
    unit_id: str
    customer_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class _UnitState(UnitEvent):
    site_id: str
    contract_id: str | None
    model: str
    serial_number: str
    product_line: str
    quantity: int
    accepted_on: date
    warranty_months: int
    purchased_on: date | None = None
    installed_on: date | None = None
    on_site_service_months: int | None = None  # None: on-site service as long as the warranty


@dataclass(frozen=True, kw_only=True)
class UnitRegistered(_UnitState):
    pass


@dataclass(frozen=True, kw_only=True)
class UnitChanged(_UnitState):
    pass


@dataclass(frozen=True, kw_only=True)
class UnitRemoved(UnitEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractEvent:
    contract_id: str
    customer_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class _ContractState(ContractEvent):
    policy_id: str
    calendar_id: str
    on_site_regions: tuple[str, ...]
    remote_only_elsewhere: bool
    three_guarantees_variant: str
    starts_on: date
    ends_on: date | None = None
    warranty_terms: str | None = None
    paid_maintenance_until: date | None = None
    account_engineer_id: str | None = None
    sales_rep_id: str | None = None
    consent_required_before_work: bool = False  # chargeable work waits for the customer's consent
    # IANA name: report, purchase and acceptance days are local dates there. Added within version 1:
    # events recorded before it carry none and replay as Asia/Shanghai, the default they assumed.
    time_zone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True, kw_only=True)
class ContractSigned(_ContractState):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractChanged(_ContractState):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractWithdrawn(ContractEvent):
    pass


CUSTOMER_EVENTS = (
    CustomerRegistered,
    CustomerRenamed,
    ContactAdded,
    ContactChanged,
    ContactRemoved,
    SiteAdded,
    SiteChanged,
    SiteRemoved,
)
UNIT_EVENTS = (UnitRegistered, UnitChanged, UnitRemoved)
CONTRACT_EVENTS = (ContractSigned, ContractChanged, ContractWithdrawn)
ARCHIVE_EVENTS = (*CUSTOMER_EVENTS, *UNIT_EVENTS, *CONTRACT_EVENTS)
