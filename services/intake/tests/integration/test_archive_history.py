"""The customer archive as events (issue 13): a contract change leaves the old terms in its stream,
`as_of` reads them, and a ticket reported before the change is assessed against them."""

import asyncio
from datetime import UTC, datetime, timedelta

CONTRACT_CHANGE = {
    "policy_id": "seed-003",
    "calendar_id": "7x24",
    "on_site_regions": ["SH"],
    "starts_on": "2024-01-01",
    "account_engineer_id": "tech-1",
    "sales_rep_id": "sales-9",
    "consent_required_before_work": True,  # chargeable work now waits for the customer's consent
    "three_guarantees_variant": "six_months_new_unit",
}


def _ticket(customer, **changes):
    body = {
        "customer_id": customer["company"],
        "channel": "phone",
        "severity": "P3",
        "description": "门机异响 door noise",
        "unit_id": customer["old_unit"],  # out of warranty: the work is chargeable
        "caller": {"name": "王经理", "phone": "13800138000"},
    }
    return {**body, **changes}


async def _assessed(intake, admin, ticket_id):
    events = (await intake.get(f"/tickets/{ticket_id}/events", headers=admin)).json()["events"]
    return [e["data"] for e in events if e["type"] == "EntitlementAssessed"]


async def test_a_contract_change_is_in_its_stream_and_as_of_and_old_tickets_keep_the_old_terms(
    intake, customer, gateway, admin
):
    company, contract_id, unit_id = customer["company"], customer["contract"], customer["old_unit"]
    before_ticket = await intake.post("/tickets", json=_ticket(customer), headers=gateway)
    assert before_ticket.status_code == 201, before_ticket.text
    old_id = before_ticket.json()["ticket_id"]
    await asyncio.sleep(0.05)
    between = datetime.now(UTC)
    await asyncio.sleep(0.05)

    changed = await intake.put(
        f"/customers/{company}/contracts/{contract_id}", json=CONTRACT_CHANGE, headers=admin
    )
    assert changed.status_code == 204, changed.text

    history = (await intake.get(f"/contracts/{contract_id}/events", headers=admin)).json()
    assert [e["type"] for e in history["events"]] == ["ContractSigned", "ContractChanged"]
    assert history["events"][1]["data"]["consent_required_before_work"] is True
    assert history["events"][1]["data"]["contract_id"] == contract_id
    assert history["events"][1]["actor"] is not None

    then = (
        await intake.get(f"/units/{unit_id}", params={"as_of": between.isoformat()}, headers=admin)
    ).json()
    now = (await intake.get(f"/units/{unit_id}", headers=admin)).json()
    assert then["contract"]["consent_required_before_work"] is False
    assert then["contract"]["three_guarantees_variant"] == "standard"
    assert now["contract"]["consent_required_before_work"] is True
    assert now["contract"]["three_guarantees_variant"] == "six_months_new_unit"
    assert then["serial_number"] == now["serial_number"] == "SN-OLD"
    old_contract = await intake.get(
        f"/contracts/{contract_id}", params={"as_of": between.isoformat()}, headers=admin
    )
    assert old_contract.json()["consent_required_before_work"] is False
    record_then = await intake.get(
        f"/customers/{company}", params={"as_of": between.isoformat()}, headers=admin
    )
    assert record_then.status_code == 200, record_then.text
    assert [k["consent_required_before_work"] for k in record_then.json()["contracts"]] == [False]
    assert {u["id"] for u in record_then.json()["units"]} == {customer["unit"], unit_id}

    after_ticket = await intake.post("/tickets", json=_ticket(customer), headers=gateway)
    assert (await _assessed(intake, admin, after_ticket.json()["ticket_id"]))[-1]["awaits_consent"] is True
    reported_before = _ticket(customer, reported_at=between.isoformat())
    late_report = await intake.post("/tickets", json=reported_before, headers=gateway)
    assert (await _assessed(intake, admin, late_report.json()["ticket_id"]))[-1]["awaits_consent"] is False

    reassessed = await intake.post(f"/tickets/{old_id}/entitlement", json={}, headers=admin)
    assert reassessed.status_code == 200, reassessed.text
    assessments = await _assessed(intake, admin, old_id)
    assert len(assessments) == 2
    assert [a["awaits_consent"] for a in assessments] == [False, False]  # the old terms, both times
    assert all(a["quote_before_work"] for a in assessments)


async def test_as_of_before_a_record_existed_and_unknown_records_are_404(intake, customer, admin):
    long_ago = (datetime.now(UTC) - timedelta(days=3650)).isoformat()
    for path in (
        f"/units/{customer['unit']}",
        f"/contracts/{customer['contract']}",
        f"/customers/{customer['company']}",
    ):
        response = await intake.get(path, params={"as_of": long_ago}, headers=admin)
        assert response.status_code == 404, (path, response.text)
    for path in ("/units/U-404", "/contracts/K-404", "/units/U-404/events", "/customers/C-404/events"):
        response = await intake.get(path, headers=admin)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
    naive = await intake.get(
        f"/units/{customer['unit']}", params={"as_of": "2026-01-01T00:00:00"}, headers=admin
    )
    assert naive.status_code == 422 and naive.json()["field"] == "as_of"
    customer_history = (await intake.get(f"/customers/{customer['company']}/events", headers=admin)).json()
    assert [e["type"] for e in customer_history["events"]] == [
        "CustomerRegistered",
        "ContactAdded",
        "SiteAdded",
    ]
    unit_history = (await intake.get(f"/units/{customer['unit']}/events", headers=admin)).json()
    assert [e["type"] for e in unit_history["events"]] == ["UnitRegistered"]
    assert unit_history["events"][0]["data"]["serial_number"] == "SN-0001"
