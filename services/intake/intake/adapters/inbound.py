"""What intake reads from dispatch's events: tolerant views with only the fields it needs
(unknown fields are ignored, so dispatch can add fields without breaking intake)."""

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
