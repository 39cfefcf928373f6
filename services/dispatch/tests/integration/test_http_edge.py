"""Dispatch's HTTP edge: bad input is a problem naming the field, never a server error."""

from datetime import UTC, datetime


async def test_an_unknown_time_zone_or_a_bad_shift_is_refused_naming_the_part(dispatch, tokens):
    admin = tokens("ops-admin")
    assert (await dispatch.get("/roster", headers=admin)).status_code == 404
    for roster, field in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"shifts": {"li": [{"start": "25:00", "end": "08:00"}]}}, "shifts"),
    ):
        response = await dispatch.put("/roster", json=roster, headers=admin)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
    assert (await dispatch.get("/roster", headers=admin)).status_code == 404


async def test_a_nul_character_is_refused_naming_the_field(dispatch, tokens):
    tech = {
        "technician_id": "li",
        "name": "Li\u0000",
        "level": 1,
        "home_region": "SH",
        "capacity": 1,
    }
    response = await dispatch.post("/technicians", json=tech, headers=tokens("ops-admin"))
    assert response.status_code == 422 and response.json()["field"] == "name"


async def test_a_step_on_no_job_answers_404_naming_the_ticket(dispatch, tokens):
    li = tokens("technician", sub="li", technician_id="li")
    step = {"client_id": "li-step-0001", "occurred_at": datetime.now(UTC).isoformat()}
    missing = await dispatch.post("/jobs/T-404/acknowledge", json=step, headers=li)
    assert missing.status_code == 404 and missing.json()["field"] == "ticket_id"
