"""Dispatch on the real broker and database: auto-assignment, field work, escalation, the queue."""

import asyncio
from datetime import UTC, datetime, timedelta

from shared.testing.waiting import envelopes, publish, read_topic, wait_until

TECHS = [
    {
        "technician_id": "li",
        "name": "Li L1",
        "level": 1,
        "skills": ["elevator"],
        "home_region": "SH",
        "regions": [],
        "capacity": 3,
    },
    {
        "technician_id": "wu",
        "name": "Wu L2",
        "level": 2,
        "skills": ["elevator"],
        "home_region": "SH",
        "regions": [],
        "capacity": 3,
    },
    {
        "technician_id": "far",
        "name": "Far L1",
        "level": 1,
        "skills": ["elevator"],
        "home_region": "BJ",
        "regions": [],
        "capacity": 3,
    },
]


def opened(ticket_id, severity="P1", region="SH", product_line="elevator"):
    return {
        "ticket_id": ticket_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "reported_at": datetime.now(UTC).isoformat(),
        "account_engineer_id": None,
        "context": {
            "customer_id": "C-1",
            "policy_id": "seed-003",
            "calendar_id": "7x24",
            "severity": severity,
            "region": region,
            "unit_id": "U-1",
            "product_line": product_line,
            "on_site_covered": True,
        },
    }


async def register(dispatch, tokens, techs=TECHS):
    admin = tokens("ops-admin")
    for tech in techs:
        response = await dispatch.post("/technicians", json=tech, headers=admin)
        assert response.status_code == 201, response.text


async def job_of(dispatch, tokens, ticket_id):
    response = await dispatch.get(f"/jobs/{ticket_id}", headers=tokens("dispatcher"))
    return response.json() if response.status_code == 200 else None


async def test_p1_is_assigned_within_a_second_and_the_field_api_is_owned(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens)
    # warm-up: the consumer group's first join takes a few seconds on any broker
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="W",
        data=opened("W", region="nowhere"),
    )
    await wait_until(lambda: job_of(dispatch, tokens, "W"))
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="T-1",
        data=opened("T-1"),
    )

    async def assigned():
        job = await job_of(dispatch, tokens, "T-1")
        return job if job and job["technician_id"] else None

    job = await wait_until(assigned, interval_s=0.02)
    assert job["technician_id"] == "li"  # region SH, skill, least senior who fits
    # how soon (TicketOpened -> assigned) is a speed figure: bench/dispatch.py measures it

    li = tokens("technician", sub="li", technician_id="li")
    wu = tokens("technician", sub="wu", technician_id="wu")
    now = datetime.now(UTC)
    ack = {"client_id": "li-ack-000001", "occurred_at": now.isoformat()}
    assert (await dispatch.post("/jobs/T-1/acknowledge", json=ack, headers=wu)).status_code == 404
    assert (await dispatch.get("/jobs/T-1", headers=wu)).status_code == 404
    first = await dispatch.post("/jobs/T-1/acknowledge", json=ack, headers=li)
    retry = await dispatch.post("/jobs/T-1/acknowledge", json=ack, headers=li)
    assert first.status_code == retry.status_code == 200 and first.json() == retry.json()
    arrive = {"client_id": "li-arrive-001", "occurred_at": (now + timedelta(seconds=20)).isoformat()}
    depart_late = {"client_id": "li-depart-001", "occurred_at": (now + timedelta(seconds=10)).isoformat()}
    assert (await dispatch.post("/jobs/T-1/arrive", json=arrive, headers=li)).json()["status"] == "on_site"
    after = (await dispatch.post("/jobs/T-1/depart", json=depart_late, headers=li)).json()
    assert after["status"] == "on_site"  # a late submission never moves the job backwards
    assert [s["step"] for s in after["history"]][-3:] == ["acknowledged", "departed", "arrived"]
    future = {"client_id": "li-future-01", "occurred_at": (now + timedelta(hours=1)).isoformat()}
    bad = await dispatch.post("/jobs/T-1/diagnosis", json={**future, "diagnosis": "x"}, headers=li)
    assert bad.status_code == 422 and bad.json()["field"] == "occurred_at"
    listed = (await dispatch.get("/jobs", headers=wu)).json()
    assert listed == []

    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=6)
    job_events = [e.type for e in envelopes(records) if e.subject == "T-1"]
    assert job_events == [
        "TechnicianAssigned",
        "AssignmentAcknowledged",
        "TechnicianArrived",
        "TechnicianDeparted",
    ]


