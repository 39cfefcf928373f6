"""What dispatch can be asked to do: one frozen dataclass per use case, built by routes, consumers and
background jobs alike and run by the message bus (one handler each, in `service_layer.handlers`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# ---- assignment (from intake's and the SLA monitor's events, the office, the queue) ----------------


@dataclass(frozen=True, kw_only=True)
class OpenJob:
    """A ticket was opened: create its job and assign it, or queue it."""

    ticket_id: str
    severity: str
    region: str | None = None
    product_line: str | None = None
    on_site_covered: bool = True
    customer_id: str | None = None
    unit_id: str | None = None
    account_engineer_id: str | None = None
    opened_at: datetime
    awaits_consent: bool = False  # held, nobody sent, until the customer accepts the quote


@dataclass(frozen=True, kw_only=True)
class ReclassifyJob:
    """The ticket's severity changed: note it; a queued job gets another try."""

    ticket_id: str
    severity: str


@dataclass(frozen=True, kw_only=True)
class CloseJob:
    """The ticket ended elsewhere: ``reason`` is "cancelled" or "resolved_by_office"."""

    ticket_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReviewConsentHold:
    """The ticket's entitlement was (re)assessed: hold a job nobody holds yet while chargeable work
    waits for the customer's consent; release a held one that no longer needs it."""

    ticket_id: str
    awaits_consent: bool
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class RecordQuoteAnswer:
    """The customer answered the quote: accepted, the held job is staffed; declined, it ends."""

    ticket_id: str
    accepted: bool
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class EscalateJob:
    """The SLA monitor raised the level: reassign the field job only when the assignee missed a promise
    of theirs (``reassign_field_job``; None: an event from before the flag, see `domain.tiers`), else
    name the accountable level's case owner."""

    ticket_id: str
    level: int
    reason: str
    region: str | None = None
    reassign_field_job: bool | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class HandOffCase:
    """The tier hand-off (seed 003 §9): a person of ``to_level`` becomes the case owner; the field
    engineer keeps the job."""

    ticket_id: str
    from_level: int
    to_level: int
    reason: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class AssignJob:
    """Manual assignment or reassignment by the office."""

    ticket_id: str
    technician_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class AssignQueuedJobs:
    """Give the oldest queued jobs another try (shift start, a job finished)."""

    limit: int = 100


# ---- the technician app (occurred_at = device time; client_id makes retries safe) ----------------


@dataclass(frozen=True, kw_only=True)
class FieldCommand:
    ticket_id: str
    technician_id: str
    occurred_at: datetime
    client_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AcknowledgeAssignment(FieldCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class StartRemoteSession(FieldCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class EndRemoteSession(FieldCommand):
    resolved: bool


@dataclass(frozen=True, kw_only=True)
class DepartForSite(FieldCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class ArriveOnSite(FieldCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class RecordDiagnosis(FieldCommand):
    diagnosis: str
    fault_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class RequestParts(FieldCommand):
    parts: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ResolveJob(FieldCommand):
    cause: str
    fix: str
    fault_code: str | None = None
    parts_used: tuple[str, ...] = ()
    minutes_spent: int
    signed_by: str
    satisfaction: int | None = None


@dataclass(frozen=True, kw_only=True)
class RequireOnSiteVisit(FieldCommand):
    reason: str


# ---- technicians and the roster -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterTechnician:
    technician_id: str
    name: str
    level: int
    skills: tuple[str, ...] = ()
    home_region: str
    regions: tuple[str, ...] = ()
    capacity: int


@dataclass(frozen=True, kw_only=True)
class UpdateTechnician:
    technician_id: str
    level: int
    skills: tuple[str, ...] = ()
    home_region: str
    regions: tuple[str, ...] = ()
    capacity: int


@dataclass(frozen=True, kw_only=True)
class SetTechnicianStatus:
    technician_id: str
    status: str


@dataclass(frozen=True, kw_only=True)
class SaveRoster:
    """The roster as its JSON document (shifts, rotation, groups, leave; see `roster_document`)."""

    document: Mapping[str, Any] = field(default_factory=dict)


# ---- preventive maintenance -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddSchedule:
    """A schedule per unit or contract; its visits of the coming month are planned at once (staffed only
    on their day)."""

    schedule_id: str
    every: str
    first_due: date
    region: str
    product_line: str | None = None
    unit_id: str | None = None
    contract_id: str | None = None
    until: date | None = None
    interval_days: int | None = None  # "days_since_last": at most this many days after the last visit
    today: date


@dataclass(frozen=True, kw_only=True)
class PlanMaintenance:
    """The planner's periodic step: visits of the coming month exist; past-due ones are overdue."""

    today: date


@dataclass(frozen=True, kw_only=True)
class CompleteVisit:
    visit_id: str
    technician_id: str
    report: str
    minutes_spent: int
    signed_by: str
    occurred_at: datetime
