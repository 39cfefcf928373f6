"""Request and response bodies of the SLA monitor's HTTP API (one place). Policies and calendars are
documents: the same JSON on the wire and in the database (`adapters/documents.py`). Times in
responses are ISO 8601 strings exactly as the monitor computed them (offset `+00:00`)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.domain.commands import SaveCalendar, SavePolicy
from sla_monitor.domain.errors import InvalidPolicy

MAX_WHAT_IF_RANGE = timedelta(days=366)
__all__ = ["CalendarDoc", "PolicyDoc", "policy_command", "calendar_command"]


def policy_command(policy_id: str, body: PolicyDoc) -> SavePolicy:
    try:
        policy = body.to_domain()
    except ValueError as exc:
        raise InvalidPolicy(str(exc)) from None
    return SavePolicy(policy_id=policy_id, policy=policy, document=body.model_dump(mode="json"))


def calendar_command(calendar_id: str, body: CalendarDoc) -> SaveCalendar:
    return SaveCalendar(
        calendar_id=calendar_id, calendar=body.to_domain(), document=body.model_dump(mode="json")
    )


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: AwareDatetime = Field(alias="from")
    end: AwareDatetime = Field(alias="to")
    policy_id: str | None = Field(default=None, max_length=100)
    policy: PolicyDoc | None = None

    @model_validator(mode="after")
    def _one_policy(self) -> WhatIfIn:
        if (self.policy_id is None) == (self.policy is None):
            raise ValueError("give either policy_id or policy")
        if self.end <= self.start:
            raise ValueError("'to' must be after 'from'")
        if self.end - self.start > MAX_WHAT_IF_RANGE:
            raise ValueError("the range is at most 366 days")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class ClockCount(_Out):
    clocks: int
    breached: int
    met: int


class WhatIfOut(_Out):
    policy_id: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    tickets: int = Field(description="tickets opened in the range")
    clocks: int
    breached: int
    by_clock: dict[str, ClockCount]


class PauseOut(_Out):
    start: str = Field(alias="from")
    end: str | None = Field(alias="to")


class ThresholdOut(_Out):
    name: str = Field(examples=["warning:0.5", "breach", "escalation:L3", "handoff"])
    at: str
    emitted: bool


class ClockOut(_Out):
    clock: str = Field(examples=["response", "restore#2", "complaint_reply:CP-1"])
    status: str = Field(examples=["running", "paused", "met", "missed", "cancelled", "not_needed"])
    started_at: str
    target_seconds: float
    business_time: bool
    calendar_id: str
    deadline: str
    elapsed_business_seconds: float
    paused_seconds: float
    pauses: list[PauseOut]
    thresholds: list[ThresholdOut]
    stopped_at: str | None
    breach_corrected: bool = Field(
        default=False, description="a late fact showed the promise was met (SlaBreachCorrected emitted)"
    )
    escalations_raised: list[int] = Field(
        default_factory=list, description="levels its breach/overdue raised"
    )


class MoveOut(_Out):
    at: str
    what: str


class EmittedOut(_Out):
    type: str
    occurred_at: str
    clock: str | None
    threshold: str | None


class TicketSlaOut(_Out):
    ticket_id: str
    policy_id: str
    policy_known: bool
    calendar_id: str
    severity: str
    escalation_level: int
    case_tier: int = Field(default=1, description="the support tier owning the case (CaseHandedOff moves it)")
    unmeasured: str | None = Field(
        default=None, description="why no clock runs: the ticket named an unknown policy or calendar"
    )
    next_due: str | None
    as_of: str
    clocks: list[ClockOut]
    moves: list[MoveOut]
    emitted: list[EmittedOut]
