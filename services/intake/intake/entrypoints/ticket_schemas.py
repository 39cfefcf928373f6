"""HTTP shapes of tickets and complaints (pydantic; the domain stays plain Python)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intake.domain.entitlement import Cause
from intake.domain.events import Channel, Severity

Reason = Field(min_length=1, max_length=2000)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CallerIn(_In):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=3, max_length=40, pattern=r"^[0-9+()\- ]+$")


class TicketIn(_In):
    customer_id: str = Field(min_length=1, max_length=100)
    channel: Channel
    severity: Severity
    description: str = Field(min_length=1, max_length=10_000)
    caller: CallerIn
    reported_at: AwareDatetime | None = None
    contract_id: str | None = Field(default=None, max_length=100)
    site_id: str | None = Field(default=None, max_length=100)
    unit_id: str | None = Field(default=None, max_length=100)
    serial_number: str | None = Field(default=None, max_length=100)
    fault_code: str | None = Field(default=None, max_length=100)


class ClassifyIn(_In):
    severity: Severity
    reason: str = Reason


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=10_000)


class ReasonIn(_In):
    reason: str = Reason


class PartsIn(_In):
    reason: str = Reason
    parts: list[str] = Field(default_factory=list, max_length=100)


class ResolveIn(_In):
    resolution: str = Reason
    fault_code: str | None = Field(default=None, max_length=100)


class SatisfactionIn(_In):
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class CloseIn(_In):
    callback_note: str = Reason


class EntitlementIn(_In):
    cause: Cause = Cause.PERFORMANCE_FAULT
    fault_code: str | None = Field(default=None, max_length=100)


class ComplaintIn(_In):
    customer_id: str = Field(min_length=1, max_length=100)
    ticket_id: str | None = Field(default=None, max_length=100)
    text: str = Field(min_length=1, max_length=10_000)


class ReplyIn(_In):
    reply: str = Field(min_length=1, max_length=10_000)


class TicketPage(BaseModel):
    items: list[dict]
    next_cursor: str | None


class AsOf(BaseModel):
    as_of: datetime | None = None
