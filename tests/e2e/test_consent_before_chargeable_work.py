"""Issue 13 item 4 across intake and dispatch (SPEC 2.3): out-of-warranty work under a contract that
says chargeable work waits for the customer's consent. Nobody is sent before the consent event.

The contract is created through intake's API (no shipped seed sets `consent_required_before_work`),
under the shipped default policy, on the real broker and PostgreSQL:

1. An out-of-warranty ticket opens paused, awaiting the customer's consent; dispatch holds its job
   (`awaiting_consent`) and publishes no assignment for it; the customer accepts over the phone and
   only then is the job assigned (after `QuoteAccepted`, on the dispatch topic).
2. Another customer declines: the ticket is cancelled and its job ends with nobody ever assigned.
3. Bad answers: 422 naming the field; a ticket that waits for nothing, or already answered: 409.
"""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from shared.testing.services import Tokens
from shared.testing.waiting import envelopes, read_topic, wait_until
from tests.e2e.stack import running_stack

STAFFING = ("TechnicianAssigned", "TicketReassigned")


async def test_dispatch_sends_nobody_before_the_customer_consents_to_the_quote(
    new_database, bootstrap_servers, topic_prefix, tmp_path
):
    key = tmp_path / "dev.pem"
    tokens = Tokens(key)
    admin, gateway, dispatcher = tokens("ops-admin"), tokens("integration", sub="gw"), tokens("dispatcher")
    async with running_stack(new_database, bootstrap_servers, topic_prefix, key) as clients:
        intake_api, dispatch_api = clients["intake"], clients["dispatch"]
        technician = {
            "technician_id": "li",
            "name": "Li",
            "level": 1,
            "skills": ["elevator"],
            "home_region": "SH",
            "regions": [],
            "capacity": 5,
        }
        assert (await dispatch_api.post("/technicians", json=technician, headers=admin)).status_code == 201
        company = (await intake_api.post("/customers", json={"name": "明珠电梯"}, headers=admin)).json()["id"]
        site = (
            await intake_api.post(
                f"/customers/{company}/sites",
                headers=admin,
                json={"address": "1 Pudong Ave", "city": "Shanghai", "region": "SH"},
            )
        ).json()["id"]

        async def contract_saved() -> bool:  # the shipped default policy, once intake has heard of it
            response = await intake_api.post(
                f"/customers/{company}/contracts",
                headers=admin,
                json={
                    "on_site_regions": ["SH"],
                    "starts_on": "2018-01-01",
                    "consent_required_before_work": True,  # 用户同意后执行 (seed 001)
                },
            )
            contract_saved.id = response.json().get("id")  # type: ignore[attr-defined]
            return response.status_code == 201

        await wait_until(contract_saved)

        async def unit(serial: str, accepted_on: str) -> str:
            created = await intake_api.post(
                f"/customers/{company}/units",
                headers=admin,
                json={
                    "site_id": site,
                    "contract_id": contract_saved.id,  # type: ignore[attr-defined]
                    "model": "EL-1",
                    "serial_number": serial,
                    "product_line": "elevator",
                    "accepted_on": accepted_on,
                    "warranty_months": 12,
                },
            )
            assert created.status_code == 201, created.text
            return created.json()["id"]

        old_units = [await unit("OLD-1", "2019-01-01"), await unit("OLD-2", "2019-01-01")]
        new_unit = await unit("NEW-1", (datetime.now(UTC).date() - timedelta(days=30)).isoformat())

        async def open_ticket(unit_id: str) -> dict:
            created = await intake_api.post(
                "/tickets",
                headers={**gateway, "Idempotency-Key": uuid4().hex},
                json={
                    "customer_id": company,
                    "channel": "phone",
                    "severity": "P2",
                    "description": "lift stopped",
                    "unit_id": unit_id,
                    "caller": {"name": "Guard", "phone": "13900000000"},
                },
            )
            assert created.status_code == 201, created.text
            return created.json()

        async def job(ticket_id: str) -> dict:
            response = await dispatch_api.get(f"/jobs/{ticket_id}", headers=dispatcher)
            return response.json() if response.status_code == 200 else {}

        async def answer(ticket_id: str, **body) -> dict:
            response = await intake_api.post(
                f"/tickets/{ticket_id}/quote-decision", json=body, headers=dispatcher
            )
            return {**response.json(), "http": response.status_code}

        async def staffing(ticket_id: str) -> list[str]:
            records = await read_topic(
                bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=1
            )
            return [e.type for e in envelopes(records) if e.subject == ticket_id]

        # 1. Held until the customer accepts; then assigned.
        accepted = await open_ticket(old_units[0])
        ticket = accepted["ticket_id"]
        assert (accepted["status"], accepted["awaiting_consent"]) == ("awaiting_customer", True)
        assert accepted["entitlement"]["in_warranty"] is False
        held = await wait_until(lambda: _job_if(job(ticket), awaiting_consent=True), timeout_s=30)
        assert (held["technician_id"], held["status"]) == (None, "queued")
        free = await open_ticket(new_unit)  # in warranty: nothing waits, li is sent at once
        assert free["awaiting_consent"] is False
        await wait_until(lambda: _job_if(job(free["ticket_id"]), technician_id="li"), timeout_s=30)
        before = await staffing(ticket)
        assert before == ["AssignmentHeld"] and not set(STAFFING) & set(before)

        maybe = await answer(ticket, decision="maybe", answered_via="phone")
        assert (maybe["http"], maybe["field"]) == (422, "decision")
        assert (await answer(ticket, decision="accepted", answered_via="pigeon"))["field"] == "answered_via"
        bad_amount = await answer(ticket, decision="accepted", answered_via="phone", quoted_amount=-5)
        assert (bad_amount["http"], bad_amount["field"]) == (422, "quoted_amount")
        future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        too_early = await answer(ticket, decision="accepted", answered_via="phone", answered_at=future)
        assert (too_early["http"], too_early["field"]) == (422, "answered_at")
        nothing_waits = await answer(free["ticket_id"], decision="accepted", answered_via="phone")
        assert (nothing_waits["http"], nothing_waits["state"]) == (409, "not_awaiting_consent")

        yes = await answer(
            ticket, decision="accepted", answered_via="phone", quote_reference="Q-1", quoted_amount="1280.00"
        )
        assert (yes["http"], yes["status"]) == (200, "open"), yes
        assert (yes["awaiting_consent"], yes["quote_decision"]["decision"]) == (False, "accepted")
        assert yes["quote_decision"]["quoted_amount"] == "1280.00"
        again = await answer(ticket, decision="declined", answered_via="phone")
        assert (again["http"], again["state"]) == (409, "quote_accepted")
        assigned = await wait_until(lambda: _job_if(job(ticket), technician_id="li"), timeout_s=30)
        assert assigned["awaiting_consent"] is False
        assert await staffing(ticket) == ["AssignmentHeld", "AssignmentReleased", "TechnicianAssigned"]
        tickets = envelopes(
            await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.tickets.v1", expected=1)
        )
        assert [e.type for e in tickets if e.subject == ticket] == [
            "TicketOpened",
            "EntitlementAssessed",
            "TicketAwaitingCustomer",  # the SLA clocks the policy lets pause, paused
            "QuoteAccepted",
            "TicketResumed",
        ]

        # 2. Declined: the ticket is cancelled, its job ends, nobody was ever sent.
        declined = (await open_ticket(old_units[1]))["ticket_id"]
        await wait_until(lambda: _job_if(job(declined), awaiting_consent=True), timeout_s=30)
        no = await answer(declined, decision="declined", answered_via="signature", note="too dear")
        assert (no["http"], no["status"], no["quote_decision"]["decision"]) == (200, "cancelled", "declined")
        ended = await wait_until(lambda: _job_if(job(declined), status="cancelled"), timeout_s=30)
        assert ended["technician_id"] is None
        assert await staffing(declined) == ["AssignmentHeld", "JobClosed"]


async def _job_if(job_document, **expected) -> dict | None:
    document = await job_document
    return document if document and all(document.get(k) == v for k, v in expected.items()) else None
