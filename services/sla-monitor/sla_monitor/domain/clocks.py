"""The SLA clocks of one ticket: start, pause, resume, stop, re-classify, and what is due when.

Pure and deterministic: every method takes the time it happens at (the event's occurrence time,
so a late event is applied when it happened) and the policy/calendar to measure with; it returns
the events to emit. Thresholds of a running clock, in order of their fraction of the target:
warnings (e.g. 0.5, 0.8), the breach (1.0, which also raises the ladder's first level), further
ladder levels (e.g. 1.5 -> L3, 2.0 -> L4). The hand-off clock has one threshold: at its target
the case is handed to the next support tier (`CaseHandedOff`, the case owner changes, the field
engineer keeps the job) - a tier, not an escalation level. Only a breach of the assignee's own
promises (response, on-site arrival) asks dispatch to move the field job (`reassign_field_job`).
Every threshold is emitted at most once (`Clock.emitted`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clock import (
    CANCELLED,
    MET,
    MISSED,
    NOT_NEEDED,
    PAUSED,
    RUNNING,
    TICKET_CLOCKS,
    Clock,
    Move,
)
from sla_monitor.domain.events import EscalationRaised, SlaClockStopped, SlaEvent
from sla_monitor.domain.policy import ClockKind, ClockStart, Policy, Target
from sla_monitor.domain.thresholds import FIELD_PROMISES, Thresholds

__all__ = ["FIELD_PROMISES", "SlaTicket"]


@dataclass(kw_only=True)
class SlaTicket(Thresholds):
    ticket_id: str
    policy_id: str
    calendar_id: str
    severity: str
    customer_id: str
    region: str | None
    opened_at: datetime
    on_site_covered: bool = True
    channel: str | None = None  # how it was reported (targets may depend on it)
    region_class: str | None = None  # the site's "city" | "elsewhere" (targets may depend on it)
    level: int = 1  # escalation level: 2 supervisor, 3 department manager, 4 leadership
    tier: int = 1  # the support tier that owns the case (hand-off moves it up)
    unmeasured: str | None = None  # why no clock runs (an unknown policy or calendar), else None
    clocks: dict[str, Clock] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)

    # ---- lifecycle -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        *,
        ticket_id: str,
        policy: Policy,
        calendar_id: str,
        severity: str,
        customer_id: str,
        region: str | None,
        opened_at: datetime,
        on_site_covered: bool,
        channel: str | None = None,
        region_class: str | None = None,
    ) -> SlaTicket:
        ticket = cls(
            ticket_id=ticket_id,
            policy_id=policy.policy_id,
            calendar_id=calendar_id,
            severity=severity,
            customer_id=customer_id,
            region=region,
            opened_at=opened_at,
            on_site_covered=on_site_covered,
            channel=channel,
            region_class=region_class,
        )
        ticket._note(opened_at, f"opened as {severity} under policy {policy.policy_id}")
        for kind in TICKET_CLOCKS:
            if ticket._measured(kind) and policy.start_of(severity, kind) is ClockStart.REPORT:
                ticket._start(kind.value, kind, opened_at, ticket._target(policy, kind))
        return ticket

    @classmethod
    def refused(
        cls,
        *,
        ticket_id: str,
        policy_id: str,
        calendar_id: str,
        severity: str,
        customer_id: str,
        region: str | None,
        opened_at: datetime,
        reason: str,
    ) -> SlaTicket:
        """Opened naming a policy or calendar nobody defined: kept, visibly unmeasured, never measured
        with a default in its place."""
        ticket = cls(
            ticket_id=ticket_id,
            policy_id=policy_id,
            calendar_id=calendar_id,
            severity=severity,
            customer_id=customer_id,
            region=region,
            opened_at=opened_at,
            unmeasured=reason,
        )
        ticket._note(opened_at, f"not measured: {reason}")
        return ticket

    def reclassify(
        self, severity: str, at: datetime, policy: Policy, calendar: BusinessCalendar
    ) -> list[SlaEvent]:
        """New targets from the original start, in any sequence: a class without a target cancels the
        clock (no breach), a later class with one brings it back from its original start. Thresholds
        already passed fire at the next tick."""
        previous, self.severity = self.severity, severity
        self._note(
            at, f"re-classified {previous} -> {severity}: deadlines recomputed from the original start"
        )
        events: list[SlaEvent] = []
        for kind in TICKET_CLOCKS:
            target = self._target(policy, kind)
            clock = self._current(kind)
            if clock is None:
                if self._measured(kind) and policy.start_of(severity, kind) is ClockStart.REPORT:
                    self._start(kind.value, kind, self.opened_at, target)
            elif clock.open and target is None:
                events += self._stop(clock, at, CANCELLED, calendar)
                clock.dropped_by_class = True
            elif target is not None and (clock.open or clock.dropped_by_class):
                if not clock.open:  # back from a class without this clock: running since its start
                    clock.status, clock.stopped_at, clock.dropped_by_class = RUNNING, None, False
                clock.target_seconds = target.duration.total_seconds()
                clock.business_time = target.business_time
        return events

    def pause(self, reason: str, at: datetime, policy: Policy) -> None:
        if reason not in policy.pauses:
            self._note(at, f"{reason}: the policy does not pause the clocks")
            return
        for clock in self._open_clocks():
            if clock.status == RUNNING and clock.kind is not ClockKind.COMPLAINT_REPLY:
                at_ = max(at, clock.started_at)
                clock.status, clock.paused_since = PAUSED, at_
                clock.pauses.append((at_, None))
        self._note(at, f"paused: {reason}")

    def resume(self, at: datetime, calendar: BusinessCalendar) -> None:
        for clock in self._open_clocks():
            if clock.status == PAUSED and clock.paused_since is not None:
                at_ = max(at, clock.paused_since)
                clock.paused_seconds += (
                    clock.calendar(calendar).elapsed(clock.paused_since, at_).total_seconds()
                )
                clock.pauses[-1] = (clock.paused_since, at_)
                clock.status, clock.paused_since = RUNNING, None
        self._note(at, "resumed")

    def start(self, kind: ClockKind, at: datetime, policy: Policy, why: str) -> None:
        if kind.value not in self.clocks and self._measured(kind):
            self._start(kind.value, kind, at, self._target(policy, kind))
            if kind.value in self.clocks:
                self._note(at, f"{kind.value} clock started: {why}")

    def started_by(self, start: ClockStart, at: datetime, policy: Policy, why: str) -> None:
        """Start every clock the policy starts at this moment (first contact, on-site decision)."""
        for kind in TICKET_CLOCKS:
            if policy.start_of(self.severity, kind) is start:
                self.start(kind, at, policy, why)

    def on_site_not_needed(
        self, at: datetime, policy: Policy, calendar: BusinessCalendar, why: str
    ) -> list[SlaEvent]:
        """Resolved with nobody on site: the on-site promise did not apply - never a breach. A class
        whose on-site clock waited for a decision that never came gets the same explicit verdict."""
        clock = self._current(ClockKind.ON_SITE)
        if clock is None and self._measured(ClockKind.ON_SITE):
            self._start(
                ClockKind.ON_SITE.value, ClockKind.ON_SITE, at, self._target(policy, ClockKind.ON_SITE)
            )
            clock = self._current(ClockKind.ON_SITE)
        if clock is None or not clock.open:
            return []
        self._note(at, f"on-site clock not needed: {why}")
        return self._stop(clock, at, NOT_NEEDED, calendar)

    def stop(
        self, kinds: tuple[ClockKind, ...], at: datetime, calendar: BusinessCalendar, why: str
    ) -> list[SlaEvent]:
        events: list[SlaEvent] = []
        for kind in kinds:
            clock = self._current(kind)
            if clock is not None and clock.open:
                outcome = MET if self.elapsed(clock, at, calendar) <= clock.target_seconds else MISSED
                events += self._stop(clock, at, outcome, calendar)
                if outcome == MET and "breach" in clock.emitted:
                    events += self._correct(clock, at, why)
        if events:
            self._note(at, f"stopped {', '.join(e.clock for e in events)}: {why}")
        return events

    def reopen(self, at: datetime, policy: Policy) -> None:
        """A reopened ticket gets fresh restore and resolution clocks (named restore#2, ...) from `at`."""
        for kind in (ClockKind.RESTORE, ClockKind.RESOLUTION):
            current = self._current(kind)
            if current is not None and current.open:
                continue
            count = sum(1 for clock in self.clocks.values() if clock.kind is kind)
            self._start(
                f"{kind.value}#{count + 1}" if count else kind.value,
                kind,
                at,
                self._target(policy, kind),
            )
        self._note(at, "reopened: restore and resolution clocks start again")

    def cancel(self, at: datetime, calendar: BusinessCalendar) -> list[SlaEvent]:
        events: list[SlaEvent] = []
        for clock in self._open_clocks():
            events += self._stop(clock, at, CANCELLED, calendar)
        self._note(at, "ticket cancelled: every clock stopped")
        return events

    def complaint_filed(self, complaint_id: str, at: datetime, policy: Policy) -> list[SlaEvent]:
        """A complaint starts its own reply clock and raises the escalation level by one."""
        name = f"{ClockKind.COMPLAINT_REPLY.value}:{complaint_id}"
        if name in self.clocks:
            return []
        self._start(name, ClockKind.COMPLAINT_REPLY, at, policy.complaint_reply)
        self._note(at, f"complaint {complaint_id} filed")
        if self.level >= 4:
            return []
        self.level += 1
        return [
            EscalationRaised(
                **self._fields(name, f"escalation:L{self.level}", at), level=self.level, reason="complaint"
            )
        ]

    def complaint_answered(
        self, complaint_id: str, at: datetime, calendar: BusinessCalendar
    ) -> list[SlaEvent]:
        clock = self.clocks.get(f"{ClockKind.COMPLAINT_REPLY.value}:{complaint_id}")
        if clock is None or not clock.open:
            return []
        outcome = MET if self.elapsed(clock, at, calendar) <= clock.target_seconds else MISSED
        self._note(at, f"complaint {complaint_id} answered")
        return self._stop(clock, at, outcome, calendar)

    # ---- internals -----------------------------------------------------------------------------
    def _stop(self, clock: Clock, at: datetime, outcome: str, calendar: BusinessCalendar) -> list[SlaEvent]:
        at = max(at, clock.started_at)
        elapsed = self.elapsed(clock, at, calendar)
        if clock.status == PAUSED and clock.pauses:
            clock.pauses[-1] = (clock.pauses[-1][0], at)
        clock.status, clock.stopped_at, clock.paused_since = outcome, at, None
        deadline = None if outcome in (CANCELLED, NOT_NEEDED) else self.deadline(clock, calendar)
        return [
            SlaClockStopped(
                **self._fields(clock.name, "stopped", at),
                outcome=outcome,
                deadline=deadline,
                elapsed_seconds=round(elapsed, 3),
            )
        ]

    def _start(self, name: str, kind: ClockKind, at: datetime, target: Target | None) -> None:
        if target is None:
            return
        self.clocks[name] = Clock(
            name=name,
            kind=kind,
            started_at=at,
            target_seconds=target.duration.total_seconds(),
            business_time=target.business_time,
        )

    def _target(self, policy: Policy, kind: ClockKind) -> Target | None:
        return policy.target(self.severity, kind, channel=self.channel, region_class=self.region_class)

    def _measured(self, kind: ClockKind) -> bool:
        return kind is not ClockKind.ON_SITE or self.on_site_covered

    def _current(self, kind: ClockKind) -> Clock | None:
        """The latest clock of a kind (a reopened ticket has several)."""
        latest = None
        for clock in self.clocks.values():
            if clock.kind is kind:
                latest = clock
        return latest

    def _open_clocks(self) -> list[Clock]:
        return [clock for clock in self.clocks.values() if clock.open]

    def _fields(self, clock: str, threshold: str, at: datetime) -> dict:
        return {
            "ticket_id": self.ticket_id,
            "clock": clock,
            "threshold": threshold,
            "occurred_at": at,
            "policy_id": self.policy_id,
            "severity": self.severity,
            "customer_id": self.customer_id,
            "region": self.region,
        }

    def _note(self, at: datetime, what: str) -> None:
        self.moves.append(Move(at=at, what=what))
