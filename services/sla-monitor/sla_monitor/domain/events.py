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
    reason: str  # "breach:<clock>", "overdue:<clock>", "handoff", "complaint"


@dataclass(frozen=True, kw_only=True)
class SlaClockStopped(SlaEvent):
    outcome: str  # met | missed | cancelled
    deadline: datetime | None
    elapsed_seconds: float


SLA_EVENTS = (SlaWarning, SlaBreached, EscalationRaised, SlaClockStopped)


@dataclass(frozen=True, kw_only=True)
class PolicyPublished:
    """A policy saved or seeded: contracts and tickets may name it (intake refuses unknown ones)."""

    policy_id: str
    name: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class CalendarPublished:
    """A business calendar saved or seeded."""

    calendar_id: str
    occurred_at: datetime


CATALOG_EVENTS = (PolicyPublished, CalendarPublished)