async def test_escalation_reassigns_to_an_on_shift_supervisor_exactly_once(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens)
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="T-2",
        data=opened("T-2", severity="P2"),
    )
    await wait_until(lambda: job_of(dispatch, tokens, "T-2"))
    escalation = {
        "ticket_id": "T-2",
        "occurred_at": datetime.now(UTC).isoformat(),
        "level": 2,
        "reason": "breach:response",
        "region": "SH",
        "clock": "response",
        "threshold": "escalation:L2",
    }
    for _ in range(2):  # a second copy of the escalation must not reassign again
        await publish(
            bootstrap_servers,
            f"{topic_prefix}servicepact.sla.v1",
            type_="EscalationRaised",
            subject="T-2",
            data=escalation,
        )

    async def reassigned():
        job = await job_of(dispatch, tokens, "T-2")
        return job if job and job["level"] == 2 else None

    job = await wait_until(reassigned)
    assert job["technician_id"] == "wu"
    await asyncio.sleep(1.0)
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=2)
    moves = [
        (e.type, e.data.get("reason"), e.data.get("level")) for e in envelopes(records) if e.subject == "T-2"
    ]
    assert moves == [("TechnicianAssigned", "least_loaded", 1), ("TicketReassigned", "escalation", 2)]


async def test_nobody_fits_queues_and_the_queue_drains_when_someone_does(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens, TECHS[2:])  # only a Beijing engineer
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="T-3",
        data=opened("T-3", region="GZ"),
    )

    async def queued():
        job = await job_of(dispatch, tokens, "T-3")
        return job if job and job["status"] == "queued" else None

    await wait_until(queued)
    queue = (await dispatch.get("/jobs", params={"queued": "true"}, headers=tokens("dispatcher"))).json()
    assert [j["ticket_id"] for j in queue] == ["T-3"]
    await register(dispatch, tokens, [{**TECHS[0], "technician_id": "gz", "home_region": "GZ"}])

    async def assigned():
        job = await job_of(dispatch, tokens, "T-3")
        return job if job and job["technician_id"] == "gz" else None

    await wait_until(assigned)
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=2)
    assert [e.type for e in envelopes(records) if e.subject == "T-3"] == [
        "AssignmentQueued",
        "TechnicianAssigned",
    ]


async def test_roster_decides_who_is_on_shift(dispatch, tokens):
    await register(dispatch, tokens)
    admin = tokens("ops-admin")
    roster = {
        "timezone": "Asia/Shanghai",
        "shifts": {"li": [{"start": "00:00", "end": "24:00"}]},
        "leave": [
            {
                "technician_id": "li",
                "start": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                "end": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            }
        ],
    }
    assert (await dispatch.put("/roster", json=roster, headers=admin)).status_code == 200
    on_shift = (
        await dispatch.get(
            "/technicians",
            params={"on_shift": "true", "region": "SH", "skill": "elevator"},
            headers=tokens("dispatcher"),
        )
    ).json()
    assert on_shift == []  # li is on leave; the others have no shift
    roster["leave"] = []
    await dispatch.put("/roster", json=roster, headers=admin)
    on_shift = (
        await dispatch.get(
            "/technicians", params={"on_shift": "true", "region": "SH"}, headers=tokens("dispatcher")
        )
    ).json()
    assert [t["technician_id"] for t in on_shift] == ["li"]
    bad = await dispatch.put(
        "/roster", json={"shifts": {"li": [{"start": "25:00", "end": "08:00"}]}}, headers=admin
    )
    assert bad.status_code == 422


