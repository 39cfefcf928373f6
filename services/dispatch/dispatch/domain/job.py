"""The job: one per ticket, an event-sourced aggregate (stream ``job:<ticket_id>``).

    Job.new ──queue──▶ queued ──assign/reassign──▶ assigned
    Job.new ──assign──▶ assigned ──▶ acknowledged ──▶ remote ──▶ en_route ──▶ on_site ──▶
        working / awaiting_parts ──resolve──▶ resolved

Field steps come from technicians' devices, late and out of order. Each step has a rank;
the status is the step of the highest rank reached (ties: the later occurrence), so a late
submission is recorded (the history keeps the fact) but never moves the status backwards.
Once resolved, further submissions are refused, except exact duplicates (recorded once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from dispatch.domain.assignment import MAX_LEVEL
from dispatch.domain.errors import IllegalTransition, InvalidCommand, NotYourJob
from dispatch.domain.events import (
    AssignmentAcknowledged,
    AssignmentQueued,
    DiagnosisRecorded,
    JobClosed,
    JobEvent,
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

STREAM_PREFIX = "job:"
CLOCK_SKEW = timedelta(minutes=5)  # how far in the future a device time may be


def on_site_at_once(severity: str | None, on_site_covered: bool) -> bool:
    """Remote first; a P1 goes on site at once where the contract covers on-site work (SPEC 2.5)."""
    return severity == "P1" and on_site_covered


def stream_id(ticket_id: str) -> str:
    return f"{STREAM_PREFIX}{ticket_id}"


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
_STEP_STATUS: dict[type, JobStatus | None] = {
    TechnicianAssigned: JobStatus.ASSIGNED,
    TicketReassigned: JobStatus.ASSIGNED,
    AssignmentQueued: JobStatus.QUEUED,
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

_ASSIGNMENT = frozenset({TechnicianAssigned, TicketReassigned, AssignmentQueued})

_STEP_NAMES: dict[type, str] = {
    TechnicianAssigned: "assigned",
    TicketReassigned: "reassigned",
    AssignmentQueued: "queued",
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


class Job:
    def __init__(self) -> None:
        self.ticket_id = ""
        self.job_id = ""
        self.status = JobStatus.QUEUED
        self.technician_id: str | None = None
        self.level = 1
        self.region: str | None = None
        self.product_line: str | None = None
        self.severity: str | None = None
        self.on_site_required = False
        self.last_event_at: datetime | None = None
        self.history: list[Step] = []
        self.diagnosis: str | None = None
        self.fault_code: str | None = None
        self.parts_requested: tuple[str, ...] = ()
        self.resolution: WorkResolved | None = None
        self.remote_resolved: bool | None = None
        self.version = 0
        self.pending_events: list[Any] = []
        self._status_at: datetime | None = None  # occurrence time of the step that set the status

    # ---- construction and replay -------------------------------------------------------------
    @classmethod
    def new(
        cls,
        *,
        ticket_id: str,
        job_id: str,
        region: str | None,
        product_line: str | None,
        severity: str | None,
        on_site_required: bool,
    ) -> Job:
        """A fresh job, in memory only (version 0): its first event is ``assign`` or ``queue``."""
        if not ticket_id:
            raise InvalidCommand("ticket_id is required", field="ticket_id")
        if not job_id:
            raise InvalidCommand("job_id is required", field="job_id")
        job = cls()
        job.ticket_id, job.job_id = ticket_id, job_id
        job.region, job.product_line, job.severity = region, product_line, severity
        job.on_site_required = on_site_required
        return job

    @classmethod
    def replay(
        cls,
        events: list[Any],
        *,
        region: str | None = None,
        product_line: str | None = None,
        severity: str | None = None,
        on_site_required: bool = False,
    ) -> Job:
        """Rebuild from the stream. The events do not carry every attribute of the job; the service
        passes the others from its own job table (otherwise they stay None)."""
        job = cls()
        job.region, job.product_line, job.severity = region, product_line, severity
        job.on_site_required = on_site_required
        for event in events:
            job._apply(event)
        return job

    @property
    def stream_id(self) -> str:
        return stream_id(self.ticket_id)

    # ---- assignment (system commands, time = now) ---------------------------------------------
    def assign(self, technician_id: str, level: int, reason: str, now: datetime) -> None:
        if self.technician_id is not None:
            raise IllegalTransition("assign", str(self.status))
        self._require_open("assign")
        self._check_technician(technician_id)
        self._check_level(level)
        self._record(
            TechnicianAssigned(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                technician_id=technician_id,
                level=level,
                reason=reason,
                occurred_at=now,
                previous_technician_id=None,
            )
        )

    def queue(self, reason: str, now: datetime) -> None:
        if self.technician_id is not None:
            raise IllegalTransition("queue", str(self.status))
        self._record(
            AssignmentQueued(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                reason=reason,
                region=self.region,
                product_line=self.product_line,
                occurred_at=now,
            )
        )

    def close(self, reason: str, now: datetime) -> None:
        """The ticket ended elsewhere (cancelled, or resolved by the office)."""
        self._require_open("close")
        self._record(JobClosed(ticket_id=self.ticket_id, job_id=self.job_id, reason=reason, occurred_at=now))

    def unstaffed(self, reason: str, now: datetime) -> None:
        """Nobody fits a (re)assignment the job needs: alert the dispatcher; never drop it silently."""
        self._require_open("queue")
        self._record(
            AssignmentQueued(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                reason=reason,
                region=self.region,
                product_line=self.product_line,
                occurred_at=now,
            )
        )

    def reassign(self, technician_id: str, reason: str, level: int, now: datetime) -> None:
        self._require_open("reassign")
        self._check_technician(technician_id)
        self._check_level(level)
        if technician_id == self.technician_id:
            raise InvalidCommand("the job is already assigned to this technician", field="technician_id")
        self._record(
            TicketReassigned(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                technician_id=technician_id,
                previous_technician_id=self.technician_id,
                reason=reason,
                level=level,
                occurred_at=now,
            )
        )

    def escalate_to(self, technician_id: str, level: int, now: datetime) -> None:
        self._require_open("escalate")
        self._check_level(level)
        if level <= self.level:
            raise InvalidCommand(f"an escalation goes above level {self.level}", field="level")
        self.reassign(technician_id, "escalation", level, now)

    def flag_repeat_repair(
        self, unit_id: str, fault_code: str, previous_ticket_id: str, now: datetime
    ) -> None:
        self._record(
            RepeatRepairDetected(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                unit_id=unit_id,
                fault_code=fault_code,
                previous_ticket_id=previous_ticket_id,
                occurred_at=now,
            )
        )

    # ---- field steps (technician commands, occurred_at = device time) -------------------------
    def acknowledge(self, technician_id: str, occurred_at: datetime, *, now: datetime) -> None:
        self._submit(AssignmentAcknowledged(**self._step(technician_id, occurred_at, now)))

    def start_remote(self, technician_id: str, occurred_at: datetime, *, now: datetime) -> None:
        self._submit(RemoteSessionStarted(**self._step(technician_id, occurred_at, now)))

    def end_remote(self, technician_id: str, occurred_at: datetime, resolved: bool, *, now: datetime) -> None:
        self._submit(
            RemoteSessionEnded(**self._step(technician_id, occurred_at, now), resolved=bool(resolved))
        )

    def depart(self, technician_id: str, occurred_at: datetime, *, now: datetime) -> None:
        self._submit(TechnicianDeparted(**self._step(technician_id, occurred_at, now)))

    def arrive(self, technician_id: str, occurred_at: datetime, *, now: datetime) -> None:
        self._submit(TechnicianArrived(**self._step(technician_id, occurred_at, now)))

    def diagnose(
        self,
        technician_id: str,
        occurred_at: datetime,
        diagnosis: str,
        fault_code: str | None = None,
        *,
        now: datetime,
    ) -> None:
        base = self._step(technician_id, occurred_at, now)
        if not diagnosis or not diagnosis.strip():
            raise InvalidCommand("a diagnosis is required", field="diagnosis")
        self._submit(DiagnosisRecorded(**base, diagnosis=diagnosis, fault_code=fault_code or None))

    def request_parts(
        self, technician_id: str, occurred_at: datetime, parts: tuple[str, ...] | list[str], *, now: datetime
    ) -> None:
        base = self._step(technician_id, occurred_at, now)
        parts = tuple(parts)
        if not parts or any(not isinstance(p, str) or not p for p in parts):
            raise InvalidCommand("at least one part (non-empty part numbers) is required", field="parts")
        self._submit(PartsRequested(**base, parts=parts))

    def resolve(
        self,
        technician_id: str,
        occurred_at: datetime,
        cause: str,
        fix: str,
        fault_code: str | None,
        parts_used: tuple[str, ...] | list[str],
        minutes_spent: int,
        signed_by: str,
        satisfaction: int | None,
        unit_id: str | None = None,
        *,
        now: datetime,
    ) -> None:
        base = self._step(technician_id, occurred_at, now)
        if not cause or not cause.strip():
            raise InvalidCommand("a cause is required", field="cause")
        if not fix or not fix.strip():
            raise InvalidCommand("a fix is required", field="fix")
        if isinstance(minutes_spent, bool) or not isinstance(minutes_spent, int) or minutes_spent < 0:
            raise InvalidCommand("minutes_spent must be a non-negative integer", field="minutes_spent")
        if not signed_by or not signed_by.strip():
            raise InvalidCommand("the customer's signature is required", field="signed_by")
        if satisfaction is not None and (
            isinstance(satisfaction, bool) or not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5
        ):
            raise InvalidCommand("satisfaction must be between 1 and 5", field="satisfaction")
        self._submit(
            WorkResolved(
                **base,
                cause=cause,
                fix=fix,
                fault_code=fault_code or None,
                parts_used=tuple(parts_used),
                minutes_spent=minutes_spent,
                signed_by=signed_by,
                satisfaction=satisfaction,
                unit_id=unit_id,
            )
        )

    def require_on_site(
        self, technician_id: str, occurred_at: datetime, reason: str, *, now: datetime
    ) -> None:
        base = self._step(technician_id, occurred_at, now)
        if not reason or not reason.strip():
            raise InvalidCommand("a reason is required", field="reason")
        self._submit(OnSiteVisitRequired(**base, reason=reason))

    # ---- state ---------------------------------------------------------------------------------
    @property
    def rank(self) -> int:
        return RANK[self.status]

    def steps_in_order(self) -> list[Step]:
        """The history sorted by occurrence time (stable: ties keep the order applied)."""
        return sorted(self.history, key=lambda step: step.occurred_at)

    def _require_open(self, action: str) -> None:
        if self.status in TERMINAL:
            raise IllegalTransition(action, str(self.status))

    @staticmethod
    def _check_technician(technician_id: str) -> None:
        if not technician_id:
            raise InvalidCommand("technician_id is required", field="technician_id")

    @staticmethod
    def _check_level(level: int) -> None:
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            raise InvalidCommand(f"level must be between 1 and {MAX_LEVEL}", field="level")

    def _step(self, technician_id: str, occurred_at: datetime, now: datetime) -> dict[str, Any]:
        """Common checks of a technician's submission; the common fields of its event."""
        if self.technician_id is None or technician_id != self.technician_id:
            raise NotYourJob(f"job {self.job_id} is not assigned to technician {technician_id}")
        if (
            not isinstance(occurred_at, datetime)
            or occurred_at.tzinfo is None
            or occurred_at.utcoffset() is None
        ):
            raise InvalidCommand("occurred_at must be a timezone-aware time", field="occurred_at")
        if occurred_at > now + CLOCK_SKEW:
            raise InvalidCommand("occurred_at is in the future", field="occurred_at")
        return {
            "ticket_id": self.ticket_id,
            "job_id": self.job_id,
            "technician_id": technician_id,
            "occurred_at": occurred_at,
        }

    def _submit(self, event: Any) -> None:
        if self.status in TERMINAL:
            if any(step.event == event for step in self.history):
                return  # a duplicate of a recorded fact: nothing new to record
            action = f"record {_STEP_NAMES[type(event)].replace('_', ' ')} on"
            raise IllegalTransition(action, str(self.status))
        self._record(event)

    def _record(self, event: JobEvent) -> None:
        self._apply(event)
        self.pending_events.append(event)

    def _apply(self, event: Any) -> None:
        self.version += 1
        if not self.ticket_id:
            self.ticket_id = event.ticket_id
        if not self.job_id:
            self.job_id = getattr(event, "job_id", "")
        occurred_at: datetime = event.occurred_at
        if self.last_event_at is None or occurred_at > self.last_event_at:
            self.last_event_at = occurred_at
        target = _STEP_STATUS.get(type(event))
        late = target is not None and type(event) not in _ASSIGNMENT and RANK[target] < self.rank
        if type(event) in _STEP_NAMES:
            self.history.append(
                Step(
                    name=_STEP_NAMES[type(event)],
                    technician_id=getattr(event, "technician_id", None),
                    occurred_at=occurred_at,
                    late=late,
                    event=event,
                )
            )
        match event:
            case TechnicianAssigned() | TicketReassigned():
                self.technician_id, self.level = event.technician_id, event.level
            case DiagnosisRecorded():
                self.diagnosis = event.diagnosis
                self.fault_code = event.fault_code or self.fault_code
            case PartsRequested():
                self.parts_requested = self.parts_requested + tuple(
                    p for p in event.parts if p not in self.parts_requested
                )
            case RemoteSessionEnded():
                self.remote_resolved = event.resolved
            case OnSiteVisitRequired():
                self.on_site_required = True
            case WorkResolved():
                self.resolution = event
                self.fault_code = event.fault_code or self.fault_code
            case JobClosed():
                self.status = JobStatus.CANCELLED if event.reason == "cancelled" else JobStatus.RESOLVED
                self._status_at = occurred_at
            case AssignmentQueued():
                self.region = event.region or self.region
                self.product_line = event.product_line or self.product_line
            case _:
                pass
        if target is not None:
            self._advance(target, occurred_at)

    def _advance(self, target: JobStatus, occurred_at: datetime) -> None:
        """Move to ``target`` unless it is behind: rank first, then (same rank) occurrence time."""
        current = RANK[self.status]
        wanted = RANK[target]
        if wanted > current or (
            wanted == current and (self._status_at is None or occurred_at >= self._status_at)
        ):
            self.status, self._status_at = target, occurred_at
