"""Issue 12 acceptance on the real stack: an elevator engineer with 20 lifts on a 15-day cadence still
receives an entrapment ticket. Visits are planned ahead without holding capacity, staffed on their day
from that day's roster (someone not on the roster never gets one), and never count against a
breakdown."""

from datetime import UTC, datetime, timedelta

from shared.testing.waiting import publish, wait_until

from .test_dispatch import job_of, opened, register

ELEVATOR_ENGINEERS = [
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
        "technician_id": "zhao",
        "name": "Zhao L1 (not on the roster)",
        "level": 1,
        "skills": ["elevator"],
        "home_region": "SH",
        "regions": [],
        "capacity": 3,
    },
]


async def test_an_engineer_with_20_elevators_on_a_15_day_cadence_receives_an_entrapment(
    dispatch, tokens, bootstrap_servers, topic_prefix
):
    await register(dispatch, tokens, ELEVATOR_ENGINEERS)
    office, today = tokens("dispatcher"), datetime.now(UTC).date()
    roster = {"timezone": "Asia/Shanghai", "shifts": {"li": [{"start": "00:00", "end": "24:00"}]}}
    assert (await dispatch.put("/roster", json=roster, headers=tokens("ops-admin"))).status_code == 200
    for n in range(20):
        lift = {
            "schedule_id": f"lift-{n:02}",
            "every": "15_days",
            "first_due": (today + timedelta(days=n % 15)).isoformat(),
            "region": "SH",
            "product_line": "elevator",
            "unit_id": f"U-{n:02}",
        }
        assert (await dispatch.post("/maintenance/schedules", json=lift, headers=office)).status_code == 201
    planned = (await dispatch.get("/maintenance/visits", params={"limit": 500}, headers=office)).json()
    assert len(planned) == 20  # all planned ahead (the customers are told 7 days before) ...
    assert sum(v["technician_id"] is not None for v in planned) == 2  # ... only today's two are staffed
    maintenance = dispatch.app.state.maintenance
    for day in range(15):  # a fortnight of visits nobody completed: every one of them is due
        await maintenance.run_once(today + timedelta(days=day))
    visits = (await dispatch.get("/maintenance/visits", params={"limit": 500}, headers=office)).json()
    staffed = [v["technician_id"] for v in visits if v["technician_id"]]
    assert staffed == ["li"] * 3  # the capacity visits may use; zhao is on nobody's roster
    assert len(visits) == 20  # the other 17 wait, queued (and alarmed), none dropped or duplicated
    loads = {
        t["technician_id"]: t["load"] for t in (await dispatch.get("/technicians", headers=office)).json()
    }
    assert loads == {"li": 0, "zhao": 0}  # visits are not breakdowns

    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.tickets.v1",
        type_="TicketOpened",
        subject="T-trapped",
        data=opened("T-trapped"),
    )

    async def assigned():
        job = await job_of(dispatch, tokens, "T-trapped")
        return job if job and job["technician_id"] else None

    job = await wait_until(assigned, timeout_s=30)
    assert job["technician_id"] == "li"  # the entrapment reaches the engineer whose lifts are all due
