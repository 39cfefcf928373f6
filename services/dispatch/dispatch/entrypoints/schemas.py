"""HTTP shapes of dispatch (pydantic; the domain stays plain Python)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=200)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TechnicianIn(_In):
    technician_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Name
    level: int = Field(ge=1, le=4)
    skills: list[str] = Field(default_factory=list, max_length=100)
    home_region: str = Name
    regions: list[str] = Field(default_factory=list, max_length=100)
    capacity: int = Field(ge=0, le=100)


class TechnicianUpdate(_In):
    level: int = Field(ge=1, le=4)
    skills: list[str] = Field(default_factory=list, max_length=100)
    home_region: str = Name
    regions: list[str] = Field(default_factory=list, max_length=100)
    capacity: int = Field(ge=0, le=100)


class StatusIn(_In):
    status: str = Field(pattern=r"^(active|inactive)$")


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
    parts: list[str] = Field(min_length=1, max_length=100)


class ServiceReport(FieldStep):
    cause: str = Field(min_length=1, max_length=5000)
    fix: str = Field(min_length=1, max_length=5000)
    fault_code: str | None = Field(default=None, max_length=100)
    parts_used: list[str] = Field(default_factory=list, max_length=100)
    minutes_spent: int = Field(ge=0, le=100_000)
    signed_by: str = Field(min_length=1, max_length=200, description="the customer's sign-off name")
    satisfaction: int | None = Field(default=None, ge=1, le=5)


class OnSiteNeeded(FieldStep):
    reason: str = Field(min_length=1, max_length=2000)


class VisitReport(FieldStep):
    report: str = Field(min_length=1, max_length=10_000)
    minutes_spent: int = Field(ge=0, le=100_000)
    signed_by: str = Field(min_length=1, max_length=200)
