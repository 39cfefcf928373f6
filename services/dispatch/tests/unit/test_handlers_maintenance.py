"""Preventive maintenance through the bus on the in-memory unit of work."""

from datetime import UTC, date, datetime, timedelta

import pytest
from dispatch.domain.commands import AddSchedule, CompleteVisit, PlanMaintenance, RegisterTechnician
from dispatch.domain.errors import IllegalTransition, InvalidCommand, JobNotFound
from dispatch.domain.events import (
    MaintenanceVisitCompleted,
    MaintenanceVisitOverdue,
    MaintenanceVisitScheduled,
    TechnicianAssigned,
    WorkResolved,
)

TODAY = date(2026, 11, 26)
SCHEDULE = AddSchedule(
    schedule_id="lift-7",
    every="15_days",
    first_due=TODAY - timedelta(days=1),
    region="SH",
    product_line="elevator",
    unit_id="U-7",
    today=TODAY,
)


@pytest.fixture
async def planned(bus):
    await bus.handle(
        RegisterTechnician(
            technician_id="li", name="Li", level=1, skills=("elevator",), home_region="SH", capacity=3
        )
    )
    return await bus.handle(SCHEDULE)


def visit_events(world):
    return [e for e in world.streams.all_events() if type(e).__name__.startswith("MaintenanceVisit")]


async def test_a_schedule_plans_a_month_of_visits_each_with_an_assigned_job(world, planned):
    assert planned["first_due"] == "2026-11-25" and planned["every"] == "15_days"
    scheduled = [e for e in visit_events(world) if isinstance(e, MaintenanceVisitScheduled)]
    assert [e.due_on for e in scheduled] == [TODAY + timedelta(days=14), TODAY + timedelta(days=29)]
    assert all(e.region == "SH" for e in scheduled)
    [first_job] = world.streams.events(f"job:{scheduled[0].visit_id}")
    assert isinstance(first_job, TechnicianAssigned) and first_job.technician_id == "li"
    assert (first_job.severity, first_job.unit_id) == ("maintenance", "U-7")


async def test_a_schedule_id_is_taken_once_and_a_schedule_needs_a_unit_or_contract(bus, planned):
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(SCHEDULE)
    assert exc.value.field == "schedule_id"
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(
            AddSchedule(schedule_id="x", every="month", first_due=TODAY, region="SH", today=TODAY)
        )
    assert exc.value.field == "unit_id"


async def test_planning_again_plans_nothing_twice_and_flags_overdue_once(bus, world, planned):
    await bus.handle(PlanMaintenance(today=TODAY))
    assert len(visit_events(world)) == 2
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=40)))
    await bus.handle(PlanMaintenance(today=TODAY + timedelta(days=41)))
    overdue = [e for e in visit_events(world) if isinstance(e, MaintenanceVisitOverdue)]
    assert len(overdue) == 2  # both visits passed their due date undone, each flagged once


async def test_completing_a_visit_resolves_its_job(bus, world, planned):
    visit_id = f"MV-lift-7-{TODAY + timedelta(days=14)}"
    complete = CompleteVisit(
        visit_id=visit_id,
        technician_id="li",
        report="all good",
        minutes_spent=45,
        signed_by="Guard Wang",
        occurred_at=datetime.now(UTC),
    )
    document = await bus.handle(complete)
    assert document["status"] == "resolved"
    assert isinstance(world.streams.events(f"job:{visit_id}")[-1], WorkResolved)
    assert isinstance(world.streams.events(f"visit:{visit_id}")[-1], MaintenanceVisitCompleted)
    with pytest.raises(IllegalTransition):
        await bus.handle(complete)
    with pytest.raises(JobNotFound):
        await bus.handle(CompleteVisit(**{**complete.__dict__, "technician_id": "wu"}))
