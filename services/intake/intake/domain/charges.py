"""What the customer pays for a fault report, whether on-site service is free, and whether work waits.

SPEC 2.3, seeds 000, 001 and 004:

* In warranty (cause not excluded): parts, labour and travel are free while the unit's free on-site
  service term runs. A unit may have a shorter on-site term than its warranty (seed 004: 15-year
  warranty, 5 years on site): after it the unit is still in warranty (parts and labour free) but
  travel is chargeable, unless paid maintenance covers the report day.
* Out of warranty: parts at cost; labour and travel too, unless paid maintenance covers the report
  day (a contract that is "free for life" says so with a far paid-maintenance date).
* Human damage and force majeure: everything chargeable, in warranty or not (paid maintenance
  covers upkeep, not damage).
* Anything chargeable: the customer is told the cost before work starts (a quote). Where the
  contract requires the customer's consent (seed 001: 所發生的費用我公司將會事先通知用戶,用戶同意后執行),
  chargeable work waits for it: `awaits_consent`. Dispatch holds the visit until the consent event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.domain.warranty_facts import ContractTerms, FaultReport


@dataclass(frozen=True, kw_only=True)
class Charges:
    parts: bool
    labour: bool
    travel: bool

    @property
    def any(self) -> bool:
        return self.parts or self.labour or self.travel


FREE = Charges(parts=False, labour=False, travel=False)
ALL_CHARGEABLE = Charges(parts=True, labour=True, travel=True)


@dataclass(frozen=True, kw_only=True)
class ChargeDecision:
    charges: Charges
    on_site_service_covered: bool  # the warranty's free on-site term covers the report day
    quote_before_work: bool
    awaits_consent: bool
    reasons: tuple[str, ...]


def decide_charges(
    *,
    fault: FaultReport,
    terms: ContractTerms,
    in_warranty: bool,
    warranty_ends_on: date,
    on_site_service_ends_on: date | None,
) -> ChargeDecision:
    """Charges for ``fault`` (rules in the module docstring), each decision with its reason.

    ``on_site_service_ends_on`` is the last day of the unit's free on-site term, None when that term
    lasts as long as the warranty.
    """
    day = fault.reported_on
    on_site_covered = in_warranty and (on_site_service_ends_on is None or day <= on_site_service_ends_on)
    maintained_until = terms.paid_maintenance_until
    maintained = maintained_until is not None and maintained_until >= day
    reasons: list[str] = []
    if fault.excluded:
        charges = ALL_CHARGEABLE
        reasons.append(f"cause {fault.cause.value} is excluded from free service: all chargeable")
    elif in_warranty and on_site_covered:
        charges = FREE
        reasons.append(f"in warranty until {warranty_ends_on.isoformat()}: parts, labour and travel free")
    elif in_warranty:
        charges = Charges(parts=False, labour=False, travel=not maintained)
        travel = (
            f"travel covered by paid maintenance until {maintained_until}"
            if maintained
            else "travel chargeable as the contract says"
        )
        reasons.append(
            f"in warranty until {warranty_ends_on.isoformat()}: parts and labour free; "
            f"free on-site service ended {on_site_service_ends_on}: {travel}"
        )
    else:
        charges = ALL_CHARGEABLE
        reasons.append(f"out of warranty (ended {warranty_ends_on.isoformat()}): paid repair, parts at cost")
        if maintained:
            reasons.append(f"paid maintenance until {maintained_until} covers labour and travel")
            charges = Charges(parts=True, labour=False, travel=False)
    quote = charges.any
    if quote:
        reasons.append("chargeable work: quote before work")
    awaits_consent = quote and terms.consent_required_before_work
    if awaits_consent:
        reasons.append("the contract requires the customer's consent to the quote: chargeable work waits")
    return ChargeDecision(
        charges=charges,
        on_site_service_covered=on_site_covered,
        quote_before_work=quote,
        awaits_consent=awaits_consent,
        reasons=tuple(reasons),
    )
