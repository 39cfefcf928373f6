"""One clock of a ticket's SLA: its target, its pauses, what it has emitted, and how its time is
counted (business time in the contract's calendar, or around the clock). Thresholds are the points,
as fractions of the target, at which a running clock emits something."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.policy import ClockKind, EscalationStep, Policy

ALWAYS = BusinessCalendar.always()
TICKET_CLOCKS = (
    ClockKind.RESPONSE,
    ClockKind.ON_SITE,
    ClockKind.RESTORE,
    ClockKind.RESOLUTION,
    ClockKind.HANDOFF,
    ClockKind.DIAGNOSIS,
)
RUNNING, PAUSED = "running", "paused"
MET, MISSED, CANCELLED = "met", "missed", "cancelled"
NOT_NEEDED = "not_needed"  # the on-site clock of a ticket resolved remotely or by phone


@dataclass(kw_only=True)
class Move:
    at: datetime
    what: str


@dataclass(frozen=True)
class Threshold:
    name: str  # "warning:0.5", "breach", "escalation:L3", "handoff"
    fraction: float


@dataclass(kw_only=True)
class Clock:
    name: str  # the kind, or "complaint_reply:<complaint id>"
    kind: ClockKind
    started_at: datetime
    target_seconds: float
    business_time: bool
    status: str = RUNNING
    paused_since: datetime | None = None
    paused_seconds: float = 0.0
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    emitted: list[str] = field(default_factory=list)
    stopped_at: datetime | None = None
    raised: list[int] = field(default_factory=list)  # escalation levels its breach/overdue steps raised
    corrected: bool = False  # its breach was corrected by a late fact (SlaBreachCorrected)
    dropped_by_class: bool = False  # cancelled by a re-classification: a later one may bring it back

    @property
    def open(self) -> bool:
        return self.status in (RUNNING, PAUSED)

    def calendar(self, calendar: BusinessCalendar) -> BusinessCalendar:
        """The calendar this clock counts in: the contract's for business time, else around the clock."""
        return calendar if self.business_time else ALWAYS

    def threshold_time(self, fraction: float, calendar: BusinessCalendar) -> datetime:
        budget = timedelta(seconds=self.target_seconds * fraction + self.paused_seconds)
        return self.calendar(calendar).add(self.started_at, budget)

    def elapsed(self, at: datetime, calendar: BusinessCalendar) -> float:
        """Business seconds the clock has run by `at` (pauses excluded)."""
        end = at
        if self.status == PAUSED and self.paused_since is not None:
            end = min(at, self.paused_since)
        if self.stopped_at is not None:
            end = min(end, self.stopped_at)
        total = self.calendar(calendar).elapsed(self.started_at, end).total_seconds()
        return max(total - self.paused_seconds, 0.0)

    def thresholds(self, policy: Policy) -> list[Threshold]:
        if self.kind is ClockKind.HANDOFF:
            return [Threshold("handoff", 1.0)]
        return list(_marks(policy.warning_fractions, policy.ladder))


@functools.lru_cache(maxsize=256)
def _marks(warning_fractions: tuple[float, ...], ladder: tuple[EscalationStep, ...]) -> tuple[Threshold, ...]:
    """A policy's thresholds in firing order; the same for every clock and every tick, so worked out once
    per (warnings, ladder) -- catching up on many overdue clocks asks for them a few times per ticket."""
    marks = [Threshold(f"warning:{f:g}", f) for f in warning_fractions]
    marks.append(Threshold("breach", 1.0))
    marks += [
        Threshold(f"escalation:L{step.level}", step.at_fraction) for step in ladder if step.at_fraction > 1.0
    ]
    return tuple(sorted(marks, key=lambda t: (t.fraction, t.name != "breach")))
