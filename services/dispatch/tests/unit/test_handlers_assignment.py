"""Assignment handlers through the bus on the in-memory unit of work."""

from datetime import UTC, datetime

import pytest
from dispatch.domain.commands import (
    AssignJob,
    AssignQueuedJobs,
    CloseJob,
    EscalateJob,
    OpenJob,
    ReclassifyJob,
    RegisterTechnician,
    ResolveJob,
)
from dispatch.domain.errors import InvalidCommand, JobNotFound
from dispatch.domain.events import (
    AssignmentQueued,
    JobClosed,
    TechnicianAssigned,
    TicketReassigned,
)

OPENED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def technician(technician_id, level=1, region="SH", capacity=3, skills=("elevator",)):
    return RegisterTechnician(
        technician_id=technician_id,
        name=technician_id.title(),
        level=level,
        skills=skills,
        home_region=region,
        capacity=capacity,
    )


def open_job(ticket_id="T-1", region="SH", severity="P1", unit_id="U-1", **kw):
    return OpenJob(
        ticket_id=ticket_id,
        severity=severity,
        region=region,
        product_line="elevator",
        customer_id="C-1",
        unit_id=unit_id,
        opened_at=OPENED,
        **kw,
    )


def types(world, ticket_id="T-1"):
    return [type(e) for e in world.streams.events(f"job:{ticket_id}")]


async def test_an_opened_ticket_is_assigned_and_its_first_event_carries_the_job(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job())
    [assigned] = world.streams.events("job:T-1")
    assert isinstance(assigned, TechnicianAssigned) and assigned.technician_id == "li"
    assert (assigned.region, assigned.severity, assigned.unit_id, assigned.opened_at) == (
        "SH",
        "P1",
        "U-1",
        OPENED,
    )
    assert assigned.on_site_required is True  # P1 with on-site cover
    assert world.loads() == {"li": 1}


async def test_a_replayed_ticket_opens_its_job_once(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job())
    await bus.handle(open_job())
    assert types(world) == [TechnicianAssigned]


async def test_nobody_fits_queues_the_job_then_the_queue_drains(bus, world):
    await bus.handle(open_job(region="GZ"))
    assert types(world) == [AssignmentQueued]
    assert await bus.handle(AssignQueuedJobs()) == 0
    await bus.handle(technician("gz", region="GZ"))
    assert await bus.handle(AssignQueuedJobs()) == 1
    assert types(world) == [AssignmentQueued, TechnicianAssigned]
    assert await bus.handle(AssignQueuedJobs()) == 0  # nothing left in the queue


async def test_reclassifying_notes_the_severity_and_retries_a_queued_job(bus, world):
    await bus.handle(open_job(region="GZ", severity="P3"))
    await bus.handle(technician("gz", region="GZ"))
    await bus.handle(ReclassifyJob(ticket_id="T-1", severity="P2"))
    assert world.severity == {"T-1": "P2"}
    assert types(world) == [AssignmentQueued, TechnicianAssigned]


async def test_a_ticket_closed_elsewhere_ends_the_job_and_frees_the_engineer(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job())
    await bus.handle(CloseJob(ticket_id="T-1", reason="resolved_by_office"))
    await bus.handle(CloseJob(ticket_id="T-1", reason="cancelled"))  # already ended: nothing
    closed = world.streams.events("job:T-1")[-1]
    assert isinstance(closed, JobClosed) and closed.technician_id == "li"
    assert types(world) == [TechnicianAssigned, JobClosed]
    assert world.loads() == {}
    assert str(world.job("T-1").status) == "resolved"


async def test_an_escalation_reassigns_to_the_raised_level_once(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_job(severity="P2"))
    escalation = EscalateJob(ticket_id="T-1", level=2, reason="breach:response", region="SH")
    await bus.handle(escalation)
    await bus.handle(escalation)
    moved = world.streams.events("job:T-1")[-1]
    assert types(world) == [TechnicianAssigned, TicketReassigned]
    assert (moved.technician_id, moved.previous_technician_id, moved.level) == ("wu", "li", 2)
    assert world.loads() == {"wu": 1}


async def test_an_escalation_nobody_can_take_alerts_the_dispatcher(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job(severity="P2"))
    await bus.handle(EscalateJob(ticket_id="T-1", level=3, reason="breach:on_site", reassign_field_job=True))
    queued = world.streams.events("job:T-1")[-1]
    assert isinstance(queued, AssignmentQueued) and "nobody on shift" in queued.reason
    assert world.job("T-1").technician_id == "li"


async def test_manual_assignment_and_reassignment(bus, world):
    await bus.handle(open_job(region="GZ"))
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(AssignJob(ticket_id="T-1", technician_id="li", reason="knows the site"))
    await bus.handle(AssignJob(ticket_id="T-1", technician_id="wu", reason="li is ill"))
    assert types(world) == [AssignmentQueued, TechnicianAssigned, TicketReassigned]
    assert world.streams.events("job:T-1")[-1].reason == "manual: li is ill"
    assert world.loads() == {"wu": 1}


async def test_manual_assignment_is_refused_for_unknown_people_and_jobs(bus, world):
    await bus.handle(technician("li"))
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(AssignJob(ticket_id="T-1", technician_id="nobody", reason="x"))
    assert exc.value.field == "technician_id"
    with pytest.raises(JobNotFound):
        await bus.handle(AssignJob(ticket_id="T-404", technician_id="li", reason="x"))


async def test_a_unit_goes_back_to_whoever_last_repaired_it(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu"))
    await bus.handle(open_job("T-1", unit_id="U-1"))  # a tie on load: the smallest id
    resolve = ResolveJob(
        ticket_id="T-1",
        technician_id="li",
        occurred_at=datetime.now(UTC),
        cause="rope",
        fix="new rope",
        minutes_spent=30,
        signed_by="Guard",
    )
    await bus.handle(resolve)
    await bus.handle(open_job("T-2", unit_id="U-2"))  # li again (a tie), now busier than wu
    await bus.handle(open_job("T-3", unit_id="U-1"))
    [assigned] = world.streams.events("job:T-3")
    assert (assigned.technician_id, assigned.reason) == ("li", "last_served_unit")
