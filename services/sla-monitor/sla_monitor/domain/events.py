"""What the SLA monitor emits on the SLA topic, keyed by ticket id. Each event names its
(clock, threshold): the database lets each (ticket, clock, threshold) out exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class SlaEvent:
    ticket_id: str
    clock: str
    threshold: str
    occurred_at: datetime
    policy_id: str
    severity: str
    customer_id: str
    region: str | None


@dataclass(frozen=True, kw_only=True)
class SlaWarning(SlaEvent):
    fraction: float
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class SlaBreached(SlaEvent):
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class EscalationRaised(SlaEvent):
    level: int  # 2 supervisor, 3 department manager, 4 leadership
    reason: str  # "breach:<clock>", "overdue:<clock>", "complaint"
    # True only when the field assignee missed a promise of their own (response or on-site arrival):
    # dispatch moves the field job only then. L3/L4, restore/resolution and complaints name the
    # accountable level and leave the field job where it is.
    reassign_field_job: bool = False


@dataclass(frozen=True, kw_only=True)
class CaseHandedOff(SlaEvent):
    """The tier hand-off threshold: the case (its ownership) goes to the next support tier. Not an
    escalation of the field job: the dispatched engineer keeps it (dispatch picks the new owner)."""

    from_level: int
    to_level: int
    reason: str  # "handoff:<clock>": unresolved after the policy's hand-off target


@dataclass(frozen=True, kw_only=True)
class SlaClockStopped(SlaEvent):
    outcome: str  # met | missed | cancelled
    deadline: datetime | None
    elapsed_seconds: float


@dataclass(frozen=True, kw_only=True)
class SlaBreachCorrected(SlaEvent):
    """A late fact (e.g. an arrival synced late from a phone) showed the promise was met: the breach
    already emitted, and the escalations it caused, stand corrected. Nothing emitted is deleted."""

    breach_event_id: str | None  # None: the monitor does not hold the breach's event id in its state
    escalation_levels: list[int]  # the levels this clock's breach and overdue steps raised
    reason: str


SLA_EVENTS = (SlaWarning, SlaBreached, EscalationRaised, SlaClockStopped, CaseHandedOff, SlaBreachCorrected)


@dataclass(frozen=True, kw_only=True)
class PolicyPublished:
    """A policy was saved or seeded: intake learns which policy ids exist (it refuses unknown ones)."""

    policy_id: str
    name: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class CalendarPublished:
    """A business calendar was saved or seeded (intake refuses unknown calendar ids)."""

    calendar_id: str
    occurred_at: datetime


CATALOG_EVENTS = (PolicyPublished, CalendarPublished)


def once_key(event: SlaEvent) -> tuple[str, str, str]:
    """What may happen once: (ticket, clock, threshold); an escalation level is reached once per ticket,
    whichever clock raised it."""
    clock = "escalation" if isinstance(event, EscalationRaised) else event.clock
    return event.ticket_id, clock, event.threshold
