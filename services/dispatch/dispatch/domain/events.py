"""Events of the dispatch streams (published on the dispatch topic, keyed by ticket id).

Job events live in the stream ``job:<ticket_id>``; technician events in ``tech:<technician_id>``;
maintenance-visit events are keyed by the visit id (``MV-...``), which they carry as ``ticket_id``.
Field names are a contract: other services (intake, sla-monitor, notify, inventory) read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# ---- job: assignment ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TechnicianAssigned:
    ticket_id: str
    job_id: str
    technician_id: str
    level: int
    reason: str
    occurred_at: datetime
    previous_technician_id: str | None = None
    # The job's opening facts, in its first event only, so the stream alone rebuilds the job (added
    # later: None in older streams).
    region: str | None = None
    product_line: str | None = None
    severity: str | None = None
    on_site_required: bool | None = None
    customer_id: str | None = None
    unit_id: str | None = None
    account_engineer_id: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AssignmentQueued:
    """No one fits right now: the job waits for a technician."""

    ticket_id: str
    job_id: str
    reason: str
    region: str | None
    product_line: str | None
    occurred_at: datetime
    # The job's opening facts, in its first event only, so the stream alone rebuilds the job (added
    # later: None in older streams).
    severity: str | None = None
    on_site_required: bool | None = None
    customer_id: str | None = None
    unit_id: str | None = None
    account_engineer_id: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AssignmentHeld:
    """The customer's consent to the quote for chargeable work is awaited (SPEC 2.3): nobody is
    assigned or sent until it comes (`AssignmentReleased`)."""

    ticket_id: str
    job_id: str
    reason: str
    region: str | None
    product_line: str | None
    occurred_at: datetime
    # The job's opening facts, in its first event only (as AssignmentQueued).
    severity: str | None = None
    on_site_required: bool | None = None
    customer_id: str | None = None
    unit_id: str | None = None
    account_engineer_id: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AssignmentReleased:
    """The hold ended: the customer accepted the quote (or a new assessment needs no consent); the
    job is staffed as any other from here."""

    ticket_id: str
    job_id: str
    reason: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TicketReassigned:
    ticket_id: str
    job_id: str
    technician_id: str
    previous_technician_id: str | None
    reason: str  # "escalation", "manual", "capacity" ...
    level: int
    occurred_at: datetime
    # Why, and which rules chose the person (added with the two roles: None in older streams).
    cause: str | None = None  # e.g. the SLA's "breach:response"
    rules: str | None = None  # e.g. "level 2 (on shift, skill elevator, covers SH), least loaded of 2"


# ---- job: the case owner (the support tier accountable; the field engineer keeps the job) ---------


@dataclass(frozen=True, kw_only=True)
class CaseOwnerAssigned:
    """A named person of ``level`` owns the case: the tier hand-off, or an escalation that names the
    accountable level without moving the field job."""

    ticket_id: str
    owner_id: str
    level: int
    previous_owner_id: str | None
    reason: str  # "handoff: <why>" or "escalation: <why>"
    occurred_at: datetime
    rules: str | None = None  # which rules chose the person
    job_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseOwnerUnstaffed:
    """Nobody of ``level`` (or above) on shift has the skill and covers the region: the dispatcher is
    alerted; the case keeps its owner (if any) and its accountable level is still raised."""

    ticket_id: str
    job_id: str
    level: int
    reason: str
    occurred_at: datetime


# ---- job: field steps (occurred_at = the technician's device time) --------------------------------


@dataclass(frozen=True, kw_only=True)
class AssignmentAcknowledged:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class RemoteSessionStarted:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class RemoteSessionEnded:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime
    resolved: bool


@dataclass(frozen=True, kw_only=True)
class TechnicianDeparted:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TechnicianArrived:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class DiagnosisRecorded:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime
    diagnosis: str
    fault_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class PartsRequested:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime
    parts: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class WorkResolved:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime
    cause: str
    fix: str
    fault_code: str | None
    parts_used: tuple[str, ...]
    minutes_spent: int
    signed_by: str
    satisfaction: int | None
    unit_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OnSiteVisitRequired:
    ticket_id: str
    job_id: str
    technician_id: str
    occurred_at: datetime
    reason: str


@dataclass(frozen=True, kw_only=True)
class RepeatRepairDetected:
    """The same unit came back with the same fault code (after ``previous_ticket_id``)."""

    ticket_id: str
    job_id: str
    unit_id: str
    fault_code: str
    previous_ticket_id: str
    occurred_at: datetime


# ---- maintenance visits (keyed by the visit id) ---------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MaintenanceVisitScheduled:
    ticket_id: str  # = the visit id ("MV-...")
    visit_id: str
    schedule_id: str
    unit_id: str | None
    contract_id: str | None
    due_on: date
    notify_on: date
    occurred_at: datetime
    region: str | None = None  # where the visit is (added later: None in older streams)


@dataclass(frozen=True, kw_only=True)
class MaintenanceVisitOverdue:
    ticket_id: str  # = the visit id
    visit_id: str
    due_on: date
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class MaintenanceVisitCompleted:
    ticket_id: str  # = the visit id
    visit_id: str
    technician_id: str
    report: str
    occurred_at: datetime


# ---- technicians (stream tech:<technician_id>) ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TechnicianRegistered:
    technician_id: str
    name: str
    level: int
    skills: tuple[str, ...]
    home_region: str
    regions: tuple[str, ...]
    capacity: int
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TechnicianUpdated:
    technician_id: str
    level: int
    skills: tuple[str, ...]
    home_region: str
    regions: tuple[str, ...]
    capacity: int
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TechnicianStatusChanged:
    technician_id: str
    status: str  # "active" or "inactive"
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class JobClosed:
    """The ticket ended outside the field work: cancelled, or resolved by the office."""

    ticket_id: str
    job_id: str
    reason: str  # "cancelled" | "resolved_by_office"
    occurred_at: datetime
    technician_id: str | None = None  # who held it (their load is freed); added later: None before


TechnicianEvent = TechnicianRegistered | TechnicianUpdated | TechnicianStatusChanged

JOB_EVENTS = (
    TechnicianAssigned,
    AssignmentQueued,
    AssignmentHeld,
    AssignmentReleased,
    AssignmentAcknowledged,
    RemoteSessionStarted,
    RemoteSessionEnded,
    TechnicianDeparted,
    TechnicianArrived,
    DiagnosisRecorded,
    PartsRequested,
    WorkResolved,
    OnSiteVisitRequired,
    TicketReassigned,
    RepeatRepairDetected,
    JobClosed,
    CaseOwnerAssigned,
    CaseOwnerUnstaffed,
    MaintenanceVisitScheduled,
    MaintenanceVisitOverdue,
    MaintenanceVisitCompleted,
)
TECHNICIAN_EVENTS = (TechnicianRegistered, TechnicianUpdated, TechnicianStatusChanged)
