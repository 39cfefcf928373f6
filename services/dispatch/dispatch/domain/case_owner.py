"""The second role on a ticket's job: the case owner, the support tier accountable for solving it.

The field assignee goes, acknowledges, arrives and works; the case owner answers for the case. A tier
hand-off (seed 003 §9, 问题提交) and an escalation that names the accountable level (L3 department
manager, L4 leadership, a restore or resolution breach) change the case owner, never the field job
(SPEC 2.4, 2.5): the engineer keeps working. The accountable level only goes up, so a repeated or
overtaken hand-off changes nothing. A mixin of `Job`, like `field_work`.
"""

from __future__ import annotations

from datetime import datetime

from dispatch.domain.assignment import MAX_LEVEL
from dispatch.domain.errors import InvalidCommand
from dispatch.domain.events import CaseOwnerAssigned, CaseOwnerUnstaffed
from shared.aggregate import Aggregate


class CaseOwnership(Aggregate):
    ticket_id: str
    job_id: str
    technician_id: str | None
    case_owner_id: str | None
    accountable_level: int

    def needs_case_owner(self, level: int) -> bool:
        """Whether a hand-off or escalation to ``level`` still changes who answers for the case."""
        return level > self.accountable_level

    def assign_case_owner(self, owner_id: str, level: int, reason: str, rules: str, now: datetime) -> None:
        if not owner_id:
            raise InvalidCommand("owner_id is required", field="owner_id")
        self._check_owner_level(level)
        self._record(
            CaseOwnerAssigned(
                ticket_id=self.ticket_id,
                job_id=self.job_id,
                owner_id=owner_id,
                level=level,
                previous_owner_id=self.case_owner_id,
                reason=reason,
                rules=rules,
                occurred_at=now,
            )
        )

    def case_owner_unstaffed(self, level: int, reason: str, now: datetime) -> None:
        """Nobody fits: alert the dispatcher (never drop the hand-off silently)."""
        self._check_owner_level(level)
        self._record(
            CaseOwnerUnstaffed(
                ticket_id=self.ticket_id, job_id=self.job_id, level=level, reason=reason, occurred_at=now
            )
        )

    def _check_owner_level(self, level: int) -> None:
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            raise InvalidCommand(f"level must be between 1 and {MAX_LEVEL}", field="level")
        if not self.needs_case_owner(level):
            raise InvalidCommand(
                f"the case is already accountable at level {self.accountable_level}", field="level"
            )

    def _owner_assigned(self, event: CaseOwnerAssigned) -> None:
        self.case_owner_id = event.owner_id
        self.accountable_level = max(self.accountable_level, event.level)

    def _owner_unstaffed(self, event: CaseOwnerUnstaffed) -> None:
        self.accountable_level = max(self.accountable_level, event.level)
