"""The archive's aggregates: recorded, replayed from their own stream, read as of an instant."""

from datetime import UTC, date, datetime, timedelta

import pytest
from intake.domain import archive_events as e
from intake.domain.archive import Contract, Customer, Unit
from intake.domain.errors import ArchiveError

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
TERMS = {
    "policy_id": "seed-003",
    "calendar_id": "cn-office",
    "on_site_regions": ["SH"],
    "remote_only_elsewhere": True,
    "three_guarantees_variant": "standard",
    "starts_on": date(2024, 1, 1),
}
UNIT = {
    "site_id": "S-1",
    "contract_id": "K-1",
    "model": "EL-3000",
    "serial_number": "SN-1",
    "product_line": "elevator",
    "quantity": 1,
    "accepted_on": date(2025, 6, 1),
    "warranty_months": 180,
    "on_site_service_months": 60,
}


def test_a_customer_keeps_its_contacts_and_sites_and_replays_to_the_same_state():
    customer = Customer.register("C-1", "Pearl", T0)
    customer.add_contact("P-1", {"name": "Wang", "phone": "+8613800138000", "is_main": True}, T0)
    customer.add_site("S-1", {"address": "1 Pudong", "city": "Shanghai", "region": "SH"}, T0)
    customer.change_contact("P-1", {"name": "Wang Wei", "phone": "+8613800138000"}, T0)
    customer.rename("Pearl Lifts", T0)
    customer.remove_site("S-1", T0)
    events = customer.collect_events()
    assert [type(x).__name__ for x in events] == [
        "CustomerRegistered",
        "ContactAdded",
        "SiteAdded",
        "ContactChanged",
        "CustomerRenamed",
        "SiteRemoved",
    ]
    assert all(x.customer_id == "C-1" for x in events)
    again = Customer.replay(events)
    assert (again.name, again.version, again.sites) == ("Pearl Lifts", 6, {})
    assert again.contacts["P-1"]["name"] == "Wang Wei"
    assert again.contacts["P-1"]["is_main"] is False  # a change carries the whole new contact


def test_a_customer_refuses_to_change_or_remove_what_it_does_not_have():
    customer = Customer.register("C-1", "Pearl", T0)
    for attempt in (
        lambda: customer.change_contact("P-9", {"name": "x", "phone": "+8613800138000"}, T0),
        lambda: customer.remove_contact("P-9", T0),
        lambda: customer.change_site("S-9", {"address": "a", "city": "b", "region": "c"}, T0),
        lambda: customer.remove_site("S-9", T0),
    ):
        with pytest.raises(ArchiveError) as refused:
            attempt()
        assert (refused.value.status, refused.value.field) == (404, "id")
    assert customer.version == 1  # nothing recorded by a refusal


def test_a_contract_change_keeps_the_old_terms_in_the_stream():
    contract = Contract.sign("K-1", "C-1", TERMS, T0)
    later = T0 + timedelta(days=30)
    contract.change({**TERMS, "consent_required_before_work": True}, later)
    events = contract.collect_events()
    assert [type(x) for x in events] == [e.ContractSigned, e.ContractChanged]
    assert events[0].on_site_regions == ("SH",) and events[0].consent_required_before_work is False
    as_then = Contract.replay(x for x in events if x.occurred_at <= T0 + timedelta(days=1))
    now = Contract.replay(events)
    assert as_then.state["consent_required_before_work"] is False
    assert now.state["consent_required_before_work"] is True
    assert now.belongs_to("C-1") and not now.belongs_to("C-2")


def test_a_unit_registered_changed_and_removed():
    unit = Unit.register("U-1", "C-1", UNIT, T0)
    unit.change({**UNIT, "warranty_months": 24}, T0)
    unit.remove(T0)
    events = unit.collect_events()
    assert [type(x) for x in events] == [e.UnitRegistered, e.UnitChanged, e.UnitRemoved]
    assert events[0].on_site_service_months == 60 and events[0].unit_id == "U-1"
    replayed = Unit.replay(events[:2])
    assert (replayed.record_id, replayed.customer_id, replayed.state["warranty_months"]) == ("U-1", "C-1", 24)
    gone = Unit.replay(events)
    assert gone.removed and not gone.belongs_to("C-1")


def test_an_aggregate_refuses_an_event_of_another_stream():
    with pytest.raises(NotImplementedError):
        Unit.replay(
            [
                e.ContractSigned(
                    contract_id="K-1",
                    customer_id="C-1",
                    occurred_at=T0,
                    **{**TERMS, "on_site_regions": ("SH",)},
                )
            ]
        )
