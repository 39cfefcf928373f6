"""Repeated faults within warranty: when a unit is owed a replacement instead of one more repair.

SPEC 2.3. Windows are counted as the law counts them (`intake.domain.periods`): the day of the
repair or of the acceptance is not counted, a period in months ends on the corresponding day.

* Standard (seed 004: 整机一年内同一故障维修两次仍不能正常使用 ... 您可以选择整机更换或故障部件维修):
  the same ``fault_code`` already repaired twice, each repair within one year before the report, and
  failing again -> free replacement (same model or better) OR repair, at the customer's choice.
  Every contract has it; a variant adds to it and never takes it away.
* ``strict_monthly`` (seed 001: 同一硬件一個月內連續多次出現同一故障,我方將無償更換同一檔次機器): the
  same fault code again within one month of its repair -> free replacement (same grade).
* ``six_months_new_unit`` (seed 000: 验收期满后半年内,若产品使用过程中出现2次非人因造成故障的,我方提供
  全新产品给予更换): within 6 months of acceptance, any two faults not caused by people, whatever
  their fault codes -> a brand-new unit. A past fault counts on the day it was reported when that is
  known (else the day it was repaired); the report itself is the second fault.

Excluded causes (human damage, force majeure) never count: neither an earlier repair of such a
fault nor the fault being reported. An undiagnosed cause (``unknown``) is presumed not caused by
people, as it is for free repair. Repairs before the acceptance date do not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intake.domain.periods import last_day_after_months
from intake.domain.warranty_facts import (
    ContractTerms,
    FaultReport,
    PriorRepair,
    Remedy,
    UnitFacts,
    Variant,
)

STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT = 2
STANDARD_REPEAT_WINDOW_MONTHS = 12
STRICT_MONTHLY_WINDOW_MONTHS = 1
NEW_UNIT_WINDOW_MONTHS = 6
NEW_UNIT_FAULTS = 2  # counting the one being reported


@dataclass(frozen=True, kw_only=True)
class RepeatFinding:
    replacement: Remedy | None  # REPLACEMENT or NEW_UNIT when one is owed
    repair_offered: bool  # the customer may choose repair instead (the standard rule)
    reasons: tuple[str, ...]


NOTHING = RepeatFinding(replacement=None, repair_offered=True, reasons=())


def repeated_fault(
    *, unit: UnitFacts, terms: ContractTerms, fault: FaultReport, priors: Sequence[PriorRepair]
) -> RepeatFinding:
    """The replacement a repeated fault earns in warranty (rules in the module docstring)."""
    if fault.excluded:
        return NOTHING
    after_acceptance = [p for p in priors if unit.acceptance_date <= p.resolved_on <= fault.reported_on]
    counted = [p for p in after_acceptance if p.counts]
    reasons: list[str] = []
    ignored = len(after_acceptance) - len(counted)
    if ignored:
        reasons.append(
            f"{ignored} earlier repair(s) of damage by people or force majeure: not counted as repeats"
        )
    standard = _standard(fault, counted)
    strict = _strict_monthly(fault, counted) if terms.variant is Variant.STRICT_MONTHLY else None
    new_unit = _six_months(unit, fault, priors) if terms.variant is Variant.SIX_MONTHS_NEW_UNIT else None
    fired = [r for r in (new_unit, strict, standard) if r is not None]
    if not fired:
        return RepeatFinding(replacement=None, repair_offered=True, reasons=tuple(reasons))
    reasons.extend(fired)
    if standard is not None:
        reasons.append("the customer chooses the remedy: replacement or repair")
    return RepeatFinding(
        replacement=Remedy.NEW_UNIT if new_unit is not None else Remedy.REPLACEMENT,
        repair_offered=standard is not None,
        reasons=tuple(reasons),
    )


def _same_fault(fault: FaultReport, counted: Sequence[PriorRepair]) -> list[PriorRepair]:
    return [p for p in counted if fault.fault_code is not None and p.fault_code == fault.fault_code]


def _within(fault: FaultReport, repairs: Sequence[PriorRepair], months: int) -> list[PriorRepair]:
    return [p for p in repairs if fault.reported_on <= last_day_after_months(p.resolved_on, months)]


def _standard(fault: FaultReport, counted: Sequence[PriorRepair]) -> str | None:
    in_year = _within(fault, _same_fault(fault, counted), STANDARD_REPEAT_WINDOW_MONTHS)
    if len(in_year) < STANDARD_PRIOR_REPAIRS_FOR_REPLACEMENT:
        return None
    days = ", ".join(sorted(p.resolved_on.isoformat() for p in in_year))
    return (
        f"fault {fault.fault_code} already repaired {len(in_year)} times within one year ({days}) and "
        "failing again: free replacement with the same model or better, or repair"
    )


def _strict_monthly(fault: FaultReport, counted: Sequence[PriorRepair]) -> str | None:
    recent = _within(fault, _same_fault(fault, counted), STRICT_MONTHLY_WINDOW_MONTHS)
    if not recent:
        return None
    last = max(p.resolved_on for p in recent)
    return (
        f"fault {fault.fault_code} recurred within one month of its repair on {last.isoformat()} "
        "(strict_monthly contract): free replacement with a unit of the same grade"
    )


def _six_months(unit: UnitFacts, fault: FaultReport, priors: Sequence[PriorRepair]) -> str | None:
    window_ends = last_day_after_months(unit.acceptance_date, NEW_UNIT_WINDOW_MONTHS)
    if fault.reported_on > window_ends:
        return None
    earlier = [
        p
        for p in priors
        if p.counts and unit.acceptance_date <= p.fault_day <= min(fault.reported_on, window_ends)
    ]
    faults = len(earlier) + 1
    if faults < NEW_UNIT_FAULTS:
        return None
    return (
        f"{faults} faults not caused by people within 6 months of acceptance (through "
        f"{window_ends.isoformat()}; six_months_new_unit contract): a brand-new unit"
    )
