"""What a ticket's running clocks emit as time passes: thresholds reached (warnings, the breach with
the ladder's first level, overdue levels), the tier hand-off, and the correction of a breach a late
fact disproved. A mixin of `SlaTicket` (clocks.py), split off so each module stays small.

Only a breach of the field assignee's own promises (response, on-site arrival) asks dispatch to move
the field job (`reassign_field_job`); the hand-off moves the case owner (`CaseHandedOff`), a tier,
not an escalation level."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clock import RUNNING, Clock, Threshold
from sla_monitor.domain.events import (
    CaseHandedOff,
    EscalationRaised,
    SlaBreachCorrected,
    SlaBreached,
    SlaEvent,
    SlaWarning,
)
from sla_monitor.domain.policy import ClockKind, Policy

FIELD_PROMISES = frozenset({ClockKind.RESPONSE, ClockKind.ON_SITE})  # the field assignee's own


class Thresholds:
    if TYPE_CHECKING:
        clocks: dict[str, Clock]
        level: int
        tier: int

        def _open_clocks(self) -> list[Clock]: ...
        def _fields(self, clock: str, threshold: str, at: datetime) -> dict[str, Any]: ...
        def _note(self, at: datetime, what: str) -> None: ...

    # ---- time ----------------------------------------------------------------------------------
    def due(self, now: datetime, policy: Policy, calendar: BusinessCalendar) -> list[SlaEvent]:
        """Every threshold reached by `now` and not yet emitted, in time order."""
        reached: list[tuple[datetime, Clock, Threshold]] = []
        for clock in self._open_clocks():
            if clock.status != RUNNING:
                continue
            for threshold in self.thresholds(clock, policy):
                if threshold.name in clock.emitted:
                    continue
                when = self.threshold_time(clock, threshold.fraction, calendar)
                if when > now:
                    break
                reached.append((when, clock, threshold))
        events: list[SlaEvent] = []
        deadlines: dict[str, datetime] = {}  # firing does not move a clock's deadline: computed once
        for when, clock, threshold in sorted(reached, key=lambda item: item[0]):
            clock.emitted.append(threshold.name)
            deadline = deadlines.get(clock.name)
            if deadline is None:
                deadline = deadlines[clock.name] = self.deadline(clock, calendar)
            events += self._fire(clock, threshold, when, policy, deadline)
        return events

    def next_due(self, policy: Policy, calendar: BusinessCalendar) -> datetime | None:
        upcoming = []
        for clock in self._open_clocks():
            if clock.status != RUNNING:
                continue
            pending = [t for t in self.thresholds(clock, policy) if t.name not in clock.emitted]
            if pending:
                upcoming.append(self.threshold_time(clock, pending[0].fraction, calendar))
        return min(upcoming, default=None)

    def thresholds(self, clock: Clock, policy: Policy) -> list[Threshold]:
        return clock.thresholds(policy)

    def threshold_time(self, clock: Clock, fraction: float, calendar: BusinessCalendar) -> datetime:
        return clock.threshold_time(fraction, calendar)

    def deadline(self, clock: Clock, calendar: BusinessCalendar) -> datetime:
        return clock.threshold_time(1.0, calendar)

    def elapsed(self, clock: Clock, at: datetime, calendar: BusinessCalendar) -> float:
        """Business seconds the clock has run by `at` (pauses excluded)."""
        return clock.elapsed(at, calendar)

    # ---- internals -----------------------------------------------------------------------------
    def _fire(
        self, clock: Clock, threshold: Threshold, when: datetime, policy: Policy, deadline: datetime
    ) -> list[SlaEvent]:
        fields = self._fields(clock.name, threshold.name, when)
        if threshold.name.startswith("warning:"):
            return [SlaWarning(**fields, fraction=threshold.fraction, deadline=deadline)]
        if threshold.name == "handoff":
            return self._hand_off(clock.name, when)
        if threshold.name == "breach":
            events: list[SlaEvent] = [SlaBreached(**fields, deadline=deadline)]
            at_breach = [step.level for step in policy.ladder if step.at_fraction == 1.0]
            if at_breach:
                reassign = clock.kind in FIELD_PROMISES
                events += self._raise(max(at_breach), f"breach:{clock.name}", clock.name, when, reassign)
            return events
        level = int(threshold.name.rsplit("L", 1)[1])
        return self._raise(level, f"overdue:{clock.name}", clock.name, when)

    def _correct(self, clock: Clock, at: datetime, why: str) -> list[SlaEvent]:
        """A late fact met a deadline already reported as breached: say so explicitly."""
        clock.corrected = True
        self._note(at, f"{clock.name} breach corrected: {why} happened before the deadline")
        return [
            SlaBreachCorrected(
                **self._fields(clock.name, "corrected", at),
                breach_event_id=None,
                escalation_levels=list(clock.raised),
                reason=f"late fact: {why} at {at.isoformat()}, before the deadline",
            )
        ]

    def _hand_off(self, clock_name: str, when: datetime) -> list[SlaEvent]:
        """The case goes to the next tier (at most L2 from the policy's one hand-off threshold)."""
        previous, self.tier = self.tier, max(self.tier, 2)
        if self.tier == previous:
            return []
        self._note(when, f"case handed off to tier L{self.tier}: unresolved at the hand-off target")
        return [
            CaseHandedOff(
                **self._fields(clock_name, "handoff", when),
                from_level=previous,
                to_level=self.tier,
                reason=f"handoff:{clock_name}",
            )
        ]

    def _raise(
        self, level: int, reason: str, clock_name: str, when: datetime, reassign: bool = False
    ) -> list[SlaEvent]:
        if level <= self.level:
            return []
        self.level = level
        if clock_name in self.clocks:
            self.clocks[clock_name].raised.append(level)
        self._note(when, f"escalated to L{level}: {reason}" + (" (field job to move)" if reassign else ""))
        return [
            EscalationRaised(
                **self._fields(clock_name, f"escalation:L{level}", when),
                level=level,
                reason=reason,
                reassign_field_job=reassign,
            )
        ]
