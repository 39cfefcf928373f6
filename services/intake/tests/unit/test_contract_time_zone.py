"""A time zone per contract (SPEC 2.3/2.4): its events carry it, old events replay as Asia/Shanghai,
an unknown zone is refused, and a report instant is dated in the contract's zone."""

from datetime import UTC, date, datetime

import pytest
from intake.bootstrap import build_registry
from intake.domain import archive_events as e
from intake.domain.archive import Contract
from intake.domain.entitlement import ContractTerms, FaultReport, UnitFacts, assess
from intake.domain.errors import ArchiveError
from intake.domain.periods import is_time_zone
from intake.service_layer.context import contract_terms

from shared.calendars.china import china_calendar

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TERMS = {
    "policy_id": "default",
    "calendar_id": "7x24",
    "on_site_regions": ["SH"],
    "remote_only_elsewhere": True,
    "three_guarantees_variant": "standard",
    "starts_on": date(2024, 1, 1),
}
# Accepted 15 January 2024, 24 months: the last covered day is Thursday 15 January 2026 (a working day).
UNIT = UnitFacts(acceptance_date=date(2024, 1, 15), warranty_months=24)
# 16:30 UTC on 15 January: already 00:30 on the 16th in Shanghai, still the 15th in Urumqi and Berlin.
REPORTED = datetime(2026, 1, 15, 16, 30, tzinfo=UTC)


def _in_warranty(zone: str) -> bool:
    terms = ContractTerms(timezone=zone)
    report = FaultReport.at(REPORTED, timezone=terms.timezone, fault_code="E1")
    entitlement = assess(unit=UNIT, terms=terms, fault=report, prior_repairs=(), calendar=china_calendar())
    assert entitlement.warranty_ends_on == date(2026, 1, 15)
    return entitlement.in_warranty


@pytest.mark.parametrize(
    ("zone", "local_day", "covered"),
    [
        ("Asia/Shanghai", date(2026, 1, 16), False),
        ("Asia/Urumqi", date(2026, 1, 15), True),
        ("Europe/Berlin", date(2026, 1, 15), True),
    ],
)
def test_a_report_instant_is_dated_in_the_contracts_zone_at_a_day_boundary(zone, local_day, covered):
    assert FaultReport.at(REPORTED, timezone=zone).reported_on == local_day
    assert _in_warranty(zone) is covered


def test_the_contract_row_names_the_zone_the_entitlement_uses():
    assert contract_terms({**TERMS, "paid_maintenance_until": None, "time_zone": "Asia/Urumqi"}).timezone == (
        "Asia/Urumqi"
    )
    assert contract_terms({**TERMS, "paid_maintenance_until": None}).timezone == "Asia/Shanghai"
    assert contract_terms(None).timezone == "Asia/Shanghai"


def test_signing_and_changing_carry_the_zone_and_default_to_shanghai():
    contract = Contract.sign("K-1", "C-1", {**TERMS, "time_zone": "Asia/Urumqi"}, T0)
    assert contract.state["time_zone"] == "Asia/Urumqi"
    contract.change({**TERMS, "time_zone": "Europe/Berlin"}, T0)
    assert contract.state["time_zone"] == "Europe/Berlin"
    assert [type(event) for event in contract.collect_events()] == [e.ContractSigned, e.ContractChanged]
    assert Contract.sign("K-2", "C-1", TERMS, T0).state["time_zone"] == "Asia/Shanghai"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Beijing", "../../etc/passwd", ""])
def test_an_unknown_zone_is_refused_naming_the_field(zone):
    assert not is_time_zone(zone)
    with pytest.raises(ArchiveError) as refused:
        Contract.sign("K-1", "C-1", {**TERMS, "time_zone": zone}, T0)
    assert (refused.value.status, refused.value.field) == (422, "time_zone")
    contract = Contract.sign("K-1", "C-1", TERMS, T0)
    with pytest.raises(ArchiveError):
        contract.change({**TERMS, "time_zone": zone}, T0)


def test_events_recorded_before_the_zone_existed_replay_as_shanghai():
    registry = build_registry()
    old = {
        "contract_id": "K-1",
        "customer_id": "C-1",
        "occurred_at": "2025-01-01T00:00:00+00:00",
        **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in TERMS.items()},
    }
    signed = registry.load("ContractSigned", old, 1)
    changed = registry.load("ContractChanged", {**old, "time_zone": "Asia/Urumqi"}, 1)
    assert signed.time_zone == "Asia/Shanghai"
    assert Contract.replay([signed, changed]).state["time_zone"] == "Asia/Urumqi"
    assert registry.version_of("ContractChanged") == 1  # an added optional field: same schema version
