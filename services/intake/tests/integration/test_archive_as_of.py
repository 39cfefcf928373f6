"""A customer's record `as_of` an instant lists its units and contracts as they stood then: those
removed or withdrawn since are there, those added since are not (the streams say, not today's rows)."""

import asyncio
from datetime import UTC, datetime


def _contract(starts_on):
    return {"policy_id": "default", "calendar_id": "7x24", "starts_on": starts_on}


def _unit(customer, serial):
    return {
        "site_id": customer["site"],
        "model": "EL-5000",
        "serial_number": serial,
        "product_line": "elevator",
        "accepted_on": "2026-01-10",
        "warranty_months": 24,
    }


async def _instant():
    await asyncio.sleep(0.05)
    at = datetime.now(UTC)
    await asyncio.sleep(0.05)
    return at


async def test_as_of_lists_units_and_contracts_removed_since_and_not_those_added_since(
    intake, customer, admin
):
    company = customer["company"]
    base = f"/customers/{company}"

    async def created(kind, body):
        response = await intake.post(f"{base}/{kind}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    spare_contract = await created("contracts", _contract("2025-01-01"))
    before = await _instant()
    for kind, row_id in (("units", customer["old_unit"]), ("contracts", spare_contract)):
        removed = await intake.delete(f"{base}/{kind}/{row_id}", headers=admin)
        assert removed.status_code == 204, removed.text
    new_unit = await created("units", _unit(customer, "SN-LATER"))
    new_contract = await created("contracts", _contract("2026-03-01"))

    then = await intake.get(base, params={"as_of": before.isoformat()}, headers=admin)
    assert then.status_code == 200, then.text
    assert {u["id"] for u in then.json()["units"]} == {customer["unit"], customer["old_unit"]}
    assert {k["id"] for k in then.json()["contracts"]} == {customer["contract"], spare_contract}
    old = next(u for u in then.json()["units"] if u["id"] == customer["old_unit"])
    assert old["serial_number"] == "SN-OLD" and old["warranty"]["in_warranty"] is False

    now = (await intake.get(base, headers=admin)).json()
    assert {u["id"] for u in now["units"]} == {customer["unit"], new_unit}
    assert {k["id"] for k in now["contracts"]} == {customer["contract"], new_contract}
    latest = (await intake.get(base, params={"as_of": datetime.now(UTC).isoformat()}, headers=admin)).json()
    assert {u["id"] for u in latest["units"]} == {u["id"] for u in now["units"]}
    assert {k["id"] for k in latest["contracts"]} == {k["id"] for k in now["contracts"]}
