"""The customer archive and the one-call hotline lookup, on the real service."""


async def test_lookup_by_partial_chinese_name_phone_and_serial(intake, customer, gateway):
    by_name = (await intake.get("/lookup", params={"company": "明珠"}, headers=gateway)).json()["matches"]
    by_phone = (await intake.get("/lookup", params={"phone": "13800138000"}, headers=gateway)).json()["matches"]
    by_serial = (await intake.get("/lookup", params={"serial": "SN-0001"}, headers=gateway)).json()["matches"]
    for matches in (by_name, by_phone, by_serial):
        assert [m["id"] for m in matches] == [customer["company"]]
    record = by_serial[0]
    assert record["matched_unit"]["id"] == customer["unit"]
    assert record["matched_unit"]["warranty"]["in_warranty"] is True
    assert record["contracts"][0]["policy_id"] == "seed-003"
    old = next(u for u in record["units"] if u["serial_number"] == "SN-OLD")
    assert old["warranty"]["in_warranty"] is False


async def test_lookup_misses_and_needs_a_criterion(intake, customer, gateway):
    assert (await intake.get("/lookup", params={"company": "nobody"}, headers=gateway)).json()["matches"] == []
    response = await intake.get("/lookup", headers=gateway)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_duplicate_serial_number_is_a_409_problem(intake, customer, admin):
    response = await intake.post(f"/customers/{customer['company']}/units", headers=admin, json={
        "site_id": customer["site"], "model": "X", "serial_number": "SN-0001", "product_line": "elevator",
        "accepted_on": "2025-01-01", "warranty_months": 12})
    assert response.status_code == 409
    assert response.json()["field"] == "serial_number"