async def test_maintenance_visits_are_planned_staffed_on_their_day_completed_and_overdue(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens)
    today = datetime.now(UTC).date()
    office = tokens("dispatcher")
    lift = {
        "schedule_id": "lift-7",
        "every": "15_days",
        "first_due": (today - timedelta(days=1)).isoformat(),
        "region": "SH",
        "product_line": "elevator",
        "unit_id": "U-7",
    }
    chiller = {
        "schedule_id": "chiller-1",
        "every": "half_year",
        "first_due": (today + timedelta(days=10)).isoformat(),
        "region": "SH",
        "product_line": "elevator",
        "contract_id": "K-1",
    }
    maintenance = dispatch.app.state.maintenance  # the in-process app: run its step with a chosen date
    for schedule in (lift, chiller):
        created = await dispatch.post("/maintenance/schedules", json=schedule, headers=office)
        assert created.status_code == 201
    bad = await dispatch.post(
        "/maintenance/schedules",
        json={**lift, "schedule_id": "x", "every": "days_since_last"},
        headers=office,
    )
    assert bad.status_code == 422 and "interval_days" in bad.text
    visits = (await dispatch.get("/maintenance/visits", headers=office)).json()
    assert [(v["due_on"], v["technician_id"]) for v in visits] == [
        (today.isoformat(), "li"),  # never visited: due now, staffed from today's roster
        ((today + timedelta(days=10)).isoformat(), None),  # planned ahead, holding nobody's capacity
    ]
    assert visits[1]["notify_on"] == (today + timedelta(days=3)).isoformat()
    technicians = (await dispatch.get("/technicians", headers=office)).json()
    assert {t["technician_id"]: t["load"] for t in technicians}["li"] == 0  # a visit is not a breakdown
    first = visits[0]
    li = tokens("technician", sub="li", technician_id="li")
    report = {
        "client_id": "visit-done-0001",
        "occurred_at": datetime.now(UTC).isoformat(),
        "report": "all good",
        "minutes_spent": 45,
        "signed_by": "Guard Wang",
    }
    done = await dispatch.post(f"/maintenance/visits/{first['visit_id']}/complete", json=report, headers=li)
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    visits = (await dispatch.get("/maintenance/visits", headers=office)).json()
    following = f"MV-lift-7-{today + timedelta(days=15)}"  # 15 days after the completion
    assert {v["visit_id"]: v["technician_id"] for v in visits}[following] is None
    await maintenance.run_once(today + timedelta(days=40))  # neither was done: staffed late, and overdue
    statuses = {
        v["visit_id"]: (v["status"], v["technician_id"])
        for v in (await dispatch.get("/maintenance/visits", headers=office)).json()
    }
    assert statuses[first["visit_id"]] == ("completed", "li")
    assert statuses[following][0] == "overdue" and statuses[following][1] in {"li", "wu"}
    assert statuses[visits[1]["visit_id"]][0] == "overdue"
    await maintenance.run_once(today + timedelta(days=41))  # overdue once, not every day
    records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.dispatch.v1", expected=10)
    kinds = [e.type for e in envelopes(records) if e.type.startswith("Maintenance")]
    assert kinds.count("MaintenanceVisitOverdue") == 2
    assert kinds.count("MaintenanceVisitCompleted") == 1
    assert kinds.count("MaintenanceVisitScheduled") == 3


async def test_a_regional_supervisor_sees_only_their_region(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens)
    for ticket_id, region in (("T-SH", "SH"), ("T-BJ", "BJ")):
        await publish(
            bootstrap_servers,
            f"{topic_prefix}servicepact.tickets.v1",
            type_="TicketOpened",
            subject=ticket_id,
            data=opened(ticket_id, region=region),
        )
        await wait_until(lambda ticket_id=ticket_id: job_of(dispatch, tokens, ticket_id))
    shanghai = tokens("supervisor", sub="boss", region="SH")
    assert [j["ticket_id"] for j in (await dispatch.get("/jobs", headers=shanghai)).json()] == ["T-SH"]
    assert (await dispatch.get("/jobs/T-BJ", headers=shanghai)).status_code == 404


