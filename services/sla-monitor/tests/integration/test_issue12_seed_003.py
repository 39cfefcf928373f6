"""Issue 12, the SLA half of the acceptance, on the real broker and database with the SHIPPED seed 003
policy (seeded at start, not a test-only one): a P2 resolved remotely ends with the on-site clock
`not_needed` and nothing about on-site on the SLA topic; a P1 is handed to the next tier at second 0
with `CaseHandedOff` and no `EscalationRaised`; an arrival synced late corrects the on-site breach.

Inputs that reach the monitor before the ticket's opening wait for it and are replayed at their own
times, so a ticket reported hours ago is measured exactly, without waiting for real minutes."""

from datetime import UTC, datetime, timedelta

import asyncpg

from shared.testing.waiting import envelopes, publish, read_topic, wait_until


def tickets_topic(prefix):
    return f"{prefix}servicepact.tickets.v1"


def opened(ticket_id: str, at: datetime, severity: str) -> dict:
    """Intake's TicketOpened for a customer on the shipped seed 003 policy."""
    context = {
        "customer_id": "C-1",
        "contract_id": "K-1",
        "policy_id": "seed-003",
        "calendar_id": "7x24",
        "severity": severity,
        "region": "SH",
        "site_id": None,
        "unit_id": None,
        "product_line": None,
        "on_site_covered": True,
    }
    return {
        "ticket_id": ticket_id,
        "occurred_at": at.isoformat(),
        "reported_at": at.isoformat(),
        "channel": "phone",
        "description": "down",
        "context": context,
    }


async def ticket_records(bootstrap, prefix, ticket_id, expected, timeout_s=20.0):
    """The SLA topic's records about one ticket, once `expected` arrived."""

    async def enough():
        records = await read_topic(bootstrap, f"{prefix}servicepact.sla.v1", expected=1, timeout_s=1)
        mine = [r for r in records if r.key == ticket_id.encode()]
        return mine if len(mine) >= expected else None

    return await wait_until(enough, timeout_s)


async def consuming(sla, admin, bootstrap, prefix):
    """Wait until the monitor's consumer group has joined (a warm-up ticket shows up)."""
    warm = opened("WARM", datetime.now(UTC), "P4")
    await publish(bootstrap, tickets_topic(prefix), type_="TicketOpened", subject="WARM", data=warm)

    async def known():
        return (await sla.get("/tickets/WARM/sla", headers=admin)).status_code == 200

    await wait_until(known)


def dispatch_topic(prefix):
    return f"{prefix}servicepact.dispatch.v1"


async def fact(bootstrap, prefix, topic, type_, ticket_id, at, **fields):
    data = {
        "ticket_id": ticket_id,
        "occurred_at": at.isoformat(),
        "technician_id": "li",
        "job_id": "J",
        **fields,
    }
    await publish(bootstrap, topic(prefix), type_=type_, subject=ticket_id, data=data)


async def kept(database_url, ticket_id, count):
    """Wait until the monitor has kept `count` early inputs of the ticket (before its opening)."""
    plain = database_url.replace("postgresql+asyncpg://", "postgresql://")

    async def enough():
        conn = await asyncpg.connect(plain)
        try:
            return (
                await conn.fetchval("SELECT count(*) FROM sla_inputs WHERE ticket_id = $1", ticket_id)
                >= count
            )
        finally:
            await conn.close()

    await wait_until(enough)


async def clocks(sla, admin, ticket_id, ready):
    async def answer():
        response = await sla.get(f"/tickets/{ticket_id}/sla", headers=admin)
        if response.status_code != 200:
            return None
        body = response.json()
        return body if ready(body) else None

    return await wait_until(answer)


def clock(body, name):
    return next((c for c in body["clocks"] if c["clock"] == name), None)


