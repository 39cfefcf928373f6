"""Issue 12 on the real stack: intake learns the SLA monitor's policies and calendars from the SLA topic;
an unknown one is refused at contract save and at ticket opening (problem+json naming the field), a
contract naming none gets the default; a site's region class reaches the ticket's context."""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.testing.waiting import envelopes, publish, read_topic, wait_until

from .conftest import publish_policy, saved_once_known


def _contract(**changes):
    return {"on_site_regions": ["SH"], "starts_on": "2025-01-01", **changes}


async def _company(intake, admin) -> str:
    return (await intake.post("/customers", json={"name": "Pearl"}, headers=admin)).json()["id"]


async def test_a_contract_naming_an_unknown_policy_or_calendar_is_refused_until_published(
    intake, admin, bootstrap_servers, topic_prefix
):
    company = await _company(intake, admin)
    path = f"/customers/{company}/contracts"
    refused = await intake.post(path, json=_contract(policy_id="gold"), headers=admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "policy_id"
    assert "gold" in refused.json()["detail"]
    calendar = await intake.post(path, json=_contract(calendar_id="mon-fri"), headers=admin)
    assert calendar.status_code == 422 and calendar.json()["field"] == "calendar_id"
    customer = (await intake.get(f"/customers/{company}", headers=admin)).json()
    assert customer["contracts"] == []  # nothing saved with a default instead

    await publish_policy(bootstrap_servers, topic_prefix, "gold")
    contract_id = await saved_once_known(intake, path, _contract(policy_id="gold"), admin)
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.sla.v1",
        type_="CalendarPublished",
        subject="mon-fri",
        source="/sla-monitor",
        data={"calendar_id": "mon-fri", "occurred_at": datetime.now(UTC).isoformat()},
    )
    await saved_once_known(intake, path, _contract(policy_id="gold", calendar_id="mon-fri"), admin)
    contracts = (await intake.get(f"/customers/{company}", headers=admin)).json()["contracts"]
    assert {(k["id"] == contract_id, k["policy_id"], k["calendar_id"]) for k in contracts} == {
        (True, "gold", "7x24"),
        (False, "gold", "mon-fri"),
    }


async def test_a_contract_naming_no_policy_gets_the_default_without_any_publication(intake, admin):
    company = await _company(intake, admin)
    saved = await intake.post(f"/customers/{company}/contracts", json=_contract(), headers=admin)
    assert saved.status_code == 201
    contract = (await intake.get(f"/customers/{company}", headers=admin)).json()["contracts"][0]
    assert (contract["policy_id"], contract["calendar_id"]) == ("default", "7x24")


async def test_an_opening_under_a_contract_whose_policy_is_unknown_is_refused(
    intake, customer, gateway, database_url, bootstrap_servers, topic_prefix
):
    """A contract saved before intake checked (here: its row changed underneath) names a policy the SLA
    monitor never published: the ticket is refused naming `policy_id`, then accepted once published."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE contracts SET policy_id = 'retired' WHERE id = :id"),
                {"id": customer["contract"]},
            )
    finally:
        await engine.dispose()
    body = {
        "customer_id": customer["company"],
        "channel": "phone",
        "severity": "P1",
        "description": "passengers trapped",
        "unit_id": customer["unit"],
        "caller": {"name": "Guard", "phone": "13900000000"},
    }
    headers = {**gateway, "Idempotency-Key": "since-unknown-1"}
    refused = await intake.post("/tickets", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "policy_id"
    assert customer["contract"] in refused.json()["detail"]

    await publish_policy(bootstrap_servers, topic_prefix, "retired")

    async def opened():
        response = await intake.post("/tickets", json=body, headers=headers)  # the refused key is free
        return response if response.status_code == 201 else None

    ticket = (await wait_until(opened)).json()
    assert ticket["policy_id"] == "retired"


async def test_the_site_region_class_reaches_the_ticket_context(
    intake, admin, gateway, bootstrap_servers, topic_prefix
):
    company = await _company(intake, admin)
    sites = f"/customers/{company}/sites"
    wrong = await intake.post(
        sites,
        json={"address": "1 Rd", "city": "Shanghai", "region": "SH", "region_class": "rural"},
        headers=admin,
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "region_class"
    site = await intake.post(
        sites,
        json={"address": "1 Rd", "city": "Shanghai", "region": "SH", "region_class": "city"},
        headers=admin,
    )
    assert site.status_code == 201
    listed = (await intake.get(f"/customers/{company}", headers=admin)).json()["sites"]
    assert [s["region_class"] for s in listed] == ["city"]
    created = await intake.post(
        "/tickets",
        headers=gateway,
        json={
            "customer_id": company,
            "channel": "phone",
            "severity": "P1",
            "description": "passengers trapped",
            "site_id": site.json()["id"],
            "caller": {"name": "Guard", "phone": "13900000000"},
        },
    )
    assert created.status_code == 201 and created.json()["region_class"] == "city"
    ticket_id = created.json()["ticket_id"]
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.tickets.v1", expected=1)
    opened = [e for e in envelopes(records) if e.subject == ticket_id and e.type == "TicketOpened"]
    assert opened[0].data["context"]["region_class"] == "city"
