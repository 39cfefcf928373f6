"""Issue 12 across services, with the SHIPPED seed 003 policy (no test-only policy): what a service
manager would sign.

1. A P1 is handed to an L2 case owner at once (seed 003: 问题提交 immediately), and the L1 engineer
   dispatched at second 0 keeps the field job: he acknowledges, arrives and resolves.
2. A P1 logged 6 minutes after the call (response target 5 min, already missed): the assignee missed
   his own promise, so the field job moves to the on-shift L2 supervisor with the skill, exactly once.
3. A P2 resolved remotely: the on-site clock ends `not_needed`; no on-site warning, breach or
   escalation ever reaches the SLA topic.
"""

import uuid
from datetime import UTC, datetime, timedelta

from shared.testing.services import Tokens
from shared.testing.waiting import envelopes, read_topic, wait_until
from tests.e2e.stack import running_stack

TECHNICIANS = (
    ("li", "Li", 1),
    ("wu", "Wu (supervisor)", 2),
)


def _technician(tid: str, name: str, level: int) -> dict:
    return {
        "technician_id": tid,
        "name": name,
        "level": level,
        "skills": ["elevator"],
        "home_region": "SH",
        "regions": [],
        "capacity": 5,
    }


def _step(**extra) -> dict:
    return {"client_id": uuid.uuid4().hex, "occurred_at": datetime.now(UTC).isoformat(), **extra}


async def test_seed_003_hand_off_reassignment_and_remote_resolution(
    new_database, bootstrap_servers, topic_prefix, tmp_path
):
    key = tmp_path / "dev.pem"
    tokens = Tokens(key)
    admin, gateway, dispatcher = tokens("ops-admin"), tokens("integration", sub="gw"), tokens("dispatcher")
    li = tokens("technician", sub="li")
    async with running_stack(new_database, bootstrap_servers, topic_prefix, key) as clients:
        intake_api, dispatch_api, sla_api = clients["intake"], clients["dispatch"], clients["sla"]
        for tech in TECHNICIANS:
            assert (
                await dispatch_api.post("/technicians", json=_technician(*tech), headers=admin)
            ).status_code == 201
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
                json={"on_site_regions": ["SH"], "starts_on": "2025-01-01"},
            )
            contract_saved.id = response.json().get("id")  # type: ignore[attr-defined]
            return response.status_code == 201

        await wait_until(contract_saved)
        contract = contract_saved.id
        units = []
        for serial in ("S3-1", "S3-2", "S3-3"):
            units.append(
                (
                    await intake_api.post(
                        f"/customers/{company}/units",
                        headers=admin,
                        json={
                            "site_id": site,
                            "contract_id": contract,
                            "model": "EL-1",
                            "serial_number": serial,
                            "product_line": "elevator",
                            "accepted_on": "2025-06-01",
                            "warranty_months": 24,
                        },
                    )
                ).json()["id"]
            )

        async def open_ticket(unit: str, severity: str, reported_at: datetime | None = None) -> str:
            body = {
                "customer_id": company,
                "channel": "phone",
                "severity": severity,
                "description": "lift stopped",
                "unit_id": unit,
                "caller": {"name": "Guard", "phone": "13900000000"},
            }
            if reported_at is not None:
                body["reported_at"] = reported_at.isoformat()
            created = await intake_api.post(
                "/tickets", headers={**gateway, "Idempotency-Key": uuid.uuid4().hex}, json=body
            )
            assert created.status_code == 201, created.text
            return created.json()["ticket_id"]

        async def job(ticket_id: str) -> dict:
            response = await dispatch_api.get(f"/jobs/{ticket_id}", headers=dispatcher)
            return response.json() if response.status_code == 200 else {}

        # 1. Hand-off at once; li keeps the field job and works it.
        handed = await open_ticket(units[0], "P1")
        await wait_until(lambda: _has(job(handed), technician_id="li", case_owner_id="wu"), timeout_s=30)
        for step in ("acknowledge", "arrive"):
            done = await dispatch_api.post(f"/jobs/{handed}/{step}", json=_step(), headers=li)
            assert done.status_code == 200, (step, done.text)
        resolved = await dispatch_api.post(
            f"/jobs/{handed}/resolve",
            json=_step(cause="door sensor", fix="replaced", minutes_spent=30, signed_by="Guard"),
            headers=li,
        )
        assert resolved.status_code == 200 and resolved.json()["technician_id"] == "li"

        # 2. Response already missed when logged: the field job moves to wu, once.
        late = await open_ticket(units[1], "P1", reported_at=datetime.now(UTC) - timedelta(minutes=6))
        await wait_until(lambda: _has(job(late), technician_id="wu"), timeout_s=30)

        # 3. A P2 solved on the phone: nothing about on-site, ever.
        remote = await open_ticket(units[2], "P2")
        await wait_until(lambda: _has(job(remote), technician_id="li"), timeout_s=30)
        for path, body in (
            ("remote-session", _step()),
            ("remote-session/end", _step(resolved=True)),
            ("resolve", _step(cause="settings", fix="reset by phone", minutes_spent=10, signed_by="Guard")),
        ):
            done = await dispatch_api.post(f"/jobs/{remote}/{path}", json=body, headers=li)
            assert done.status_code == 200, (path, done.text)

        async def on_site_not_needed() -> bool:
            explained = (await sla_api.get(f"/tickets/{remote}/sla", headers=dispatcher)).json()
            on_site = [c for c in explained.get("clocks", []) if c.get("clock") == "on_site"]
            return bool(on_site) and all(c.get("status") == "not_needed" for c in on_site)

        await wait_until(on_site_not_needed, timeout_s=30)

        sla_events = envelopes(
            await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.sla.v1", expected=1)
        )
        handoffs = [e for e in sla_events if e.subject == handed and e.type == "CaseHandedOff"]
        assert len(handoffs) == 1
        assert not [e for e in sla_events if e.subject == handed and e.data.get("reassign_field_job")]
        about_on_site = [
            (e.type, e.data.get("outcome"))
            for e in sla_events
            if e.subject == remote
            and (e.data.get("clock") == "on_site" or "on_site" in e.data.get("reason", ""))
        ]
        assert about_on_site == [("SlaClockStopped", "not_needed")]  # no warning, breach or escalation
        dispatch_events = envelopes(
            await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=1)
        )
        moves = [e for e in dispatch_events if e.subject == late and e.type == "TicketReassigned"]
        assert [(e.data["technician_id"], e.data["reason"]) for e in moves] == [("wu", "escalation")]
        assert not [e for e in dispatch_events if e.subject == handed and e.type == "TicketReassigned"]


async def _has(job_document, **expected) -> bool:
    document = await job_document
    return all(document.get(k) == v for k, v in expected.items())
