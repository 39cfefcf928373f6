"""Request bodies of intake (pydantic; the domain stays plain Python): every field bounded, so an
over-long value is a 422 naming it (tests/http/test_request_bounds.py keeps every body's largest value
under the body limit). A NUL character, which PostgreSQL cannot store, is refused for every service at
the edge (shared.http.text_guard)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from intake.domain.commands import Cause, Channel, QuoteAnswerChannel, Severity

Reason = Field(min_length=1, max_length=2000)
Text200 = Field(min_length=1, max_length=200)
PartNumber = Annotated[str, Field(max_length=100)]  # as dispatch's part numbers
Region = Annotated[str, Field(max_length=200)]  # as a site's region


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
    parts: list[PartNumber] = Field(default_factory=list, max_length=100)


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


# A money amount, as a JSON number or a decimal string ("1280.00"): 14 digits, 2 after the point.
Amount = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "maxLength": 16, "pattern": r"^\d{1,12}(\.\d{1,2})?$"},
            ]
        }
    ),
]


class QuoteDecisionIn(_In):
    """The customer's answer to the quote for chargeable work, as the office heard or received it."""

    decision: Literal["accepted", "declined"]
    answered_via: QuoteAnswerChannel
    answered_at: AwareDatetime | None = Field(default=None, description="When the customer answered (now)")
    quote_reference: str | None = Field(default=None, min_length=1, max_length=100)
    quoted_amount: Amount | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(
        default=None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$", description="ISO 4217 (CNY)"
    )
    note: str = Field(default="", max_length=2000)


class ComplaintIn(_In):
    customer_id: str = Field(min_length=1, max_length=100)
    ticket_id: str | None = Field(default=None, max_length=100)
    text: str = Field(min_length=1, max_length=10_000)


class ReplyIn(_In):
    reply: str = Field(min_length=1, max_length=10_000)


# ---- customer archive: requests ------------------------------------------------------------------
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
    region_class: Literal["city", "elsewhere"] | None = None  # SLA targets may differ (SPEC 2.2)


class ContractIn(_In):
    # A policy and calendar the SLA monitor has published (an unknown one is refused, never replaced);
    # none named: the default policy and 7x24, which always exist.
    policy_id: str = Field(default="default", min_length=1, max_length=200)
    calendar_id: str = Field(default="7x24", min_length=1, max_length=200)
    on_site_regions: list[Region] = Field(default_factory=list, max_length=100)
    remote_only_elsewhere: bool = True
    warranty_terms: str | None = Field(default=None, max_length=2000)
    paid_maintenance_until: date | None = None
    account_engineer_id: str | None = Field(default=None, max_length=200)
    sales_rep_id: str | None = Field(default=None, max_length=200)
    three_guarantees_variant: Literal["standard", "strict_monthly", "six_months_new_unit"] = "standard"
    starts_on: date
    ends_on: date | None = None
    consent_required_before_work: bool = False  # chargeable work waits for the customer's consent
    # IANA name (Asia/Shanghai, Asia/Urumqi, Europe/Berlin): report days are local dates there
    time_zone: str = Field(default="Asia/Shanghai", min_length=1, max_length=64)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (an IANA name such as Asia/Shanghai)") from None
        return value

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
    on_site_service_months: int | None = Field(default=None, ge=0, le=12 * 30)  # None: the warranty's
