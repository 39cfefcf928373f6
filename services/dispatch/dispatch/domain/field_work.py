"""What a technician submits from the field: each step validated, then recorded as it happened.

Steps come with the device's time (``occurred_at``), late and out of order; the aggregate keeps them
all and `lifecycle` decides whether one moves the status. A mixin of `Job` (this module holds the
technician's side of the job, `job` the office's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from dispatch.domain.errors import IllegalTransition, InvalidCommand, NotYourJob
from dispatch.domain.events import (
    AssignmentAcknowledged,
    DiagnosisRecorded,
    OnSiteVisitRequired,
    PartsRequested,
    RemoteSessionEnded,
    RemoteSessionStarted,
    TechnicianArrived,
    TechnicianDeparted,
    WorkResolved,
)
from dispatch.domain.lifecycle import STEP_NAMES, TERMINAL, JobStatus, Step, holdings
from shared.aggregate import Aggregate

CLOCK_SKEW = timedelta(minutes=5)  # how far in the future a device time may be


class FieldWork(Aggregate):
    ticket_id: str
    job_id: str
    technician_id: str | None
    status: JobStatus
    unit_id: str | None
    history: list[Step]
    diagnosis: str | None
    fault_code: str | None
    parts_requested: tuple[str, ...]
    resolution: WorkResolved | None
    remote_resolved: bool | None
    on_site_required: bool

    def acknowledge(self, technician_id: str, occurred_at: datetime, *, now: datetime) -> None:
        self._submit(AssignmentAcknowledged(**self._step(technician_id, occurred_at, now)))

    def start_remote(self, technician_id: str, occurred_at: datetime, *, now: datetime) -> None:
        self._submit(RemoteSessionStarted(**self._step(technician_id, occurred_at, now)))

    def end_remote(self, technician_id: str, occurred_at: datetime, resolved: bool, *, now: datetime) -> None:
        base = self._step(technician_id, occurred_at, now)
        self._submit(RemoteSessionEnded(**base, resolved=bool(resolved)))

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
        self, technician_id: str, occurred_at: datetime, parts: Sequence[str], *, now: datetime
    ) -> None:
        base = self._step(technician_id, occurred_at, now)
        wanted = tuple(parts)
        if not wanted or any(not isinstance(p, str) or not p for p in wanted):
            raise InvalidCommand("at least one part (non-empty part numbers) is required", field="parts")
        self._submit(PartsRequested(**base, parts=wanted))

    def resolve(
        self,
        technician_id: str,
        occurred_at: datetime,
        *,
        cause: str,
        fix: str,
        fault_code: str | None = None,
        parts_used: Sequence[str] = (),
        minutes_spent: int,
        signed_by: str,
        satisfaction: int | None = None,
        now: datetime,
    ) -> None:
        """The service report with the customer's sign-off (the unit is the job's own)."""
        base = self._step(technician_id, occurred_at, now)
        _require_text(cause, "cause", "a cause is required")
        _require_text(fix, "fix", "a fix is required")
        if isinstance(minutes_spent, bool) or not isinstance(minutes_spent, int) or minutes_spent < 0:
            raise InvalidCommand("minutes_spent must be a non-negative integer", field="minutes_spent")
        _require_text(signed_by, "signed_by", "the customer's signature is required")
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
                unit_id=self.unit_id,
            )
        )

    def require_on_site(
        self, technician_id: str, occurred_at: datetime, reason: str, *, now: datetime
    ) -> None:
        base = self._step(technician_id, occurred_at, now)
        _require_text(reason, "reason", "a reason is required")
        self._submit(OnSiteVisitRequired(**base, reason=reason))

    # ---- state changes of field steps (applied by `Job._apply`) --------------------------------------
    def _diagnosed(self, event: DiagnosisRecorded) -> None:
        self.diagnosis = event.diagnosis
        self.fault_code = event.fault_code or self.fault_code

    def _parts_requested(self, event: PartsRequested) -> None:
        new = tuple(p for p in event.parts if p not in self.parts_requested)
        self.parts_requested = self.parts_requested + new

    def _remote_ended(self, event: RemoteSessionEnded) -> None:
        self.remote_resolved = event.resolved

    def _on_site_required(self, _event: OnSiteVisitRequired) -> None:
        self.on_site_required = True

    def _resolved(self, event: WorkResolved) -> None:
        self.resolution = event
        self.fault_code = event.fault_code or self.fault_code

    # ---- common checks -------------------------------------------------------------------------
    def _require_open(self, action: str) -> None:
        if self.status in TERMINAL:
            raise IllegalTransition(action, str(self.status))

    @staticmethod
    def _check_technician(technician_id: str) -> None:
        if not technician_id:
            raise InvalidCommand("technician_id is required", field="technician_id")

    def held_by(self, technician_id: str) -> bool:
        """Whether ``technician_id`` holds the job now or held it at some time."""
        return technician_id == self.technician_id or any(
            h.technician_id == technician_id for h in holdings(self.history)
        )

    def held_at(self, technician_id: str, occurred_at: datetime) -> bool:
        """Whether ``technician_id`` held the job at ``occurred_at`` (a device may run CLOCK_SKEW early)."""
        return any(
            h.technician_id == technician_id
            and h.since - CLOCK_SKEW <= occurred_at
            and (h.until is None or occurred_at < h.until)
            for h in holdings(self.history)
        )

    def _step(self, technician_id: str, occurred_at: datetime, now: datetime) -> dict[str, Any]:
        """Common checks of a technician's submission; the common fields of its event.

        The current assignee may submit any step. A former assignee's phone that syncs late is heard
        for what happened while they held the job (the fact is about who held it then): recorded with
        their id, it moves neither the status nor the assignee (see `Job._apply`)."""
        current = self.technician_id is not None and technician_id == self.technician_id
        if not current and not self.held_by(technician_id):
            raise NotYourJob(f"job {self.job_id} is not assigned to technician {technician_id}")
        if not isinstance(occurred_at, datetime) or occurred_at.utcoffset() is None:
            raise InvalidCommand("occurred_at must be a timezone-aware time", field="occurred_at")
        if occurred_at > now + CLOCK_SKEW:
            raise InvalidCommand("occurred_at is in the future", field="occurred_at")
        if not current and not self.held_at(technician_id, occurred_at):
            raise NotYourJob(f"job {self.job_id} was not assigned to technician {technician_id} then")
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
            action = f"record {STEP_NAMES[type(event)].replace('_', ' ')} on"
            raise IllegalTransition(action, str(self.status))
        self._record(event)


def _require_text(value: str, field: str, message: str) -> None:
    if not value or not value.strip():
        raise InvalidCommand(message, field=field)