async def test_a_p2_resolved_remotely_ends_with_on_site_not_needed_and_nothing_on_site_on_the_topic(
    sla, admin, bootstrap_servers, topic_prefix, database_url
):
    await consuming(sla, admin, bootstrap_servers, topic_prefix)
    t0, b, p = datetime.now(UTC) - timedelta(hours=3), bootstrap_servers, topic_prefix
    await fact(b, p, dispatch_topic, "RemoteSessionStarted", "P2-R", t0 + timedelta(minutes=2))
    await fact(b, p, dispatch_topic, "RemoteSessionEnded", "P2-R", t0 + timedelta(minutes=40), resolved=True)
    await fact(
        b, p, dispatch_topic, "WorkResolved", "P2-R", t0 + timedelta(minutes=40), fix="reset", fault_code=None
    )
    await kept(database_url, "P2-R", 3)
    await publish(b, tickets_topic(p), type_="TicketOpened", subject="P2-R", data=opened("P2-R", t0, "P2"))

    body = await clocks(sla, admin, "P2-R", lambda body: clock(body, "on_site") is not None)
    assert body["policy_id"] == "seed-003" and body["unmeasured"] is None
    assert clock(body, "on_site")["status"] == "not_needed"
    assert clock(body, "response")["status"] == "met"
    records = envelopes(await ticket_records(b, p, "P2-R", 1))
    on_site = [(e.type, e.data.get("outcome")) for e in records if e.data.get("clock") == "on_site"]
    assert on_site == [("SlaClockStopped", "not_needed")]
    assert [e for e in records if e.type == "EscalationRaised" and "on_site" in e.data["reason"]] == []


async def test_a_p1_is_handed_off_at_second_0_without_an_escalation(
    sla, admin, bootstrap_servers, topic_prefix
):
    await consuming(sla, admin, bootstrap_servers, topic_prefix)
    at = datetime.now(UTC)
    data = opened("P1-H", at, "P1")
    await publish(
        bootstrap_servers, tickets_topic(topic_prefix), type_="TicketOpened", subject="P1-H", data=data
    )
    records = envelopes(await ticket_records(bootstrap_servers, topic_prefix, "P1-H", 1))
    handed = [e for e in records if e.type == "CaseHandedOff"]
    assert [(e.data["from_level"], e.data["to_level"]) for e in handed] == [(1, 2)]
    assert datetime.fromisoformat(handed[0].data["occurred_at"]) == at  # at once: the hand-off target is 0
    assert [e for e in records if e.type == "EscalationRaised"] == []  # the field job stays where it is
    body = await clocks(sla, admin, "P1-H", lambda body: body["case_tier"] == 2)
    assert body["escalation_level"] == 1


async def test_an_arrival_synced_late_corrects_the_on_site_breach(
    sla, admin, bootstrap_servers, topic_prefix, database_url
):
    await consuming(sla, admin, bootstrap_servers, topic_prefix)
    t0, b, p = datetime.now(UTC) - timedelta(minutes=61), bootstrap_servers, topic_prefix
    await fact(b, p, dispatch_topic, "AssignmentAcknowledged", "P1-L", t0 + timedelta(minutes=2))
    await kept(database_url, "P1-L", 1)
    await publish(b, tickets_topic(p), type_="TicketOpened", subject="P1-L", data=opened("P1-L", t0, "P1"))

    def raised(records):
        return [
            (e.data["level"], e.data["reason"], e.data["reassign_field_job"])
            for e in records
            if e.type == "EscalationRaised"
        ]

    async def escalated():
        records = envelopes(await ticket_records(b, p, "P1-L", 1))
        return records if len(raised(records)) == 2 else None

    records = await wait_until(escalated)
    assert raised(records) == [(2, "breach:on_site", True), (3, "overdue:on_site", False)]
    breach = next(e for e in records if e.type == "SlaBreached" and e.data["clock"] == "on_site")

    await fact(b, p, dispatch_topic, "TechnicianArrived", "P1-L", t0 + timedelta(minutes=38))  # synced late
    body = await clocks(sla, admin, "P1-L", lambda body: clock(body, "on_site")["breach_corrected"])
    assert clock(body, "on_site")["status"] == "met"
    records = envelopes(await ticket_records(b, p, "P1-L", len(records) + 2))
    (corrected,) = [e for e in records if e.type == "SlaBreachCorrected"]
    assert corrected.data["clock"] == "on_site" and corrected.data["escalation_levels"] == [2, 3]
    assert breach.id in {e.id for e in records}  # nothing emitted is deleted
