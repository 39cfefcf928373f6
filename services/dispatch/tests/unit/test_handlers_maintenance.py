"""Preventive maintenance through the bus on the in-memory unit of work: visits planned ahead hold no
capacity, are staffed on their day from that day's roster, never block a breakdown; since-last
cadences plan the next visit from the last completion."""

from datetime import UTC, datetime, timedelta

import pytest
from dispatch.domain.commands import (
    AddSchedule,
    AssignQueuedJobs,
    CompleteVisit,
    OpenJob,
    PlanMaintenance,
    RegisterTechnician,
)
from dispatch.domain.errors import IllegalTransition, InvalidCommand, JobNotFound
from dispatch.domain.events import (
    AssignmentQueued,
    MaintenanceVisitCompleted,
    MaintenanceVisitOverdue,
    MaintenanceVisitScheduled,
    TechnicianAssigned,
    WorkResolved,
)

TODAY = datetime.now(UTC).date()  # completion dates are the server's: since-last counts from them
SCHEDULE = AddSchedule(
    schedule_id="lift-7",
    every="15_days",
    first_due=TODAY - timedelta(days=1),
    region="SH",
    product_line="elevator",
    unit_id="U-7",
    today=TODAY,
)


async def register(bus, technician_id="li", capacity=3):
    await bus.handle(
        RegisterTechnician(
            technician_id=technician_id,
            name=technician_id.title(),
            level=1,
            skills=("elevator",),
            home_region="SH",
            capacity=capacity,
        )
    )


@pytest.fixture
async def planned(bus):
    await register(bus)
    return await bus.handle(SCHEDULE)


def visit_events(world, kind=None):
    found = [e for e in world.streams.all_events() if type(e).__name__.startswith("MaintenanceVisit")]
    return [e for e in found if kind is None or isinstance(e, kind)]


def complete(visit_id, technician_id="li"):
    return CompleteVisit(
        visit_id=visit_id,
        technician_id=technician_id,
        report="all good",
        minutes_spent=45,
        signed_by="Guard Wang",
        occurred_at=datetime.now(UTC),
    )


def entrapment(ticket_id="T-trapped"):
    return OpenJob(
        ticket_id=ticket_id,
        severity="P1",
        region="SH",
        product_line="elevator",
        unit_id="U-99",
        opened_at=datetime.now(UTC),
    )


async def test_a_since_last_schedule_has_one_visit_due_now_staffed_today(world, planned):
    assert planned["first_due"] == (TODAY - timedelta(days=1)).isoformat() and planned["every"] == "15_days"
    [scheduled] = visit_events(world, MaintenanceVisitScheduled)
    assert scheduled.due_on == TODAY and scheduled.region == "SH"  # never visited: due now, not overdue
    [first_job] = world.streams.events(f"job:{scheduled.visit_id}")
    assert isinstance(first_job, TechnicianAssigned) and first_job.technician_id == "li"
    assert (first_job.severity, first_job.unit_id) == ("maintenance", "U-7")
    assert world.loads() == {} and world.visit_loads() == {"li": 1}  # no breakdown capacity taken


async def test_completing_plans_the_next_visit_from_the_completion_not_the_first_date(bus, world, planned):
    [first] = visit_events(world, MaintenanceVisitScheduled)
    document = await bus.handle(complete(first.visit_id))
    assert document["status"] == "resolved"
    assert isinstance(world.streams.events(f"job:{first.visit_id}")[-1], WorkResolved)
    assert isinstance(world.streams.events(f"visit:{first.visit_id}")[-1], MaintenanceVisitCompleted)
    due = [e.due_on for e in visit_events(world, MaintenanceVisitScheduled)]
    assert due == [TODAY, TODAY + timedelta(days=15)]  # 15 days after the completion
    assert not world.streams.events(f"job:MV-lift-7-{TODAY + timedelta(days=15)}")  # no capacity yet
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=3)))
    assert len(visit_events(world, MaintenanceVisitScheduled)) == 2  # one outstanding visit at a time
    with pytest.raises(IllegalTransition):
        await bus.handle(complete(first.visit_id))
    with pytest.raises(JobNotFound):
        await bus.handle(complete(first.visit_id, technician_id="wu"))


async def test_a_schedule_id_is_taken_once_and_a_schedule_needs_a_unit_or_contract(bus, planned):
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(SCHEDULE)
    assert exc.value.field == "schedule_id"
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(
            AddSchedule(schedule_id="x", every="month", first_due=TODAY, region="SH", today=TODAY)
        )
    assert exc.value.field == "unit_id"
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(
            AddSchedule(
                schedule_id="y",
                every="days_since_last",
                first_due=TODAY,
                region="SH",
                unit_id="U",
                today=TODAY,
            )
        )
    assert exc.value.field == "interval_days"


