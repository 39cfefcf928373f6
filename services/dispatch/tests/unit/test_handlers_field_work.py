"""The technician app's commands through the bus on the in-memory unit of work."""

from datetime import UTC, datetime, timedelta

import pytest
from dispatch.domain.commands import (
    AcknowledgeAssignment,
    ArriveOnSite,
    DepartForSite,
    EndRemoteSession,
    OpenJob,
    RecordDiagnosis,
    RegisterTechnician,
    RequestParts,
    RequireOnSiteVisit,
    ResolveJob,
    StartRemoteSession,
)
from dispatch.domain.errors import ClientIdReused, JobNotFound
from dispatch.domain.events import (
    AssignmentAcknowledged,
    DiagnosisRecorded,
    OnSiteVisitRequired,
    PartsRequested,
    RemoteSessionEnded,
    RemoteSessionStarted,
    RepeatRepairDetected,
    TechnicianArrived,
    TechnicianDeparted,
    WorkResolved,
)

NOW = datetime.now(UTC)
REPORT = dict(cause="worn rope", fix="replaced rope", minutes_spent=40, signed_by="Guard Wang")


@pytest.fixture
async def assigned(bus):
    await bus.handle(
        RegisterTechnician(
            technician_id="li", name="Li", level=1, skills=("elevator",), home_region="SH", capacity=3
        )
    )
    for ticket_id in ("T-1", "T-2"):
        await bus.handle(
            OpenJob(
                ticket_id=ticket_id,
                severity="P2",
                region="SH",
                product_line="elevator",
                unit_id="U-1",
                opened_at=NOW,
            )
        )


def step(command, ticket_id="T-1", technician_id="li", minutes=1, client_id=None, **fields):
    return command(
        ticket_id=ticket_id,
        technician_id=technician_id,
        occurred_at=NOW - timedelta(hours=1) + timedelta(minutes=minutes),
        client_id=client_id,
        **fields,
    )


@pytest.mark.parametrize(
    ("command", "fields", "event", "status"),
    [
        (AcknowledgeAssignment, {}, AssignmentAcknowledged, "acknowledged"),
        (StartRemoteSession, {}, RemoteSessionStarted, "remote"),
        (EndRemoteSession, {"resolved": False}, RemoteSessionEnded, "remote"),
        (DepartForSite, {}, TechnicianDeparted, "en_route"),
        (ArriveOnSite, {}, TechnicianArrived, "on_site"),
        (RecordDiagnosis, {"diagnosis": "rope", "fault_code": "E7"}, DiagnosisRecorded, "working"),
        (RequestParts, {"parts": ("R-1",)}, PartsRequested, "awaiting_parts"),
        (ResolveJob, REPORT, WorkResolved, "resolved"),
        (RequireOnSiteVisit, {"reason": "needs hands"}, OnSiteVisitRequired, "assigned"),
    ],
)
async def test_each_field_step_is_recorded_and_answers_the_job(
    bus, world, assigned, command, fields, event, status
):
    document = await bus.handle(step(command, **fields))
    assert type(world.streams.events("job:T-1")[-1]) is event
    assert document["status"] == status and document["ticket_id"] == "T-1"
    assert document["history"][-1]["technician_id"] == "li"


async def test_a_retried_submission_gets_its_first_answer_and_records_nothing(bus, world, assigned):
    ack = step(AcknowledgeAssignment, client_id="li-ack-0001")
    first = await bus.handle(ack)
    assert await bus.handle(ack) == first
    assert len(world.streams.events("job:T-1")) == 2
    with pytest.raises(ClientIdReused) as exc:
        await bus.handle(step(ArriveOnSite, client_id="li-ack-0001"))
    assert exc.value.field == "client_id"


async def test_someone_elses_job_looks_like_no_job(bus, assigned):
    with pytest.raises(JobNotFound):
        await bus.handle(step(AcknowledgeAssignment, technician_id="wu"))
    with pytest.raises(JobNotFound):
        await bus.handle(step(AcknowledgeAssignment, ticket_id="T-404"))


async def test_resolving_frees_the_engineer_and_flags_a_repeat_fault(bus, world, assigned):
    assert world.loads() == {"li": 2}
    await bus.handle(step(ResolveJob, **REPORT, fault_code="E7"))
    resolved = world.streams.events("job:T-1")[-1]
    assert isinstance(resolved, WorkResolved) and resolved.unit_id == "U-1"
    assert world.loads() == {"li": 1}
    await bus.handle(step(ResolveJob, ticket_id="T-2", minutes=2, **REPORT, fault_code="E7"))
    repeat = world.streams.events("job:T-2")[-1]
    assert isinstance(repeat, RepeatRepairDetected) and repeat.previous_ticket_id == "T-1"
    assert world.loads() == {}


async def test_a_late_step_is_recorded_but_moves_nothing(bus, assigned):
    await bus.handle(step(ArriveOnSite, minutes=20))
    document = await bus.handle(step(DepartForSite, minutes=10))
    assert document["status"] == "on_site"
    steps = [(s["step"], s["late"]) for s in document["history"] if s["step"] != "assigned"]
    assert steps == [("departed", True), ("arrived", False)]  # in order of occurrence
