"""HTTP shapes of the customer archive."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Text200 = Field(min_length=1, max_length=200)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CompanyIn(_In):
    name: str = Text200


class ContactIn(_In):
    name: str = Text200
    phone: str = Field(min_length=3, max_length=40, pattern=r"^[0-9+()\- ]+$")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    is_main: bool = False


class SiteIn(_In):
    address: str = Field(min_length=1, max_length=500)
    city: str = Text200
    region: str = Text200


class ContractIn(_In):
    policy_id: str = Text200
    calendar_id: str = Field(default="7x24", min_length=1, max_length=200)
    on_site_regions: list[str] = Field(default_factory=list, max_length=100)
    remote_only_elsewhere: bool = True
    warranty_terms: str | None = Field(default=None, max_length=2000)
    paid_maintenance_until: date | None = None
    account_engineer_id: str | None = Field(default=None, max_length=200)
    sales_rep_id: str | None = Field(default=None, max_length=200)
    three_guarantees_variant: Literal["standard", "strict_monthly"] = "standard"
    starts_on: date
    ends_on: date | None = None

    @field_validator("ends_on")
    @classmethod
    def _after_start(cls, value, info):
        if value is not None and "starts_on" in info.data and value < info.data["starts_on"]:
            raise ValueError("ends_on is before starts_on")
        return value


class UnitIn(_In):
    site_id: str = Text200
    contract_id: str | None = Field(default=None, max_length=200)
    model: str = Text200
    serial_number: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9\-_/.]+$")
    product_line: str = Text200
    quantity: int = Field(default=1, ge=1, le=100_000)
    purchased_on: date | None = None
    installed_on: date | None = None
    accepted_on: date
    warranty_months: int = Field(ge=0, le=12 * 30)


class Created(BaseModel):
    id: str
