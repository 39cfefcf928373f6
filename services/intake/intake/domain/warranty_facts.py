"""What an entitlement is decided from: the unit, the contract's terms, the report and past repairs.

Plain frozen dataclasses and vocabularies, kept apart from the rules (`entitlement`,
`repeat_faults`, `charges`) so each rule module can read them without importing the others.
`intake.domain.entitlement` re-exports every name here: callers import from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from intake.domain.periods import DEFAULT_TIMEZONE, local_date


class Cause(StrEnum):
    PERFORMANCE_FAULT = "performance_fault"
    HUMAN_DAMAGE = "human_damage"
    FORCE_MAJEURE = "force_majeure"  # fire, lightning (seed 001: 火災、雷擊)
    UNKNOWN = "unknown"  # not yet diagnosed: presumed not caused by people until shown otherwise


class Remedy(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    REPLACEMENT = "replacement"  # same model or better (seed 004), same grade (seed 001)
    NEW_UNIT = "new_unit"  # a brand-new unit (seed 000: 全新产品)
    PAID_REPAIR = "paid_repair"


class Variant(StrEnum):
    """The contract's repeated-fault rule on top of the standard one (SPEC 2.3)."""

    STANDARD = "standard"  # seed 004: same fault repaired twice within one year -> customer's choice
    STRICT_MONTHLY = "strict_monthly"  # seed 001: same fault again within one month -> replacement
    SIX_MONTHS_NEW_UNIT = "six_months_new_unit"  # seed 000: any two faults in 6 months -> new unit


EXCLUDED_CAUSES = frozenset({Cause.HUMAN_DAMAGE, Cause.FORCE_MAJEURE})


@dataclass(frozen=True, kw_only=True)
class UnitFacts:
    acceptance_date: date
    warranty_months: int
    days_out_of_service: int = 0
    purchase_date: date | None = None
    # Free on-site service, per equipment like the warranty (seed 004: 15-year warranty, 5 years
    # on site); None: on-site service lasts as long as the warranty.
    on_site_service_months: int | None = None


@dataclass(frozen=True, kw_only=True)
class ContractTerms:
    variant: Variant = Variant.STANDARD
    paid_maintenance_until: date | None = None
    timezone: str = DEFAULT_TIMEZONE  # the contract's; report days are local dates there
    # Chargeable work waits for the customer's consent to the quote (seed 001: 用戶同意后執行).
    consent_required_before_work: bool = False


@dataclass(frozen=True, kw_only=True)
class PriorRepair:
    fault_code: str
    resolved_on: date
    cause: Cause = Cause.PERFORMANCE_FAULT  # an excluded cause never counts towards a repeat
    reported_on: date | None = None  # the fault's day when known (else the repair's day)

    @property
    def counts(self) -> bool:
        """Whether this repair may count towards a repeated-fault remedy at all."""
        return self.cause not in EXCLUDED_CAUSES

    @property
    def fault_day(self) -> date:
        return self.reported_on or self.resolved_on


@dataclass(frozen=True, kw_only=True)
class FaultReport:
    reported_on: date  # the local date in the contract's time zone (see `at`)
    fault_code: str | None = None
    cause: Cause = Cause.PERFORMANCE_FAULT

    @classmethod
    def at(
        cls,
        reported_at: datetime,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        fault_code: str | None = None,
        cause: Cause = Cause.PERFORMANCE_FAULT,
    ) -> FaultReport:
        """A report made at the instant ``reported_at``, dated in the contract's ``timezone``."""
        return cls(reported_on=local_date(reported_at, timezone), fault_code=fault_code, cause=cause)

    @property
    def excluded(self) -> bool:
        return self.cause in EXCLUDED_CAUSES
