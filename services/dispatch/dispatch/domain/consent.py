"""The hold on a job whose chargeable work waits for the customer's consent (SPEC 2.3), dispatch's side.

Where the contract says so, out-of-warranty work waits for the customer's consent to the quote, and
dispatch sends nobody before it: a job opened for such a ticket is held (`AssignmentHeld`, its first
event) instead of being assigned or queued, and while held no assignment, reassignment or escalation
may name anyone (`Job.assign` and `Job.reassign` refuse it; the handlers do not try). The customer's
acceptance releases it (`AssignmentReleased`) and the job is staffed as any other; a refusal closes
it as cancelled, nobody sent.

Only a job nobody holds yet can be held: once someone is sent, a later assessment asking for consent
is the technician's to respect on site, not a reason to call them back. A mixin of `Job`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dispatch.domain.errors import IllegalTransition
from dispatch.domain.events import AssignmentHeld, AssignmentReleased
from dispatch.domain.lifecycle import TERMINAL, JobStatus
from shared.aggregate import Aggregate

HELD = "awaiting the customer's consent to the quote for chargeable work"
ACCEPTED = "the customer accepted the quote"
NOT_NEEDED = "reassessed: no consent needed any more"


class ConsentHold(Aggregate):
    ticket_id: str
    job_id: str
    status: JobStatus
    technician_id: str | None
    region: str | None
    product_line: str | None
    awaiting_consent: bool

    def _opening(self) -> dict[str, Any]:  # pragma: no cover - the Job's
        raise NotImplementedError

    def can_hold(self) -> bool:
        """Nobody sent yet, the job open and not held already."""
        return self.technician_id is None and self.status not in TERMINAL and not self.awaiting_consent

    def hold_for_consent(self, now: datetime, reason: str = HELD) -> None:
        if not self.can_hold():
            state = "awaiting_consent" if self.awaiting_consent else str(self.status)
            raise IllegalTransition("hold", state if self.technician_id is None else "staffed")
        self._record(
            AssignmentHeld(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                reason=reason,
                region=self.region,
                product_line=self.product_line,
                occurred_at=now,
                **self._opening(),
            )
        )

    def release(self, reason: str, now: datetime) -> None:
        if not self.awaiting_consent:
            raise IllegalTransition("release", "not held")
        self._record(
            AssignmentReleased(ticket_id=self.ticket_id, job_id=self.job_id, reason=reason, occurred_at=now)
        )

    def _refuse_while_held(self, action: str) -> None:
        if self.awaiting_consent:
            raise IllegalTransition(action, "awaiting_consent")

    def _held(self, event: AssignmentHeld) -> None:
        self.awaiting_consent = True

    def _released(self, event: AssignmentReleased) -> None:
        self.awaiting_consent = False
