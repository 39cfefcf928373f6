"""Days out of service extend the warranty: from the ticket's events and the field job's (issue 13)."""

from datetime import UTC, date, datetime, timedelta

from shared.testing.waiting import envelopes, publish, read_topic, wait_until

TICKETS_TOPIC = "servicepact.tickets.v1"


SERIAL = "SN-OOS-1"


def _body(customer, unit_id, reported_at):
    return {
        "customer_id": customer["company"],
        "channel": "phone",
        "severity": "P2",
        "description": "电梯困人 elevator stuck",
        "unit_id": unit_id,
        "caller": {"name": "王经理", "phone": "13800138000"},
        "reported_at": reported_at.isoformat(),
    }


async def _unit_in_lookup(intake, admin, serial=SERIAL):
    response = await intake.get("/lookup", params={"serial": serial}, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["matches"][0]["matched_unit"]


async def test_a_unit_repaired_twice_has_its_warranty_moved_by_its_twelve_days_out_of_service(
    intake, customer, gateway, admin, bootstrap_servers, topic_prefix
):
    # Accepted 3 March 2025 for 24 months: covered through Wednesday 3 March 2027, a working day,
    # as is Monday 15 March 2027, twelve days later.
    added = await intake.post(
        f"/customers/{customer['company']}/units",
        json={
            "site_id": customer["site"],
            "contract_id": customer["contract"],
            "model": "EL-3000",
            "serial_number": SERIAL,
            "product_line": "elevator",
            "accepted_on": "2025-03-03",
            "warranty_months": 24,
        },
        headers=admin,
    )
    unit_id = added.json()["id"]
    before = await _unit_in_lookup(intake, admin)
    assert before["warranty"]["days_out_of_service"] == 0
    assert before["warranty"]["extension_reasons"] == []
    ends_before = date.fromisoformat(before["warranty"]["ends_on"])
    assert ends_before == date(2027, 3, 3)
    now = datetime.now(UTC)  # reports 12 and 3 days before now: 12 and 3 local days before today

    # A ticket's history never runs backwards, so both repairs end today: the first was reported 12
    # days ago and waited for parts (the field job's events), the second 3 days ago, during the first
    # one's outage. Out of service 12 days in total: the overlapping days count once, not twice.
    first = await intake.post(
        "/tickets", json=_body(customer, unit_id, now - timedelta(days=12)), headers=gateway
    )
    assert first.status_code == 201, first.text
    first_id = first.json()["ticket_id"]
    dispatch_topic = f"{topic_prefix}servicepact.dispatch.v1"
    for type_, extra, days_ago in (
        ("PartsRequested", {"parts": ["door motor"]}, 10),
        ("WorkResolved", {"fix": "motor replaced", "fault_code": "DOOR-1"}, 0),
    ):
        await publish(
            bootstrap_servers,
            dispatch_topic,
            type_=type_,
            subject=first_id,
            data={
                "ticket_id": first_id,
                "technician_id": "tech-7",
                "occurred_at": (now - timedelta(days=days_ago)).isoformat(),
                **extra,
            },
        )

    async def first_counted():
        return (await _unit_in_lookup(intake, admin))["warranty"]["days_out_of_service"] == 12

    await wait_until(first_counted)

    second = await intake.post(
        "/tickets", json=_body(customer, unit_id, now - timedelta(days=3)), headers=gateway
    )
    second_id = second.json()["ticket_id"]
    resolved = await intake.post(
        f"/tickets/{second_id}/resolve", json={"resolution": "controller reset"}, headers=admin
    )
    assert resolved.status_code == 200, resolved.text

    unit = await _unit_in_lookup(intake, admin)
    warranty = unit["warranty"]
    assert warranty["days_out_of_service"] == 12
    assert date.fromisoformat(warranty["ends_on"]) == ends_before + timedelta(days=12) == date(2027, 3, 15)
    assert len(warranty["extension_reasons"]) == 3
    assert warranty["extension_reasons"][-1] == "overlapping days counted once: 12 days in all"
    assert "waiting for parts" in warranty["extension_reasons"][0]
    assert first_id in warranty["extension_reasons"][0]
    record = (await intake.get(f"/customers/{customer['company']}", headers=admin)).json()
    [same] = [u for u in record["units"] if u["id"] == unit_id]
    assert same["warranty"]["ends_on"] == warranty["ends_on"]

    third = await intake.post("/tickets", json=_body(customer, unit_id, now), headers=gateway)
    third_id = third.json()["ticket_id"]
    records = await read_topic(bootstrap_servers, f"{topic_prefix}{TICKETS_TOPIC}", expected=1)
    assessed = [
        e.data
        for e in envelopes(records)
        if e.type == "EntitlementAssessed" and e.data["ticket_id"] == third_id
    ]
    assert assessed, "the next ticket's entitlement is published"
    assert assessed[-1]["days_out_of_service"] == 12
    assert assessed[-1]["warranty_ends_on"] == warranty["ends_on"]
    assert assessed[-1]["out_of_service_reasons"] == warranty["extension_reasons"]
    first_assessed = [
        e.data
        for e in envelopes(records)
        if e.type == "EntitlementAssessed" and e.data["ticket_id"] == first_id
    ]
    assert first_assessed[0]["days_out_of_service"] == 0
    assert date.fromisoformat(first_assessed[0]["warranty_ends_on"]) == ends_before


async def test_a_cancelled_ticket_counts_no_day_and_a_reopened_one_counts_again_from_the_reopening(
    intake, customer, gateway, admin
):
    now = datetime.now(UTC)
    unit_id = customer["unit"]
    cancelled = await intake.post(
        "/tickets", json=_body(customer, unit_id, now - timedelta(days=9)), headers=gateway
    )
    cancelled_id = cancelled.json()["ticket_id"]
    response = await intake.post(
        f"/tickets/{cancelled_id}/cancel", json={"reason": "duplicate"}, headers=admin
    )
    assert response.status_code == 200, response.text
    repaired = await intake.post(
        "/tickets", json=_body(customer, unit_id, now - timedelta(days=2)), headers=gateway
    )
    repaired_id = repaired.json()["ticket_id"]
    for step, body in (("resolve", {"resolution": "fixed"}), ("reopen", {"reason": "failed again"})):
        response = await intake.post(f"/tickets/{repaired_id}/{step}", json=body, headers=admin)
        assert response.status_code == 200, response.text

    unit = await _unit_in_lookup(intake, admin, serial="SN-0001")
    assert unit["warranty"]["days_out_of_service"] == 2  # the reopened outage is not over yet
    assert (
        len(unit["warranty"]["extension_reasons"]) == 1
        and repaired_id in unit["warranty"]["extension_reasons"][0]
    )
    response = await intake.post(
        f"/tickets/{repaired_id}/resolve", json={"resolution": "fixed"}, headers=admin
    )
    assert response.status_code == 200, response.text
    unit = await _unit_in_lookup(intake, admin, serial="SN-0001")
    assert unit["warranty"]["days_out_of_service"] == 2  # reopened and repaired today: no further day
    assert len(unit["warranty"]["extension_reasons"]) == 1
