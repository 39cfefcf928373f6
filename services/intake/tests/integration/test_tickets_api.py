"""Tickets on the real stack: idempotent creation, lifecycle, problems, history, as_of."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.testing.waiting import envelopes, publish, read_topic, wait_until


def ticket_body(customer, **changes):
    body = {
        "customer_id": customer["company"],
        "channel": "phone",
        "severity": "P2",
        "description": "电梯困人 elevator stuck between floors",
        "unit_id": customer["unit"],
        "caller": {"name": "王经理", "phone": "13800138000"},
    }
    return {**body, **changes}


async def _count_events(database_url) -> int:
    """The events of tickets (the customer archive's own streams are on the same store)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            query = text("SELECT count(*) FROM events WHERE stream_type = 'ticket'")
            return (await conn.execute(query)).scalar_one()
    finally:
        await engine.dispose()


async def test_twenty_concurrent_retries_of_one_key_make_one_ticket(
    intake, customer, gateway, database_url, bootstrap_servers, topic_prefix
):
    headers = {**gateway, "Idempotency-Key": "call-20261126-0001"}
    responses = await asyncio.gather(
        *(intake.post("/tickets", json=ticket_body(customer), headers=headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["ticket_id"] for r in responses}) == 1
    ticket_id = responses[0].json()["ticket_id"]
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.tickets.v1", expected=2)
    opened = [e for e in envelopes(records) if e.type == "TicketOpened"]
    assert [e.subject for e in opened] == [ticket_id]
    ticket_records = [r for r in records if not r.key.decode().startswith(("C-", "U-", "K-"))]
    assert [r.key.decode() for r in ticket_records] == [ticket_id] * len(ticket_records) == [ticket_id] * 2
    assert await _count_events(database_url) == 2  # TicketOpened + EntitlementAssessed, once


async def test_tickets_opened_together_are_each_answered_and_a_refused_one_harms_no_other(
    intake, customer, gateway, database_url
):
    def body(i):
        return ticket_body(customer, customer_id="C-NOBODY") if i % 5 == 0 else ticket_body(customer)

    def keyed(i):
        return {**gateway, "Idempotency-Key": f"call-together-{i}"}

    responses = await asyncio.gather(
        *(intake.post("/tickets", json=body(i), headers=keyed(i)) for i in range(30))
    )
    refused = [i for i, r in enumerate(responses) if r.status_code == 422]
    assert refused == list(range(0, 30, 5))
    assert {responses[i].json()["field"] for i in refused} == {"customer_id"}
    created = [r.json()["ticket_id"] for r in responses if r.status_code == 201]
    assert len(created) == len(set(created)) == 24
    assert await _count_events(database_url) == 2 * 24
    # A refused request leaves its key free: the corrected retry is accepted.
    retried = await intake.post("/tickets", json=ticket_body(customer), headers=keyed(0))
    assert retried.status_code == 201 and retried.json()["ticket_id"] not in created


async def test_same_key_different_body_is_refused(intake, customer, gateway, database_url):
    headers = {**gateway, "Idempotency-Key": "call-20261126-0002"}
    assert (await intake.post("/tickets", json=ticket_body(customer), headers=headers)).status_code == 201
    before = await _count_events(database_url)
    response = await intake.post("/tickets", json=ticket_body(customer, severity="P1"), headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert await _count_events(database_url) == before


async def test_opened_event_carries_the_full_context_and_entitlement(
    intake, customer, gateway, bootstrap_servers, topic_prefix
):
    created = (
        await intake.post("/tickets", json=ticket_body(customer, severity="P1"), headers=gateway)
    ).json()
    assert created["entitlement"]["in_warranty"] is True
    assert created["caller"]["registered"] is True
    assert created["caller"]["phone"] == "+8613800138000"  # "13800138000", recorded in E.164
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.tickets.v1", expected=2)
    opened = next(e for e in envelopes(records) if e.type == "TicketOpened")
    assert opened.data["context"] == {
        "customer_id": customer["company"],
        "contract_id": customer["contract"],
        "policy_id": "seed-003",
        "calendar_id": "7x24",
        "severity": "P1",
        "region": "SH",
        "site_id": customer["site"],
        "unit_id": customer["unit"],
        "product_line": "elevator",
        "on_site_covered": True,
        "region_class": "city",  # the site's
    }
    assert opened.actor == "hotline-gw"
    assert opened.correlationid


async def test_out_of_warranty_names_the_sales_rep_and_unknown_caller_is_flagged(intake, customer, gateway):
    body = ticket_body(
        customer, unit_id=customer["old_unit"], caller={"name": "路人", "phone": "021-5555-0000"}
    )
    created = (await intake.post("/tickets", json=body, headers=gateway)).json()
    assert created["caller"] == {
        "name": "路人",
        "phone": "+862155550000",  # recorded in E.164
        "contact_id": None,
        "registered": False,
    }
    assert created["entitlement"]["in_warranty"] is False
    assert created["entitlement"]["notify_sales"] is True
    assert created["entitlement"]["sales_rep_id"] == "sales-9"


async def test_malformed_bodies_are_problems_naming_the_field_and_write_nothing(
    intake, customer, gateway, database_url
):
    cases = [
        (ticket_body(customer, severity="P9"), "severity"),
        (ticket_body(customer, channel="pigeon"), "channel"),
        (ticket_body(customer, caller={"name": "x"}), "caller.phone"),
        (ticket_body(customer, reported_at="2026-01-01T10:00:00"), "reported_at"),
        (ticket_body(customer, customer_id="C-nope"), "customer_id"),
        (ticket_body(customer, unit_id="U-nope"), "unit_id"),
        (ticket_body(customer, reported_at="2999-01-01T10:00:00Z"), "reported_at"),
        ({**ticket_body(customer), "surprise": 1}, "surprise"),
    ]
    for body, field in cases:
        response = await intake.post("/tickets", json=body, headers=gateway)
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field
    assert await _count_events(database_url) == 0


async def test_lifecycle_and_illegal_transitions(intake, customer, gateway, dispatcher, database_url):
    ticket = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()
    path = f"/tickets/{ticket['ticket_id']}"

    async def act(action, body=None, expect=200):
        response = await intake.post(f"{path}/{action}", json=body, headers=dispatcher)
        assert response.status_code == expect, (action, response.text)
        return response

    before = await _count_events(database_url)
    refused = await act("close", {"callback_note": "called"}, expect=409)
    assert refused.json()["state"] == "open"
    assert (await act("resume", expect=409)).json()["state"] == "open"
    assert (await act("reopen", {"reason": "x"}, expect=409)).json()["state"] == "open"
    assert (await act("classify", {"severity": "P2", "reason": "same"}, expect=422)).json()[
        "field"
    ] == "severity"
    assert await _count_events(database_url) == before

    await act("classify", {"severity": "P1", "reason": "whole building down"})
    await act("notes", {"text": "customer called again"})
    await act("await-customer", {"reason": "customer not on site"})
    assert (await act("await-parts", {"reason": "x"}, expect=200)).json()["status"] == "awaiting_parts"
    await act("resume")
    resolved = await act("resolve", {"resolution": "replaced door sensor", "fault_code": "DOOR-01"})
    assert resolved.json()["status"] == "resolved"
    assert (await act("cancel", {"reason": "x"}, expect=409)).json()["state"] == "resolved"
    await act("satisfaction", {"score": 5, "comment": "fast"})
    closed = await act("close", {"callback_note": "customer confirmed"})
    assert closed.json()["status"] == "closed"
    reopened = await act("reopen", {"reason": "fault came back"})
    assert reopened.json()["status"] == "open"

    history = (await intake.get(f"{path}/events", headers=dispatcher)).json()["events"]
    assert [e["type"] for e in history] == [
        "TicketOpened",
        "EntitlementAssessed",
        "TicketClassified",
        "TicketNoteAdded",
        "TicketAwaitingCustomer",
        "TicketAwaitingParts",
        "TicketResumed",
        "TicketResolved",
        "SatisfactionRecorded",
        "TicketClosed",
        "TicketReopened",
    ]
    assert all(e["actor"] for e in history)
    assert history[2]["data"]["context"]["severity"] == "P1"


async def test_etag_and_if_match(intake, customer, gateway, dispatcher):
    created = await intake.post("/tickets", json=ticket_body(customer), headers=gateway)
    etag = created.headers["etag"]
    path = f"/tickets/{created.json()['ticket_id']}"
    first = await intake.post(f"{path}/notes", json={"text": "a"}, headers={**dispatcher, "If-Match": etag})
    assert first.status_code == 200
    stale = await intake.post(f"{path}/notes", json={"text": "b"}, headers={**dispatcher, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == first.json()["version"]
    assert (await intake.get(path, headers=dispatcher)).headers["etag"] == first.headers["etag"]


async def test_as_of_returns_the_earlier_state(intake, customer, gateway, dispatcher):
    ticket = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()
    path = f"/tickets/{ticket['ticket_id']}"
    await asyncio.sleep(0.05)
    between = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    await intake.post(f"{path}/classify", json={"severity": "P1", "reason": "worse"}, headers=dispatcher)
    earlier = (await intake.get(path, params={"as_of": between}, headers=dispatcher)).json()
    now = (await intake.get(path, headers=dispatcher)).json()
    assert (earlier["severity"], now["severity"]) == ("P2", "P1")
    assert earlier["version"] < now["version"]
    naive = await intake.get(path, params={"as_of": "2026-01-01T00:00:00"}, headers=dispatcher)
    assert naive.status_code == 422 and naive.json()["field"] == "as_of"


async def test_list_filters_and_cursor_pages(intake, customer, gateway, dispatcher):
    ids = []
    for severity in ("P1", "P2", "P3", "P2", "P2"):
        ids.append(
            (
                await intake.post("/tickets", json=ticket_body(customer, severity=severity), headers=gateway)
            ).json()["ticket_id"]
        )
    seen, cursor = [], None
    while True:
        params = {"severity": "P2", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await intake.get("/tickets", params=params, headers=dispatcher)).json()
        seen += [item["ticket_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[1], ids[3], ids[4]]
    bad = await intake.get("/tickets", params={"cursor": "%%%"}, headers=dispatcher)
    assert bad.status_code == 422


async def test_field_work_events_drive_the_ticket_and_technicians_see_only_their_own(
    intake, customer, gateway, tokens, bootstrap_servers, topic_prefix
):
    ticket_id = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()[
        "ticket_id"
    ]
    other_id = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()[
        "ticket_id"
    ]
    dispatch_topic = f"{topic_prefix}servicepact.dispatch.v1"
    at = datetime.now(UTC).isoformat()
    await publish(
        bootstrap_servers,
        dispatch_topic,
        type_="TechnicianAssigned",
        subject=ticket_id,
        data={"ticket_id": ticket_id, "technician_id": "tech-7", "occurred_at": at, "level": 1},
    )
    mine = tokens("technician", sub="tech-7", technician_id="tech-7")

    async def visible():
        return (await intake.get(f"/tickets/{ticket_id}", headers=mine)).status_code == 200

    await wait_until(visible)
    assert (await intake.get(f"/tickets/{other_id}", headers=mine)).status_code == 404
    refused = await intake.post(f"/tickets/{other_id}/notes", json={"text": "x"}, headers=mine)
    assert refused.status_code == 404
    listed = (await intake.get("/tickets", headers=mine)).json()["items"]
    assert [t["ticket_id"] for t in listed] == [ticket_id]

    await publish(
        bootstrap_servers,
        dispatch_topic,
        type_="WorkResolved",
        subject=ticket_id,
        data={
            "ticket_id": ticket_id,
            "technician_id": "tech-7",
            "occurred_at": at,
            "fix": "reset controller",
            "fault_code": "CTRL-2",
        },
    )

    async def resolved():
        return (await intake.get(f"/tickets/{ticket_id}", headers=mine)).json()["status"] == "resolved"

    await wait_until(resolved)


async def test_dissatisfied_callback_files_a_complaint_and_complaints_get_replies(
    intake, customer, gateway, dispatcher, complaint_desk, bootstrap_servers, topic_prefix
):
    ticket_id = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()[
        "ticket_id"
    ]
    path = f"/tickets/{ticket_id}"
    await intake.post(f"{path}/resolve", json={"resolution": "fixed"}, headers=dispatcher)
    await intake.post(f"{path}/satisfaction", json={"score": 1, "comment": "too slow"}, headers=dispatcher)
    standalone = await intake.post(
        "/complaints", headers=gateway, json={"customer_id": customer["company"], "text": "rude engineer"}
    )
    assert standalone.status_code == 201
    complaint_id = standalone.json()["complaint_id"]
    by_dispatcher = await intake.post(
        f"/complaints/{complaint_id}/reply", json={"reply": "we apologise"}, headers=dispatcher
    )
    assert by_dispatcher.status_code == 403  # handled apart from the service department (seed 002)
    assert by_dispatcher.headers["content-type"] == "application/problem+json"
    reply = await intake.post(
        f"/complaints/{complaint_id}/reply", json={"reply": "we apologise"}, headers=complaint_desk
    )
    assert reply.status_code == 200 and reply.json()["status"] == "answered"
    read = await intake.get(f"/complaints/{complaint_id}", headers=dispatcher)
    assert read.json()["reply"] == "we apologise"  # the office still reads complaints
    again = await intake.post(
        f"/complaints/{complaint_id}/reply", json={"reply": "x"}, headers=complaint_desk
    )
    assert again.status_code == 409
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.tickets.v1", expected=7)
    complaints = [e for e in envelopes(records) if e.type.startswith("Complaint")]
    # different keys, so different partitions: compare without order
    assert sorted((e.type, e.data.get("source"), e.subject) for e in complaints) == [
        ("ComplaintAnswered", None, complaint_id),
        ("ComplaintFiled", "customer", complaint_id),
        ("ComplaintFiled", "satisfaction_callback", ticket_id),
    ]
    # the reply clock's policy: the customer's contract's, standalone or about the ticket
    assert [e.data["policy_id"] for e in complaints if e.type == "ComplaintFiled"] == ["seed-003"] * 2


async def test_a_third_failure_diagnosed_in_the_field_makes_the_unit_due_for_replacement(
    intake, customer, gateway, dispatcher, bootstrap_servers, topic_prefix
):
    for _ in range(2):  # the same fault repaired twice within warranty
        ticket_id = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()[
            "ticket_id"
        ]
        await intake.post(
            f"/tickets/{ticket_id}/resolve",
            json={"resolution": "fixed", "fault_code": "DOOR-01"},
            headers=dispatcher,
        )
    third = (await intake.post("/tickets", json=ticket_body(customer), headers=gateway)).json()
    assert third["entitlement"]["replacement_due"] is False  # no fault code known at intake
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.dispatch.v1",
        type_="DiagnosisRecorded",
        subject=third["ticket_id"],
        data={
            "ticket_id": third["ticket_id"],
            "technician_id": "tech-1",
            "occurred_at": datetime.now(UTC).isoformat(),
            "diagnosis": "door sensor again",
            "fault_code": "DOOR-01",
        },
    )

    async def reassessed():
        ticket = (await intake.get(f"/tickets/{third['ticket_id']}", headers=dispatcher)).json()
        return ticket if ticket["entitlement"]["replacement_due"] else None

    ticket = await wait_until(reassessed)
    assert "replacement" in ticket["entitlement"]["remedies"] and ticket["fault_code"] == "DOOR-01"