async def test_calendar_visits_are_planned_ahead_and_staffed_on_their_day(bus, world):
    await register(bus)
    await bus.handle(
        AddSchedule(
            schedule_id="chiller",
            every="quarter",
            first_due=TODAY + timedelta(days=10),
            region="SH",
            product_line="elevator",
            contract_id="K-1",
            today=TODAY,
        )
    )
    [scheduled] = visit_events(world, MaintenanceVisitScheduled)
    assert scheduled.notify_on == TODAY + timedelta(days=3)  # the customer is told 7 days before
    assert not world.streams.events(f"job:{scheduled.visit_id}")  # planned, holding nobody
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=9)))
    assert not world.streams.events(f"job:{scheduled.visit_id}")
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=10)))
    assert world.job(scheduled.visit_id).technician_id == "li"
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=10)))
    assert len(world.streams.events(f"job:{scheduled.visit_id}")) == 1  # staffed once


async def test_a_visit_nobody_can_staff_on_its_day_is_queued_alarmed_and_staffed_later(bus, world):
    await register(bus)
    world.off_on[TODAY + timedelta(days=1)] = {"li"}
    await bus.handle(
        AddSchedule(
            schedule_id="lift-8",
            every="month",
            first_due=TODAY + timedelta(days=1),
            region="SH",
            product_line="elevator",
            unit_id="U-8",
            today=TODAY,
        )
    )
    vid = f"MV-lift-8-{TODAY + timedelta(days=1)}"
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=1)))  # li is not on that day's roster
    [queued] = world.streams.events(f"job:{vid}")
    assert isinstance(queued, AssignmentQueued) and queued.severity == "maintenance"
    assert await bus.handle(AssignQueuedJobs()) == 0  # the breakdown queue leaves visits to the planner
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=1)))
    assert len(world.streams.events(f"job:{vid}")) == 1  # alarmed once, still waiting
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=2)))  # li is back: staffed, and overdue
    assert world.job(vid).technician_id == "li"
    assert [e.visit_id for e in visit_events(world, MaintenanceVisitOverdue)] == [vid]


async def test_a_visit_counts_breakdowns_against_capacity_but_not_the_other_way(bus, world):
    await register(bus, capacity=1)
    await bus.handle(entrapment("T-1"))
    assert world.job("T-1").technician_id == "li"
    await bus.handle(
        AddSchedule(
            schedule_id="lift-9",
            every="15_days",
            first_due=TODAY,
            region="SH",
            product_line="elevator",
            unit_id="U-9",
            today=TODAY,
        )
    )
    vid = f"MV-lift-9-{TODAY}"
    assert world.job(vid).technician_id is None  # li is full with a breakdown: the visit waits
    assert isinstance(world.streams.events(f"job:{vid}")[0], AssignmentQueued)


async def test_planning_again_plans_nothing_twice_and_flags_overdue_once(bus, world, planned):
    await bus.handle(PlanMaintenance(today=TODAY))
    assert len(visit_events(world)) == 1
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=40)))
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=41)))
    overdue = visit_events(world, MaintenanceVisitOverdue)
    assert len(overdue) == 1  # the visit passed its due date undone: flagged once, no new one planned
    assert len(visit_events(world, MaintenanceVisitScheduled)) == 1


async def test_an_engineer_with_20_elevators_on_a_15_day_cadence_still_receives_an_entrapment(bus, world):
    """Issue 12 acceptance: 20 lifts every 15 days, none visited for 15 days, capacity 3: visits take
    what capacity is left for them, the rest wait (queued); the entrapment goes to the engineer all the
    same, because a visit never counts against a breakdown."""
    await register(bus, capacity=3)
    for n in range(20):
        await bus.handle(
            AddSchedule(
                schedule_id=f"lift-{n:02}",
                every="15_days",
                first_due=TODAY + timedelta(days=n % 15),
                region="SH",
                product_line="elevator",
                unit_id=f"U-{n:02}",
                today=TODAY,
            )
        )
    for day in range(15):
        await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=day)))
    assert len(visit_events(world, MaintenanceVisitScheduled)) == 20
    assert world.visit_loads() == {"li": 3} and world.loads() == {}
    queued = [e for e in world.streams.all_events() if isinstance(e, AssignmentQueued)]
    assert len(queued) == 17 and {e.severity for e in queued} == {"maintenance"}  # alarmed, not dropped
    await bus.handle(entrapment())
    assigned = world.streams.events("job:T-trapped")[0]
    assert isinstance(assigned, TechnicianAssigned) and assigned.technician_id == "li"
    assert world.loads() == {"li": 1}


async def test_one_planner_step_never_gives_an_engineer_more_visits_than_capacity(bus, world):
    """Visits planned and staffed in the same step count against each other before they commit."""
    await register(bus, capacity=3)
    for n in range(5):  # schedules stored without being planned (e.g. by an older release)
        world.schedules[f"lift-{n}"] = {
            "schedule_id": f"lift-{n}",
            "every": "15_days",
            "first_due": TODAY.isoformat(),
            "region": "SH",
            "product_line": "elevator",
            "unit_id": f"U-{n}",
        }
    await bus.handle(PlanMaintenance(today=TODAY))
    assert len(visit_events(world, MaintenanceVisitScheduled)) == 5
    assert world.visit_loads() == {"li": 3}
    assert len([e for e in world.streams.all_events() if isinstance(e, AssignmentQueued)]) == 2
