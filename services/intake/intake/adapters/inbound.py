"""What intake reads from dispatch's and the SLA monitor's events: tolerant views with only the fields
it needs (unknown fields are ignored, so their producers can add fields without breaking intake)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class TechnicianAssigned:
    ticket_id: str
    technician_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TicketReassigned:
    ticket_id: str
    technician_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class PartsRequested:
    ticket_id: str
    technician_id: str
    occurred_at: datetime
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class WorkResolved:
    ticket_id: str
    technician_id: str
    occurred_at: datetime
    fix: str = ""
    fault_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class DiagnosisRecorded:
    ticket_id: str
    technician_id: str
    occurred_at: datetime
    diagnosis: str = ""
    fault_code: str | None = None


DISPATCH_EVENTS = (TechnicianAssigned, TicketReassigned, PartsRequested, WorkResolved, DiagnosisRecorded)


@dataclass(frozen=True, kw_only=True)
class PolicyPublished:
    """The SLA monitor saved or seeded a policy: contracts and tickets may name it from now on."""

    policy_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class CalendarPublished:
    """The SLA monitor saved or seeded a business calendar."""

    calendar_id: str
    occurred_at: datetime


SLA_CATALOG_EVENTS = (PolicyPublished, CalendarPublished)
