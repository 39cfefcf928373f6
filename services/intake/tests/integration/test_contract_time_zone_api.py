"""A contract's time zone on the real service: saved, shown, refused when unknown, and the day a
ticket's report instant falls on is counted in it."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

# 16:30 UTC on 15 January 2026, the last covered day of a 24-month warranty accepted 15 January 2024:
# 00:30 on the 16th in Shanghai (out of warranty), 22:30 on the 15th in Urumqi (still covered).
REPORTED_AT = "2026-01-15T16:30:00Z"


def _contract(**changes):
    return {"policy_id": "default", "calendar_id": "7x24", "starts_on": "2024-01-01", **changes}


async def _unit_under(intake, admin, customer, contract_id, serial):
    body = {
        "site_id": customer["site"],
        "contract_id": contract_id,
        "model": "EL-3000",
        "serial_number": serial,
        "product_line": "elevator",
        "accepted_on": "2024-01-15",
        "warranty_months": 24,
    }
    response = await intake.post(f"/customers/{customer['company']}/units", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_a_report_at_a_day_boundary_is_dated_in_the_contracts_zone(intake, customer, admin, gateway):
    company = customer["company"]
    assessed = {}
    for zone, serial in (("Asia/Urumqi", "SN-URUMQI"), (None, "SN-SHANGHAI")):
        body = _contract() if zone is None else _contract(time_zone=zone)
        saved = await intake.post(f"/customers/{company}/contracts", json=body, headers=admin)
        assert saved.status_code == 201, saved.text
        contract_id = saved.json()["id"]
        shown = (await intake.get(f"/contracts/{contract_id}", headers=admin)).json()
        assert shown["time_zone"] == (zone or "Asia/Shanghai")
        history = (await intake.get(f"/contracts/{contract_id}/events", headers=admin)).json()["events"]
        assert history[0]["data"]["time_zone"] == (zone or "Asia/Shanghai")
        unit_id = await _unit_under(intake, admin, customer, contract_id, serial)
        ticket = {
            "customer_id": company,
            "channel": "phone",
            "severity": "P3",
            "description": "门机异响 door noise",
            "unit_id": unit_id,
            "caller": {"name": "王经理", "phone": "13800138000"},
            "reported_at": REPORTED_AT,
        }
        opened = await intake.post("/tickets", json=ticket, headers=gateway)
        assert opened.status_code == 201, opened.text
        assessed[zone or "Asia/Shanghai"] = opened.json()["entitlement"]
    assert assessed["Asia/Urumqi"]["in_warranty"] is True
    assert assessed["Asia/Shanghai"]["in_warranty"] is False
    assert assessed["Asia/Urumqi"]["warranty_ends_on"] == assessed["Asia/Shanghai"]["warranty_ends_on"]


async def test_a_contract_change_can_move_its_zone(intake, customer, admin):
    company, contract_id = customer["company"], customer["contract"]
    body = _contract(policy_id="seed-003", on_site_regions=["SH"], time_zone="Europe/Berlin")
    changed = await intake.put(f"/customers/{company}/contracts/{contract_id}", json=body, headers=admin)
    assert changed.status_code == 204, changed.text
    record = (await intake.get(f"/customers/{company}", headers=admin)).json()
    assert [k["time_zone"] for k in record["contracts"]] == ["Europe/Berlin"]
    history = (await intake.get(f"/contracts/{contract_id}/events", headers=admin)).json()["events"]
    assert [e["data"]["time_zone"] for e in history] == ["Asia/Shanghai", "Europe/Berlin"]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Beijing", "../etc/passwd", "", "A" * 65])
async def test_an_unknown_or_overlong_zone_is_a_422_naming_the_field(intake, customer, admin, zone):
    company = customer["company"]
    response = await intake.post(
        f"/customers/{company}/contracts", json=_contract(time_zone=zone), headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "time_zone"
    record = (await intake.get(f"/customers/{company}", headers=admin)).json()
    assert len(record["contracts"]) == 1  # nothing saved


async def test_the_days_out_of_service_are_dated_in_the_contracts_zone(
    intake, customer, admin, gateway, database_url
):
    """The outage a ticket opens starts on the report's local day in the unit's contract's zone, the
    same day its entitlement counts (16:30 UTC: the 15th in Urumqi, the 16th in Shanghai)."""
    company = customer["company"]
    tickets = {}
    for zone, serial in (("Asia/Urumqi", "SN-OOS-URUMQI"), (None, "SN-OOS-SHANGHAI")):
        body = _contract() if zone is None else _contract(time_zone=zone)
        saved = await intake.post(f"/customers/{company}/contracts", json=body, headers=admin)
        assert saved.status_code == 201, saved.text
        unit_id = await _unit_under(intake, admin, customer, saved.json()["id"], serial)
        ticket = {
            "customer_id": company,
            "channel": "phone",
            "severity": "P3",
            "description": "门机异响 door noise",
            "unit_id": unit_id,
            "caller": {"name": "王经理", "phone": "13800138000"},
            "reported_at": REPORTED_AT,
        }
        opened = await intake.post("/tickets", json=ticket, headers=gateway)
        assert opened.status_code == 201, opened.text
        tickets[zone or "Asia/Shanghai"] = opened.json()["ticket_id"]
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            started = {
                zone: (
                    await conn.execute(
                        text("SELECT started_on FROM unit_outages WHERE ticket_id = :t"), {"t": ticket_id}
                    )
                ).scalar_one()
                for zone, ticket_id in tickets.items()
            }
    finally:
        await engine.dispose()
    assert {zone: day.isoformat() for zone, day in started.items()} == {
        "Asia/Urumqi": "2026-01-15",
        "Asia/Shanghai": "2026-01-16",
    }
