"""The consent hold through the bus on the in-memory unit of work: a ticket whose chargeable work
waits for the customer's consent gets a held job, and nothing (opening, the queue, a reclassification,
a supervisor's reassignment, the office) sends anyone until the acceptance; then the job is staffed
as any other; a refusal ends it with nobody sent."""

from datetime import UTC, datetime

import pytest
from dispatch.domain.commands import (
    AssignJob,
    AssignQueuedJobs,
    EscalateJob,
    OpenJob,
    ReclassifyJob,
    RecordQuoteAnswer,
    RegisterTechnician,
    ReviewConsentHold,
)
from dispatch.domain.errors import IllegalTransition
from dispatch.domain.events import (
    AssignmentHeld,
    AssignmentQueued,
    AssignmentReleased,
    JobClosed,
    TechnicianAssigned,
)
from dispatch.service_layer.handlers.roles import JobNotOpenedYet

OPENED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def technician(technician_id: str, level: int = 1) -> RegisterTechnician:
    return RegisterTechnician(
        technician_id=technician_id,
        name=technician_id.title(),
        level=level,
        skills=("elevator",),
        home_region="SH",
        capacity=3,
    )


def open_job(ticket_id: str = "T-1", awaits_consent: bool = True) -> OpenJob:
    return OpenJob(
        ticket_id=ticket_id,
        severity="P2",
        region="SH",
        product_line="elevator",
        customer_id="C-1",
        unit_id="U-1",
        opened_at=OPENED,
        awaits_consent=awaits_consent,
    )


def answer(accepted: bool, ticket_id: str = "T-1") -> RecordQuoteAnswer:
    return RecordQuoteAnswer(ticket_id=ticket_id, accepted=accepted, occurred_at=datetime.now(UTC))


def types(world, ticket_id: str = "T-1") -> list[type]:
    return [type(e) for e in world.streams.events(f"job:{ticket_id}")]


async def test_a_job_awaiting_consent_is_held_and_nothing_sends_anyone(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_job())
    assert types(world) == [AssignmentHeld]
    await bus.handle(AssignQueuedJobs())
    await bus.handle(ReclassifyJob(ticket_id="T-1", severity="P1"))
    escalation = EscalateJob(
        ticket_id="T-1", level=2, reason="breach:response", reassign_field_job=True, occurred_at=OPENED
    )
    await bus.handle(escalation)
    with pytest.raises(IllegalTransition) as manual:
        await bus.handle(AssignJob(ticket_id="T-1", technician_id="li", reason="dispatcher's pick"))
    assert manual.value.state == "awaiting_consent"
    assert types(world) == [AssignmentHeld]
    job = world.job("T-1")
    assert job.awaiting_consent and job.technician_id is None and world.loads() == {}


async def test_the_acceptance_releases_the_job_and_it_is_staffed_once(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job())
    await bus.handle(answer(accepted=True))
    assert types(world) == [AssignmentHeld, AssignmentReleased, TechnicianAssigned]
    released, assigned = world.streams.events("job:T-1")[1:]
    assert released.reason == "the customer accepted the quote" and assigned.technician_id == "li"
    await bus.handle(answer(accepted=True))  # a copy changes nothing
    assert types(world) == [AssignmentHeld, AssignmentReleased, TechnicianAssigned]
    assert not world.job("T-1").awaiting_consent and world.loads() == {"li": 1}


async def test_released_with_nobody_fitting_the_job_waits_in_the_queue(bus, world):
    await bus.handle(open_job())
    await bus.handle(answer(accepted=True))
    assert types(world) == [AssignmentHeld, AssignmentReleased]
    await bus.handle(technician("li"))
    assert await bus.handle(AssignQueuedJobs()) == 1
    assert types(world)[-1] is TechnicianAssigned


async def test_a_refusal_ends_the_job_with_nobody_sent(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job())
    await bus.handle(answer(accepted=False))
    assert types(world) == [AssignmentHeld, JobClosed]
    closed = world.streams.events("job:T-1")[-1]
    assert (closed.reason, closed.technician_id) == ("cancelled", None)
    await bus.handle(answer(accepted=True))  # too late: the job is over
    await bus.handle(AssignQueuedJobs())
    assert types(world) == [AssignmentHeld, JobClosed] and world.loads() == {}


async def test_an_answer_before_the_job_exists_is_parked_not_dropped(bus, world):
    with pytest.raises(JobNotOpenedYet):
        await bus.handle(answer(accepted=True, ticket_id="T-9"))
    with pytest.raises(JobNotOpenedYet):
        await bus.handle(ReviewConsentHold(ticket_id="T-9", awaits_consent=True, occurred_at=OPENED))
    assert world.streams.events("job:T-9") == []
    await bus.handle(ReviewConsentHold(ticket_id="T-9", awaits_consent=False, occurred_at=OPENED))  # nothing


async def test_a_reassessment_holds_an_unstaffed_job_and_releases_one_no_longer_waiting(bus, world):
    await bus.handle(open_job(awaits_consent=False))  # nobody on the roster yet: queued
    assert types(world) == [AssignmentQueued]
    await bus.handle(ReviewConsentHold(ticket_id="T-1", awaits_consent=True, occurred_at=OPENED))
    await bus.handle(ReviewConsentHold(ticket_id="T-1", awaits_consent=True, occurred_at=OPENED))  # once
    assert types(world) == [AssignmentQueued, AssignmentHeld]
    await bus.handle(technician("li"))
    assert await bus.handle(AssignQueuedJobs()) == 0
    await bus.handle(ReviewConsentHold(ticket_id="T-1", awaits_consent=False, occurred_at=OPENED))
    assert types(world) == [AssignmentQueued, AssignmentHeld, AssignmentReleased, TechnicianAssigned]
    released = world.streams.events("job:T-1")[2]
    assert released.reason == "reassessed: no consent needed any more"


async def test_a_job_someone_holds_already_is_not_held_by_a_later_assessment(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_job(awaits_consent=False))
    await bus.handle(ReviewConsentHold(ticket_id="T-1", awaits_consent=True, occurred_at=OPENED))
    assert types(world) == [TechnicianAssigned]
    assert not world.job("T-1").awaiting_consent