async def test_a_ticket_resolved_by_the_office_frees_the_engineer(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens, [{**TECHS[0], "capacity": 1}])
    tickets = f"{topic_prefix}servicepact.tickets.v1"
    await publish(bootstrap_servers, tickets, type_="TicketOpened", subject="T-A", data=opened("T-A"))
    await wait_until(lambda: job_of(dispatch, tokens, "T-A"))
    await publish(bootstrap_servers, tickets, type_="TicketOpened", subject="T-B", data=opened("T-B"))

    async def status_of(ticket_id, wanted):
        job = await job_of(dispatch, tokens, ticket_id)
        return job is not None and job["status"] == wanted

    await wait_until(lambda: status_of("T-B", "queued"))  # li is full
    await publish(
        bootstrap_servers,
        tickets,
        type_="TicketResolved",
        subject="T-A",
        data={"ticket_id": "T-A", "occurred_at": datetime.now(UTC).isoformat()},
    )
    await wait_until(lambda: status_of("T-B", "assigned"))  # freed, and the queue drained


async def test_a_hand_off_names_the_case_owner_and_the_engineer_still_works_the_job(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    """Seed 003 hands a P1 to L2 at once: the case owner changes, li keeps the field job."""
    await register(dispatch, tokens)
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="T-5",
        data=opened("T-5"),
    )
    await wait_until(lambda: job_of(dispatch, tokens, "T-5"))
    handed_off = {
        "ticket_id": "T-5",
        "from_level": 1,
        "to_level": 2,
        "reason": "handoff",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.sla.v1",
        type_="CaseHandedOff",
        subject="T-5",
        data=handed_off,
    )

    async def owned():
        job = await job_of(dispatch, tokens, "T-5")
        return job if job and job["case_owner_id"] else None

    job = await wait_until(owned)
    assert (job["case_owner_id"], job["accountable_level"], job["technician_id"]) == ("wu", 2, "li")
    li = tokens("technician", sub="li", technician_id="li")
    now = datetime.now(UTC).isoformat()
    for path in ("acknowledge", "arrive"):
        step = {"client_id": f"li-t5-{path}", "occurred_at": now}
        response = await dispatch.post(f"/jobs/T-5/{path}", json=step, headers=li)
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "on_site"


async def test_a_late_arrival_synced_after_a_reassignment_is_accepted_as_the_former_assignees(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens)
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="T-6",
        data=opened("T-6"),
    )
    await wait_until(lambda: job_of(dispatch, tokens, "T-6"))
    arrived_at = datetime.now(UTC)  # li arrives with the phone offline
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.sla.v1",
        type_="EscalationRaised",
        subject="T-6",
        data={
            "ticket_id": "T-6",
            "occurred_at": datetime.now(UTC).isoformat(),
            "level": 2,
            "reason": "breach:on_site",
            "reassign_field_job": True,
        },
    )

    async def reassigned():
        job = await job_of(dispatch, tokens, "T-6")
        return job if job and job["technician_id"] == "wu" else None

    await wait_until(reassigned)
    li = tokens("technician", sub="li", technician_id="li")
    synced = {"client_id": "li-t6-arrive", "occurred_at": arrived_at.isoformat()}
    response = await dispatch.post("/jobs/T-6/arrive", json=synced, headers=li)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["technician_id"] == "wu" and job["status"] == "assigned"
    assert [(s["step"], s["technician_id"]) for s in job["history"]] == [
        ("assigned", "li"),
        ("arrived", "li"),
        ("reassigned", "wu"),
    ]
    now = {"client_id": "li-t6-arrive-2", "occurred_at": datetime.now(UTC).isoformat()}
    assert (await dispatch.post("/jobs/T-6/arrive", json=now, headers=li)).status_code == 404
