"""The customer archive and the one-call hotline lookup, on the real service."""


async def test_lookup_by_partial_chinese_name_phone_and_serial(intake, customer, gateway):
    by_name = (await intake.get("/lookup", params={"company": "明珠"}, headers=gateway)).json()["matches"]
    by_phone = (await intake.get("/lookup", params={"phone": "13800138000"}, headers=gateway)).json()[
        "matches"
    ]
    by_serial = (await intake.get("/lookup", params={"serial": "SN-0001"}, headers=gateway)).json()["matches"]
    for matches in (by_name, by_phone, by_serial):
        assert [m["id"] for m in matches] == [customer["company"]]
    record = by_serial[0]
    assert record["matched_unit"]["id"] == customer["unit"]
    assert record["matched_unit"]["warranty"]["in_warranty"] is True
    assert record["contracts"][0]["policy_id"] == "seed-003"
    old = next(u for u in record["units"] if u["serial_number"] == "SN-OLD")
    assert old["warranty"]["in_warranty"] is False


async def test_one_caller_however_the_number_is_written(intake, customer, gateway, admin):
    # The contact was registered as "+86 138-0013-8000"; it is stored in E.164.
    record = (await intake.get(f"/customers/{customer['company']}", headers=admin)).json()
    assert [c["phone"] for c in record["contacts"]] == ["+8613800138000"]
    for written in ("138 0013 8000", "+86-138-0013-8000", "13800138000", "0086 13800138000"):
        found = (await intake.get("/lookup", params={"phone": written}, headers=gateway)).json()["matches"]
        assert [m["id"] for m in found] == [customer["company"]], written
    for other in ("13800138001", "12345"):
        assert (await intake.get("/lookup", params={"phone": other}, headers=gateway)).json()["matches"] == []


async def test_a_contact_phone_that_is_not_a_number_is_a_problem_naming_the_field(intake, customer, admin):
    response = await intake.post(
        f"/customers/{customer['company']}/contacts", json={"name": "张三", "phone": "123"}, headers=admin
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "phone"


async def test_lookup_misses_and_needs_a_criterion(intake, customer, gateway):
    assert (await intake.get("/lookup", params={"company": "nobody"}, headers=gateway)).json()[
        "matches"
    ] == []
    response = await intake.get("/lookup", headers=gateway)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_duplicate_serial_number_is_a_409_problem(intake, customer, admin):
    response = await intake.post(
        f"/customers/{customer['company']}/units",
        headers=admin,
        json={
            "site_id": customer["site"],
            "model": "X",
            "serial_number": "SN-0001",
            "product_line": "elevator",
            "accepted_on": "2025-01-01",
            "warranty_months": 12,
        },
    )
    assert response.status_code == 409
    assert response.json()["field"] == "serial_number"


async def test_archive_records_can_be_changed_and_removed(intake, customer, admin, gateway):
    company = customer["company"]
    assert (
        await intake.put(f"/customers/{company}", json={"name": "明珠电梯集团"}, headers=admin)
    ).status_code == 204
    contact = {"name": "李工", "phone": "13911112222", "is_main": False}
    assert (
        await intake.put(f"/customers/{company}/contacts/{customer['contact']}", json=contact, headers=admin)
    ).status_code == 204
    found = (await intake.get("/lookup", params={"phone": "139-1111-2222"}, headers=gateway)).json()[
        "matches"
    ]
    assert [m["name"] for m in found] == ["明珠电梯集团"]
    in_use = await intake.delete(f"/customers/{company}/sites/{customer['site']}", headers=admin)
    assert in_use.status_code == 409  # units stand on that site
    assert (
        await intake.delete(f"/customers/{company}/contacts/{customer['contact']}", headers=admin)
    ).status_code == 204
    assert (
        await intake.delete(f"/customers/{company}/contacts/{customer['contact']}", headers=admin)
    ).status_code == 404
    other = (await intake.post("/customers", json={"name": "别家"}, headers=admin)).json()["id"]
    foreign = await intake.put(
        f"/customers/{other}/units/{customer['unit']}",
        headers=admin,
        json={
            "site_id": customer["site"],
            "model": "X",
            "serial_number": "SN-X",
            "product_line": "elevator",
            "accepted_on": "2025-01-01",
            "warranty_months": 12,
        },
    )
    assert foreign.status_code == 422 and foreign.json()["field"] == "site_id"
