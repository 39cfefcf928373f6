"""The job's lifecycle rules: statuses, their ranks, which event reaches which step.

Field steps come from technicians' devices, late and out of order. Each step has a rank; the status
is the step of the highest rank reached (ties: the later occurrence), so a late submission is recorded
(the history keeps the fact) but never moves the status backwards. Kept apart from the aggregate so
the rules read as one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from dispatch.domain.events import (
    AssignmentAcknowledged,
    AssignmentHeld,
    AssignmentQueued,
    AssignmentReleased,
    DiagnosisRecorded,
    OnSiteVisitRequired,
    PartsRequested,
    RemoteSessionEnded,
    RemoteSessionStarted,
    RepeatRepairDetected,
    TechnicianArrived,
    TechnicianAssigned,
    TechnicianDeparted,
    TicketReassigned,
    WorkResolved,
)


class JobStatus(StrEnum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    REMOTE = "remote"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    WORKING = "working"
    AWAITING_PARTS = "awaiting_parts"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


RANK: dict[JobStatus, int] = {
    JobStatus.QUEUED: 0,
    JobStatus.ASSIGNED: 1,
    JobStatus.ACKNOWLEDGED: 2,
    JobStatus.REMOTE: 3,
    JobStatus.EN_ROUTE: 4,
    JobStatus.ON_SITE: 5,
    JobStatus.WORKING: 6,
    JobStatus.AWAITING_PARTS: 6,
    JobStatus.RESOLVED: 7,
    JobStatus.CANCELLED: 8,
}
TERMINAL = frozenset({JobStatus.RESOLVED, JobStatus.CANCELLED})

# The status each step reaches (None: the event records a fact but is not a lifecycle step).
STEP_STATUS: dict[type, JobStatus | None] = {
    TechnicianAssigned: JobStatus.ASSIGNED,
    TicketReassigned: JobStatus.ASSIGNED,
    AssignmentQueued: JobStatus.QUEUED,
    AssignmentHeld: JobStatus.QUEUED,  # queued, but not for staffing: `Job.awaiting_consent`
    AssignmentReleased: None,
    AssignmentAcknowledged: JobStatus.ACKNOWLEDGED,
    RemoteSessionStarted: JobStatus.REMOTE,
    RemoteSessionEnded: JobStatus.REMOTE,
    TechnicianDeparted: JobStatus.EN_ROUTE,
    TechnicianArrived: JobStatus.ON_SITE,
    DiagnosisRecorded: JobStatus.WORKING,
    PartsRequested: JobStatus.AWAITING_PARTS,
    WorkResolved: JobStatus.RESOLVED,
    OnSiteVisitRequired: None,
    RepeatRepairDetected: None,
}

# Assignment moves are decisions of the office, never "late": they may lower the status.
ASSIGNMENT = frozenset({TechnicianAssigned, TicketReassigned, AssignmentQueued, AssignmentHeld})

STEP_NAMES: dict[type, str] = {
    TechnicianAssigned: "assigned",
    TicketReassigned: "reassigned",
    AssignmentQueued: "queued",
    AssignmentHeld: "held_for_consent",
    AssignmentReleased: "released",
    AssignmentAcknowledged: "acknowledged",
    RemoteSessionStarted: "remote_started",
    RemoteSessionEnded: "remote_ended",
    TechnicianDeparted: "departed",
    TechnicianArrived: "arrived",
    DiagnosisRecorded: "diagnosed",
    PartsRequested: "parts_requested",
    WorkResolved: "resolved",
    OnSiteVisitRequired: "on_site_required",
    RepeatRepairDetected: "repeat_repair",
}


@dataclass(frozen=True, kw_only=True)
class Step:
    """One fact of the job's history, in the order it was applied."""

    name: str
    technician_id: str | None
    occurred_at: datetime
    late: bool  # its rank was below the status's rank when it was applied (it moved nothing)
    event: Any


def on_site_at_once(severity: str | None, on_site_covered: bool) -> bool:
    """Remote first; a P1 goes on site at once where the contract covers on-site work (SPEC 2.5)."""
    return severity == "P1" and on_site_covered


def is_late(event: Any, status: JobStatus) -> bool:
    """A step below the status already reached (assignment moves are never late)."""
    target = STEP_STATUS.get(type(event))
    return target is not None and type(event) not in ASSIGNMENT and RANK[target] < RANK[status]


def moves_to(status: JobStatus, status_at: datetime | None, target: JobStatus, occurred_at: datetime) -> bool:
    """Whether a step reaching ``target`` at ``occurred_at`` moves the status: rank first, then (same
    rank) occurrence time."""
    current, wanted = RANK[status], RANK[target]
    return wanted > current or (wanted == current and (status_at is None or occurred_at >= status_at))


@dataclass(frozen=True, kw_only=True)
class Holding:
    """A period a technician held the job: from their (re)assignment until the next one (None: now)."""

    technician_id: str
    since: datetime
    until: datetime | None


def holdings(history: list[Step]) -> list[Holding]:
    """Who held the job when, from the assignment steps in the order they were applied."""
    periods: list[Holding] = []
    for step in history:
        if type(step.event) not in (TechnicianAssigned, TicketReassigned) or step.technician_id is None:
            continue
        if periods and periods[-1].until is None:
            last = periods[-1]
            periods[-1] = Holding(technician_id=last.technician_id, since=last.since, until=step.occurred_at)
        periods.append(Holding(technician_id=step.technician_id, since=step.occurred_at, until=None))
    return periods
