"""The typed edge: every endpoint declares its response body, answers match it, and input PostgreSQL
cannot store (a NUL character) is a 422 naming the field, never a server error."""

from intake.config import Settings
from intake.entrypoints.app import create_app
from intake.entrypoints.schemas import (
    CompanyRecord,
    ComplaintOut,
    Lookup,
    TicketHistory,
    TicketOut,
    TicketPage,
)


def test_every_endpoint_declares_its_response_body():
    document = create_app(Settings()).openapi()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                declared = "schema" in response.get("content", {}).get("application/json", {})
                if status.startswith("2") and status != "204" and not declared:
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


async def test_answers_match_their_response_models(intake, customer, gateway, dispatcher, admin):
    opened = await intake.post(
        "/tickets",
        json={
            "customer_id": customer["company"],
            "channel": "phone",
            "severity": "P2",
            "description": "stuck",
            "unit_id": customer["unit"],
            "caller": {"name": "王经理", "phone": "13800138000"},
        },
        headers=gateway,
    )
    assert opened.status_code == 201, opened.text
    ticket = TicketOut.model_validate(opened.json())
    assert ticket.entitlement is not None and ticket.entitlement.in_warranty is True
    answers = {
        f"/tickets/{ticket.ticket_id}": TicketOut,
        f"/tickets/{ticket.ticket_id}/events": TicketHistory,
        f"/tickets?customer_id={customer['company']}": TicketPage,
        f"/customers/{customer['company']}": CompanyRecord,
        "/lookup?serial=SN-0001": Lookup,
    }
    for path, model in answers.items():
        response = await intake.get(path, headers=dispatcher)
        assert response.status_code == 200, (path, response.text)
        assert model.model_validate(response.json()).model_dump(exclude_unset=True)
    changed = await intake.post(
        f"/tickets/{ticket.ticket_id}/await-customer", json={"reason": "no access"}, headers=dispatcher
    )
    classified = await intake.post(
        f"/tickets/{ticket.ticket_id}/classify",
        json={"severity": "P1", "reason": "trapped"},
        headers=dispatcher,
    )
    assert changed.status_code == classified.status_code == 200, classified.text
    page = (await intake.get(f"/tickets?customer_id={customer['company']}", headers=dispatcher)).json()
    row = next(item for item in page["items"] if item["ticket_id"] == ticket.ticket_id)
    document = classified.json()
    assert (row["status"], row["severity"], row["version"], row["updated_at"]) == (
        "awaiting_customer",
        "P1",
        document["version"],
        document["updated_at"],
    )
    lookup = (await intake.get("/lookup?company=明珠", headers=dispatcher)).json()
    assert "matched_unit" not in lookup["matches"][0]  # only when looked up by serial, as before
    by_serial = (await intake.get("/lookup?serial=SN-0001", headers=dispatcher)).json()
    assert by_serial["matches"][0]["matched_unit"]["serial_number"] == "SN-0001"
    complaint = await intake.post(
        "/complaints", json={"customer_id": customer["company"], "text": "slow"}, headers=gateway
    )
    assert complaint.status_code == 201 and ComplaintOut.model_validate(complaint.json()).status == "open"


async def test_a_nul_character_is_a_problem_naming_the_field(intake, customer, gateway, admin):
    contract = {"policy_id": "p\x00", "starts_on": "2024-01-01"}
    cases = [
        ("put", f"/customers/{customer['company']}/contracts/{customer['contract']}", contract, "policy_id"),
        ("post", f"/customers/{customer['company']}/contacts", {"name": "a\x00", "phone": "123"}, "name"),
        ("post", "/customers", {"name": "x\x00y"}, "name"),
        ("get", "/lookup?company=a%00b", None, "company"),
        ("get", "/tickets?customer_id=%00", None, "customer_id"),
        ("get", "/tickets/T-%00", None, "ticket_id"),
        ("get", f"/customers/C-%00{customer['company']}", None, "company_id"),
    ]
    for method, path, body, field in cases:
        response = await intake.request(method, path, json=body, headers=admin)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field, (path, response.text)
    ticket = await intake.post(
        "/tickets",
        json={
            "customer_id": customer["company"],
            "channel": "phone",
            "severity": "P2",
            "description": "a\x00b",
            "caller": {"name": "x", "phone": "123"},
        },
        headers=gateway,
    )
    assert ticket.status_code == 422 and ticket.json()["field"] == "description"


async def test_an_over_long_field_is_a_422_naming_it_and_only_a_body_over_the_limit_is_a_413(
    intake, customer, gateway
):
    limit = intake.app.state.runtime.settings.max_body_bytes
    ticket = {
        "customer_id": customer["company"],
        "channel": "phone",
        "severity": "P2",
        "caller": {"name": "x", "phone": "123"},
    }
    # One character over the description's maximum, and the 1 MB description: both name it.
    for description in ("d" * 10_001, "d" * 1_000_000):
        refused = await intake.post("/tickets", json={**ticket, "description": description}, headers=gateway)
        assert refused.status_code == 422, refused.text[:300]
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["field"] == "description"
    too_large = await intake.post("/tickets", json={**ticket, "description": "d" * limit}, headers=gateway)
    assert too_large.status_code == 413
    assert too_large.json()["max_bytes"] == limit and f"{limit} bytes" in too_large.json()["detail"]
