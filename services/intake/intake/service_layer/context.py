"""Archive rows as the entitlement rules see them (the rows themselves come from adapters.archive)."""

from __future__ import annotations

from typing import Any

from intake.domain.entitlement import ContractTerms, UnitFacts, Variant
from intake.domain.periods import DEFAULT_TIMEZONE


def unit_facts(unit: dict[str, Any]) -> UnitFacts:
    return UnitFacts(
        acceptance_date=unit["accepted_on"],
        warranty_months=unit["warranty_months"],
        days_out_of_service=unit.get("days_out_of_service") or 0,
        purchase_date=unit.get("purchased_on"),
        on_site_service_months=unit.get("on_site_service_months"),
    )


def contract_terms(contract: dict[str, Any] | None) -> ContractTerms:
    if contract is None:
        return ContractTerms()
    return ContractTerms(
        variant=Variant(contract["three_guarantees_variant"]),
        paid_maintenance_until=contract["paid_maintenance_until"],
        timezone=contract.get("time_zone") or DEFAULT_TIMEZONE,
        consent_required_before_work=bool(contract.get("consent_required_before_work")),
    )
