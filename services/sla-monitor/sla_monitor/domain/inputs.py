"""What moves a ticket's clocks, in the monitor's own words: the facts it learns from intake and
dispatch, translated at the edge (`adapters/translate.py`) so the rules never see another service's
event shapes. Every input names the SLA ticket it belongs to and the time it happened at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class ClockInput:
    ticket_id: str  # the SLA ticket (a standalone complaint is its own)
    at: datetime  # when it happened: a late input is applied at its time


@dataclass(frozen=True, kw_only=True)
class Opened(ClockInput):
    policy_id: str
    calendar_id: str
    severity: str
    customer_id: str
    region: str | None
    on_site_covered: bool
    channel: str | None = None
    region_class: str | None = None  # "city" | "elsewhere"; absent: the base targets


@dataclass(frozen=True, kw_only=True)
class Reclassified(ClockInput):
    severity: str


@dataclass(frozen=True, kw_only=True)
class Paused(ClockInput):
    reason: str  # awaiting_customer | awaiting_parts


@dataclass(frozen=True, kw_only=True)
class Resumed(ClockInput):
    pass


@dataclass(frozen=True, kw_only=True)
class Responded(ClockInput):
    why: str  # the input's name: AssignmentAcknowledged, RemoteSessionStarted


@dataclass(frozen=True, kw_only=True)
class Arrived(ClockInput):
    pass


@dataclass(frozen=True, kw_only=True)
class OnSiteNeeded(ClockInput):
    why: str = "OnSiteVisitRequired"  # or RemoteSessionEnded unresolved


@dataclass(frozen=True, kw_only=True)
class Diagnosed(ClockInput):
    pass


@dataclass(frozen=True, kw_only=True)
class Restored(ClockInput):
    why: str  # WorkResolved, TicketResolved


@dataclass(frozen=True, kw_only=True)
class Reopened(ClockInput):
    pass


@dataclass(frozen=True, kw_only=True)
class Closed(ClockInput):
    pass


@dataclass(frozen=True, kw_only=True)
class Cancelled(ClockInput):
    pass


@dataclass(frozen=True, kw_only=True)
class ComplaintFiled(ClockInput):
    complaint_id: str
    customer_id: str


@dataclass(frozen=True, kw_only=True)
class ComplaintAnswered(ClockInput):
    complaint_id: str


@dataclass(frozen=True, kw_only=True)
class Noted(ClockInput):
    """A fact kept (what-if replays it) that moves no clock by itself."""

    what: str
