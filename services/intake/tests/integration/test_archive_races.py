"""Two registrations of one serial number at the same instant: one unit, and the other a 409 problem
naming `serial_number` (the handlers' check cannot see an uncommitted twin; the unique index can)."""

import asyncio


def _unit(customer, serial):
    return {
        "site_id": customer["site"],
        "model": "EL-5000",
        "serial_number": serial,
        "product_line": "elevator",
        "accepted_on": "2026-01-10",
        "warranty_months": 24,
    }


async def test_concurrent_registrations_of_one_serial_number_one_wins_the_other_is_a_409(
    intake, customer, admin
):
    path = f"/customers/{customer['company']}/units"
    for attempt in range(5):  # several races: each must end with one unit and one conflict
        serial = f"SN-RACE-{attempt}"
        first, second = await asyncio.gather(
            intake.post(path, json=_unit(customer, serial), headers=admin),
            intake.post(path, json=_unit(customer, serial), headers=admin),
        )
        statuses = sorted((first.status_code, second.status_code))
        assert statuses == [201, 409], (first.text, second.text)
        loser = first if first.status_code == 409 else second
        assert loser.headers["content-type"] == "application/problem+json"
        assert loser.json()["field"] == "serial_number"
        found = await intake.get("/lookup", params={"serial": serial}, headers=admin)
        winner = (first if first.status_code == 201 else second).json()["id"]
        assert found.json()["matches"][0]["matched_unit"]["id"] == winner


async def test_concurrent_changes_to_one_serial_number_one_wins_the_other_is_a_409(intake, customer, admin):
    path = f"/customers/{customer['company']}/units"
    created = [await intake.post(path, json=_unit(customer, f"SN-MOVE-{n}"), headers=admin) for n in (1, 2)]
    ids = [response.json()["id"] for response in created]
    first, second = await asyncio.gather(
        *(intake.put(f"{path}/{unit_id}", json=_unit(customer, "SN-MOVED"), headers=admin) for unit_id in ids)
    )
    assert sorted((first.status_code, second.status_code)) == [204, 409], (first.text, second.text)
    loser = first if first.status_code == 409 else second
    assert loser.json()["field"] == "serial_number"
