"""What the SLA monitor is asked to do: by the consumer (an input moved a ticket's clocks), by the
timer (thresholds fell due) and by operators (policies and calendars as data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.inputs import ClockInput
from sla_monitor.domain.policy import Policy


@dataclass(frozen=True, kw_only=True)
class ApplyTicketInput:
    """Move a ticket's clocks. The source event is kept as it came (what-if replays it later, and an
    input that arrives before the ticket's opening waits in it)."""

    input: ClockInput
    event_id: UUID
    event_type: str
    occurred_at: datetime
    data: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class FireDueThresholds:
    """Emit every threshold due by the horizon: the database's clock (or `now`, a caller's), but no later
    than what the inputs have been read up to, minus `grace_s` (a batch of tickets; others' rows are
    skipped, not waited for)."""

    now: datetime | None = None
    limit: int = 500
    grace_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class PartitionRead:
    """How far the consumer has read one input partition (see adapters/watermarks.py)."""

    topic: str
    partition: int
    position: int | None
    newest_ms: int | None  # newest record timestamp applied (send time, ms since the epoch)
    caught_up: bool
    age_s: float  # caught up as of this many seconds ago


@dataclass(frozen=True, kw_only=True)
class InputTopics:
    """The input topics as the consumer's metadata has them now: the watermark of any other (topic,
    partition) is stale (never read again), and a listed partition without one is not read yet."""

    subscribed: frozenset[str]
    partitions: Mapping[str, frozenset[int]]  # per subscribed topic whose partitions are known


@dataclass(frozen=True, kw_only=True)
class RecordInputsRead:
    """Remember how far each input partition has been read (after the inputs' own commit), and which
    partitions there are (`topics`; None: not known, keep every watermark)."""

    partitions: tuple[PartitionRead, ...]
    topics: InputTopics | None = None


@dataclass(frozen=True, kw_only=True)
class SavePolicy:
    """Create or replace; `document` is stored and answered as given, `policy` is what it means."""

    policy_id: str  # from the path: must match the document's
    policy: Policy
    document: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class DeletePolicy:
    policy_id: str


@dataclass(frozen=True, kw_only=True)
class SaveCalendar:
    calendar_id: str  # from the path: must match the document's
    calendar: BusinessCalendar
    document: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class DeleteCalendar:
    calendar_id: str


@dataclass(frozen=True, kw_only=True)
class SeedCatalog:
    """Store the shipped policies and calendars that are missing (an operator's edits are kept)."""
