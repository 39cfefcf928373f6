"""HTTP shapes of dispatch, requests and responses, in one place (pydantic; the domain stays plain
Python). Response models describe the JSON the API has always answered, field for field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=200)
Label = Annotated[str, Field(min_length=1, max_length=100)]  # a skill, a region, a part number


class _Body(BaseModel):
    """NUL characters are refused for every service at the edge (shared.http.text_guard)."""


class _In(_Body):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TechnicianIn(_In):
    technician_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Name
    level: int = Field(ge=1, le=4)
    skills: list[Label] = Field(default_factory=list, max_length=100)
    home_region: str = Name
    regions: list[Label] = Field(default_factory=list, max_length=100)
    capacity: int = Field(ge=0, le=100)


class TechnicianUpdate(_In):
    level: int = Field(ge=1, le=4)
    skills: list[Label] = Field(default_factory=list, max_length=100)
    home_region: str = Name
    regions: list[Label] = Field(default_factory=list, max_length=100)
    capacity: int = Field(ge=0, le=100)


class StatusIn(_In):
    status: Literal["active", "inactive"]


class AssignIn(_In):
    technician_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


class FieldStep(_In):
    """Every submission from the technician app: a client id (retries are safe) and when it happened."""

    client_id: str = Field(min_length=8, max_length=100, description="unique per submission; reused on retry")
    occurred_at: AwareDatetime = Field(description="the time on the device when it happened")


class RemoteEnd(FieldStep):
    resolved: bool


class Diagnosis(FieldStep):
    diagnosis: str = Field(min_length=1, max_length=5000)
    fault_code: str | None = Field(default=None, max_length=100)


class PartsRequest(FieldStep):
    parts: list[Label] = Field(min_length=1, max_length=100)


class ServiceReport(FieldStep):
    cause: str = Field(min_length=1, max_length=5000)
    fix: str = Field(min_length=1, max_length=5000)
    fault_code: str | None = Field(default=None, max_length=100)
    parts_used: list[Label] = Field(default_factory=list, max_length=100)
    minutes_spent: int = Field(ge=0, le=100_000)
    signed_by: str = Field(min_length=1, max_length=200, description="the customer's sign-off name")
    satisfaction: int | None = Field(default=None, ge=1, le=5)


class OnSiteNeeded(FieldStep):
    reason: str = Field(min_length=1, max_length=2000)


class VisitReport(FieldStep):
    report: str = Field(min_length=1, max_length=10_000)
    minutes_spent: int = Field(ge=0, le=100_000)
    signed_by: str = Field(min_length=1, max_length=200)


# ---- the roster document (stored as sent; the domain checks times, zone and leave) -----------------


class _Doc(_Body):
    model_config = ConfigDict(extra="forbid")


class ShiftDoc(_Doc):
    start: str = Field(max_length=5, examples=["08:00", "22:00"])
    end: str = Field(
        max_length=5, examples=["16:00", "06:00"], description="not after start: crosses midnight"
    )
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default=list(range(7)), max_length=7, description="0=Monday; the day the shift starts"
    )


class RotationDoc(_Doc):
    groups: list[Label] = Field(min_length=1, max_length=20, examples=[["A", "B"]])
    anchor: date
    period_days: int = Field(default=7, ge=1)
    shift: ShiftDoc = ShiftDoc(start="00:00", end="24:00")


class LeaveDoc(_Doc):
    technician_id: Label
    start: AwareDatetime
    end: AwareDatetime


class RosterDoc(_Doc):
    timezone: str = Field(default="Asia/Shanghai", max_length=100)
    shifts: dict[Label, Annotated[list[ShiftDoc], Field(max_length=14)]] = Field(
        default_factory=dict, max_length=1000, description="technician -> regular shifts"
    )
    rotation: RotationDoc | None = None
    groups: dict[Label, Label] = Field(
        default_factory=dict, max_length=1000, description="technician -> rotation group"
    )
    leave: list[LeaveDoc] = Field(default_factory=list, max_length=1000)


# ---- preventive maintenance ------------------------------------------------------------------------


class ScheduleDoc(_Doc):
    schedule_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    every: Literal["15_days", "days_since_last", "month", "quarter", "half_year", "year"] = Field(
        description="calendar cadences count from first_due; 15_days (elevators) and days_since_last "
        "(interval_days) count from the last completed visit"
    )
    first_due: date
    region: str = Field(min_length=1, max_length=100)
    product_line: str | None = Field(default=None, max_length=100)
    unit_id: str | None = Field(default=None, max_length=100)
    contract_id: str | None = Field(default=None, max_length=100)
    until: date | None = None
    interval_days: int | None = Field(
        default=None,
        ge=1,
        le=366,
        description="for days_since_last: most days after the last completed visit",
    )


class VisitOut(BaseModel):
    visit_id: str
    schedule_id: str
    due_on: str
    notify_on: str
    status: str = Field(description="scheduled | overdue | completed")
    region: str
    unit_id: str | None
    contract_id: str | None
    technician_id: str | None


# ---- responses ----------------------------------------------------------------------------------------


class TechnicianOut(BaseModel):
    technician_id: str
    name: str
    level: int
    skills: list[str]
    home_region: str
    regions: list[str]
    capacity: int
    status: str
    version: int
    load: int = Field(description="open breakdown jobs assigned now (maintenance visits not counted)")


class StepOut(BaseModel):
    step: str
    technician_id: str | None
    occurred_at: str = Field(description="ISO 8601, as recorded")
    late: bool = Field(description="below the status already reached: recorded, moved nothing")


class JobOut(BaseModel):
    ticket_id: str
    job_id: str
    status: str
    technician_id: str | None = Field(description="the field assignee: goes, acknowledges, arrives, works")
    level: int = Field(description="the field assignee's level")
    case_owner_id: str | None = Field(
        default=None, description="the case owner: the support tier accountable for solving it"
    )
    accountable_level: int = Field(default=1, description="the level answering for the case")
    severity: str | None
    region: str | None
    product_line: str | None
    on_site_required: bool
    diagnosis: str | None
    fault_code: str | None
    parts_requested: list[str]
    awaiting_consent: bool = Field(description="held: nobody is sent until the customer accepts the quote")
    version: int
    history: list[StepOut] = Field(description="in order of occurrence")


class JobRowOut(BaseModel):
    """A job as listed (the jobs table's row)."""

    ticket_id: str
    job_id: str
    status: str
    technician_id: str | None
    level: int
    severity: str | None
    region: str | None
    product_line: str | None
    on_site_required: bool
    customer_id: str | None
    unit_id: str | None
    account_engineer_id: str | None
    queued: bool
    opened_at: str
    updated_at: str
    version: int
