"""Across services on one broker: a P1 ticket opened at intake is auto-assigned by dispatch; nobody
acknowledges before its response target, so the SLA monitor's breach escalates and dispatch hands the
ticket to an on-shift L2 supervisor, exactly once; intake's ticket follows."""

from datetime import UTC, datetime

from shared.testing.services import Tokens
from shared.testing.waiting import envelopes, read_topic, wait_until
from tests.e2e.stack import running_stack

NO_HANDOFF_2S = {
    "policy_id": "e2e",
    "name": "2 s response, escalate at the breach",
    "targets": {"P1": {"response": {"duration": "PT2S"}}},
    "warning_fractions": [0.5],
    "ladder": [{"level": 2, "at_fraction": 1.0}],
}


async def test_p1_breach_reassigns_to_a_supervisor_once(
    new_database, bootstrap_servers, topic_prefix, tmp_path
):
    key = tmp_path / "dev.pem"
    tokens = Tokens(key)
    admin, gateway, dispatcher = tokens("ops-admin"), tokens("integration", sub="gw"), tokens("dispatcher")
    async with running_stack(new_database, bootstrap_servers, topic_prefix, key) as clients:
        intake_api, dispatch_api, sla_api = clients["intake"], clients["dispatch"], clients["sla"]

        assert (await sla_api.put("/policies/e2e", json=NO_HANDOFF_2S, headers=admin)).status_code == 201
        for tech in (
            {
                "technician_id": "li",
                "name": "Li",
                "level": 1,
                "skills": ["elevator"],
                "home_region": "SH",
                "regions": [],
                "capacity": 5,
            },
            {
                "technician_id": "wu",
                "name": "Wu (supervisor)",
                "level": 2,
                "skills": ["elevator"],
                "home_region": "SH",
                "regions": [],
                "capacity": 5,
            },
        ):
            assert (await dispatch_api.post("/technicians", json=tech, headers=admin)).status_code == 201
        company = (await intake_api.post("/customers", json={"name": "明珠电梯"}, headers=admin)).json()["id"]
        site = (
            await intake_api.post(
                f"/customers/{company}/sites",
                headers=admin,
                json={"address": "1 Pudong Ave", "city": "Shanghai", "region": "SH"},
            )
        ).json()["id"]

        async def contract_saved():  # intake knows "e2e" once it reads the SLA monitor's PolicyPublished
            saved = await intake_api.post(
                f"/customers/{company}/contracts",
                headers=admin,
                json={"policy_id": "e2e", "on_site_regions": ["SH"], "starts_on": "2025-01-01"},
            )
            assert saved.status_code in (201, 422), saved.text
            return saved.json()["id"] if saved.status_code == 201 else None

        contract = await wait_until(contract_saved, timeout_s=30)
        unit = (
            await intake_api.post(
                f"/customers/{company}/units",
                headers=admin,
                json={
                    "site_id": site,
                    "contract_id": contract,
                    "model": "EL-1",
                    "serial_number": "E2E-1",
                    "product_line": "elevator",
                    "accepted_on": "2025-06-01",
                    "warranty_months": 24,
                },
            )
        ).json()["id"]

        created = await intake_api.post(
            "/tickets",
            headers={**gateway, "Idempotency-Key": "e2e-ticket-1"},
            json={
                "customer_id": company,
                "channel": "phone",
                "severity": "P1",
                "description": "passengers trapped",
                "unit_id": unit,
                "caller": {"name": "Guard", "phone": "13900000000"},
            },
        )
        assert created.status_code == 201
        ticket_id = created.json()["ticket_id"]

        async def technician_is(expected):
            job = await dispatch_api.get(f"/jobs/{ticket_id}", headers=dispatcher)
            return job.status_code == 200 and job.json()["technician_id"] == expected

        await wait_until(lambda: technician_is("li"), timeout_s=30)
        await wait_until(lambda: technician_is("wu"), timeout_s=30)  # nobody acknowledged: breach -> L2

        async def intake_follows():
            ticket = (await intake_api.get(f"/tickets/{ticket_id}", headers=dispatcher)).json()
            return ticket["technician_id"] == "wu"

        await wait_until(intake_follows)
        sla_topic = f"{topic_prefix}servicepact.sla.v1"  # also carries the policies' publications

        async def ticket_sla_events():
            records = envelopes(await read_topic(bootstrap_servers, sla_topic, expected=1))
            mine = [e for e in records if e.subject == ticket_id]
            return mine if len(mine) >= 3 else None

        sla_events = await wait_until(ticket_sla_events, timeout_s=30)
        assert [(e.type, e.data["threshold"]) for e in sla_events] == [
            ("SlaWarning", "warning:0.5"),
            ("SlaBreached", "breach"),
            ("EscalationRaised", "escalation:L2"),
        ]
        dispatch_events = envelopes(
            await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=2)
        )
        moves = [
            (e.type, e.data.get("technician_id"), e.data.get("reason"))
            for e in dispatch_events
            if e.subject == ticket_id
        ]
        assert moves == [
            ("TechnicianAssigned", "li", "least_loaded"),
            ("TicketReassigned", "wu", "escalation"),
        ]
        explained = (await sla_api.get(f"/tickets/{ticket_id}/sla", headers=dispatcher)).json()
        assert explained["escalation_level"] == 2
        assert datetime.fromisoformat(explained["clocks"][0]["deadline"]) <= datetime.now(UTC)
