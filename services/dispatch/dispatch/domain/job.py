"""The job: one per ticket (or maintenance visit), an event-sourced aggregate.

    Job.new ──queue──▶ queued ──assign/reassign──▶ assigned
    Job.new ──hold──▶ queued, awaiting consent ──release──▶ (assigned as any other)
    Job.new ──assign──▶ assigned ──▶ acknowledged ──▶ remote ──▶ en_route ──▶ on_site ──▶
        working / awaiting_parts ──resolve──▶ resolved

Its first event (assigned or queued) carries the opening facts (region, product line, severity,
customer, unit, ...), so the job is rebuilt from its own stream alone. The ordering rules of field
steps are in `lifecycle`; the technician's submissions in `field_work`; the case owner (the support
tier accountable, a role apart from the field assignee) in `case_owner`. Once resolved, further
submissions are refused, except exact duplicates (recorded once). A former assignee's late step is
recorded in the history with their id but moves nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dispatch.domain.assignment import MAX_LEVEL
from dispatch.domain.case_owner import CaseOwnership
from dispatch.domain.consent import ConsentHold
from dispatch.domain.errors import IllegalTransition, InvalidCommand
from dispatch.domain.events import (
    AssignmentHeld,
    AssignmentQueued,
    AssignmentReleased,
    CaseOwnerAssigned,
    CaseOwnerUnstaffed,
    DiagnosisRecorded,
    JobClosed,
    OnSiteVisitRequired,
    PartsRequested,
    RemoteSessionEnded,
    RepeatRepairDetected,
    TechnicianAssigned,
    TicketReassigned,
    WorkResolved,
)
from dispatch.domain.field_work import FieldWork
from dispatch.domain.lifecycle import (
    ASSIGNMENT,
    RANK,
    STEP_NAMES,
    STEP_STATUS,
    TERMINAL,
    JobStatus,
    Step,
    is_late,
    moves_to,
)

# What the first event tells about the job (TechnicianAssigned carries all; AssignmentQueued always
# carries region and product line).
OPENING = ("severity", "on_site_required", "customer_id", "unit_id", "account_engineer_id", "opened_at")


class Job(FieldWork, CaseOwnership, ConsentHold):
    def __init__(self) -> None:
        super().__init__()
        self.ticket_id = ""
        self.job_id = ""
        self.status = JobStatus.QUEUED
        self.technician_id: str | None = None
        self.level = 1  # the field assignee's level
        self.case_owner_id: str | None = None
        self.accountable_level = 1  # the support tier answering for the case (the owner's)
        self.region: str | None = None
        self.product_line: str | None = None
        self.severity: str | None = None
        self.on_site_required = False
        self.customer_id: str | None = None
        self.unit_id: str | None = None
        self.account_engineer_id: str | None = None
        self.opened_at: datetime | None = None
        self.last_event_at: datetime | None = None
        self.history: list[Step] = []
        self.diagnosis: str | None = None
        self.fault_code: str | None = None
        self.parts_requested: tuple[str, ...] = ()
        self.resolution: WorkResolved | None = None
        self.remote_resolved: bool | None = None
        self.awaiting_consent = False  # held: nobody is sent before the customer's consent (`consent`)
        self._status_at: datetime | None = None  # occurrence time of the step that set the status

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
        customer_id: str | None = None,
        unit_id: str | None = None,
        account_engineer_id: str | None = None,
        opened_at: datetime | None = None,
    ) -> Job:
        """A fresh job, in memory only (version 0): its first event is ``assign`` or ``queue``, which
        records these facts."""
        if not ticket_id:
            raise InvalidCommand("ticket_id is required", field="ticket_id")
        if not job_id:
            raise InvalidCommand("job_id is required", field="job_id")
        job = cls()
        job.ticket_id, job.job_id = ticket_id, job_id
        job.region, job.product_line, job.severity = region, product_line, severity
        job.on_site_required = on_site_required
        job.customer_id, job.unit_id, job.account_engineer_id = customer_id, unit_id, account_engineer_id
        job.opened_at = opened_at
        return job

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def rank(self) -> int:
        return RANK[self.status]

    def steps_in_order(self) -> list[Step]:
        """The history sorted by occurrence time (stable: ties keep the order applied)."""
        return sorted(self.history, key=lambda step: step.occurred_at)

    # ---- assignment (system commands, time = now) ---------------------------------------------
    def assign(self, technician_id: str, level: int, reason: str, now: datetime) -> None:
        if self.technician_id is not None:
            raise IllegalTransition("assign", str(self.status))
        self._require_open("assign")
        self._refuse_while_held("assign")
        self._check_technician(technician_id)
        self._check_level(level)
        opening = self._opening()
        if opening:
            opening.update(region=self.region, product_line=self.product_line)
        self._record(
            TechnicianAssigned(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                technician_id=technician_id,
                level=level,
                reason=reason,
                occurred_at=now,
                previous_technician_id=None,
                **opening,
            )
        )

    def queue(self, reason: str, now: datetime) -> None:
        if self.technician_id is not None:
            raise IllegalTransition("queue", str(self.status))
        self._queued(reason, now)

    def unstaffed(self, reason: str, now: datetime) -> None:
        """Nobody fits a (re)assignment the job needs: alert the dispatcher; never drop it silently."""
        self._require_open("queue")
        self._queued(reason, now)

    def close(self, reason: str, now: datetime) -> None:
        """The ticket ended elsewhere (cancelled, or resolved by the office)."""
        self._require_open("close")
        self._record(
            JobClosed(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                reason=reason,
                occurred_at=now,
                technician_id=self.technician_id,
            )
        )

    def reassign(
        self,
        technician_id: str,
        reason: str,
        level: int,
        now: datetime,
        *,
        cause: str | None = None,
        rules: str | None = None,
    ) -> None:
        self._require_open("reassign")
        self._refuse_while_held("reassign")
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
                cause=cause,
                rules=rules,
            )
        )

    def escalate_to(
        self,
        technician_id: str,
        level: int,
        now: datetime,
        *,
        cause: str | None = None,
        rules: str | None = None,
    ) -> None:
        """Supervisor reassignment: the assignee missed a promise of theirs (response, arrival)."""
        self._require_open("escalate")
        self._check_level(level)
        if level <= self.level:
            raise InvalidCommand(f"an escalation goes above level {self.level}", field="level")
        self.reassign(technician_id, "escalation", level, now, cause=cause, rules=rules)

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

    def _queued(self, reason: str, now: datetime) -> None:
        self._record(
            AssignmentQueued(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                reason=reason,
                region=self.region,
                product_line=self.product_line,
                occurred_at=now,
                **self._opening(),
            )
        )

    def _opening(self) -> dict[str, Any]:
        """The opening facts when the next event is the stream's first; nothing afterwards."""
        if self.version > 0:
            return {}
        return {name: getattr(self, name) for name in OPENING}

    @staticmethod
    def _check_level(level: int) -> None:
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            raise InvalidCommand(f"level must be between 1 and {MAX_LEVEL}", field="level")

    # ---- state changes: the only place they happen ----------------------------------------------
    def _apply(self, event: Any) -> None:
        self.ticket_id = self.ticket_id or event.ticket_id
        self.job_id = self.job_id or getattr(event, "job_id", "")
        occurred_at: datetime = event.occurred_at
        if self.last_event_at is None or occurred_at > self.last_event_at:
            self.last_event_at = occurred_at
        name = STEP_NAMES.get(type(event))
        by = getattr(event, "technician_id", None)
        # A former assignee's late step: a fact of their holding, not of the job's progress now.
        former = name is not None and type(event) not in ASSIGNMENT and by not in (None, self.technician_id)
        if name is not None:
            self.history.append(
                Step(
                    name=name,
                    technician_id=by,
                    occurred_at=occurred_at,
                    late=former or is_late(event, self.status),
                    event=event,
                )
            )
        change = _CHANGES.get(type(event))
        if change is not None:
            change(self, event)
        target = STEP_STATUS.get(type(event))
        if former or target is None:
            return
        if moves_to(self.status, self._status_at, target, occurred_at):
            self.status, self._status_at = target, occurred_at

    def _assigned(self, event: TechnicianAssigned | TicketReassigned) -> None:
        self.technician_id, self.level = event.technician_id, event.level
        self._opened(event)

    def _opened(self, event: Any) -> None:
        """The opening facts an event carries (the first event of a stream; None elsewhere)."""
        for name in ("region", "product_line", *OPENING):
            value = getattr(event, name, None)
            if value is not None:
                setattr(self, name, value)

    def _held(self, event: AssignmentHeld) -> None:
        self._opened(event)
        super()._held(event)

    def _closed(self, event: JobClosed) -> None:
        self.status = JobStatus.CANCELLED if event.reason == "cancelled" else JobStatus.RESOLVED
        self._status_at = event.occurred_at


_CHANGES: dict[type, Any] = {
    TechnicianAssigned: Job._assigned,
    TicketReassigned: Job._assigned,
    AssignmentQueued: Job._opened,
    AssignmentHeld: Job._held,
    AssignmentReleased: Job._released,
    DiagnosisRecorded: Job._diagnosed,
    PartsRequested: Job._parts_requested,
    RemoteSessionEnded: Job._remote_ended,
    OnSiteVisitRequired: Job._on_site_required,
    WorkResolved: Job._resolved,
    JobClosed: Job._closed,
    CaseOwnerAssigned: Job._owner_assigned,
    CaseOwnerUnstaffed: Job._owner_unstaffed,
}
