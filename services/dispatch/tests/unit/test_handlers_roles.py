"""The SLA's signals on the two roles, through the bus on the in-memory unit of work: the tier hand-off
names a case owner and the engineer keeps the job; only a missed promise of the assignee reassigns
the field job; a former assignee's late step is heard."""

from datetime import UTC, datetime, timedelta

import pytest
from dispatch.adapters import inbound
from dispatch.domain.commands import (
    AcknowledgeAssignment,
    ArriveOnSite,
    EscalateJob,
    HandOffCase,
    OpenJob,
    RegisterTechnician,
    ResolveJob,
)
from dispatch.domain.errors import JobNotFound, NotYourJob
from dispatch.domain.events import (
    AssignmentAcknowledged,
    AssignmentQueued,
    CaseOwnerAssigned,
    CaseOwnerUnstaffed,
    TechnicianArrived,
    TechnicianAssigned,
    TicketReassigned,
    WorkResolved,
)
from dispatch.entrypoints import consumers
from dispatch.service_layer.handlers.roles import JobNotOpenedYet

from shared.consumer import ArrivedEarly
from shared.envelope import Envelope

from .conftest import FakeDirectory


def technician(technician_id, level=1, region="SH", skills=("elevator",)):
    return RegisterTechnician(
        technician_id=technician_id,
        name=technician_id.title(),
        level=level,
        skills=skills,
        home_region=region,
        capacity=3,
    )


def open_p1(ticket_id="T-1"):
    return OpenJob(
        ticket_id=ticket_id,
        severity="P1",
        region="SH",
        product_line="elevator",
        customer_id="C-1",
        unit_id="U-1",
        opened_at=datetime.now(UTC),
    )


def handoff(ticket_id="T-1", to_level=2, occurred_at=None):
    return HandOffCase(
        ticket_id=ticket_id,
        from_level=to_level - 1,
        to_level=to_level,
        reason="问题提交: unresolved after PT0S",
        occurred_at=occurred_at or datetime.now(UTC),
    )


def field(command, technician_id="li", occurred_at=None, **fields):
    return command(
        ticket_id="T-1", technician_id=technician_id, occurred_at=occurred_at or datetime.now(UTC), **fields
    )


def types(world, ticket_id="T-1"):
    return [type(e) for e in world.streams.events(f"job:{ticket_id}")]


@pytest.fixture
def off_shift(monkeypatch):
    """Who is off shift now (the fake directory's roster otherwise has everyone on)."""
    away: set[str] = set()

    async def on_shift(self):
        return lambda technician_id, _at: technician_id not in away

    monkeypatch.setattr(FakeDirectory, "on_shift", on_shift)
    return away


async def test_a_p1_handed_off_at_once_stays_with_the_dispatched_engineer(bus, world):
    """Seed 003 hands a P1 to L2 at second 0: the L2 person owns the case; li goes, arrives, resolves."""
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_p1())
    await bus.handle(handoff())
    owner = world.streams.events("job:T-1")[-1]
    assert isinstance(owner, CaseOwnerAssigned)
    assert (owner.owner_id, owner.level, owner.previous_owner_id) == ("wu", 2, None)
    assert owner.reason.startswith("handoff: L1 -> L2")
    assert owner.rules == "level 2: on shift, skill elevator, covers SH; least loaded of 1"

    await bus.handle(field(AcknowledgeAssignment))
    await bus.handle(field(ArriveOnSite))
    answer = await bus.handle(
        field(ResolveJob, cause="rope", fix="new rope", minutes_spent=30, signed_by="Guard")
    )
    assert (answer["technician_id"], answer["status"], answer["case_owner_id"]) == ("li", "resolved", "wu")
    assert types(world) == [
        TechnicianAssigned,
        CaseOwnerAssigned,
        AssignmentAcknowledged,
        TechnicianArrived,
        WorkResolved,
    ]
    assert world.loads() == {}  # the case owner holds no field capacity


async def test_a_hand_off_as_older_sla_monitors_sent_it_does_not_move_the_field_job(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_p1())
    legacy = consumers.escalated(
        inbound.EscalationRaised(ticket_id="T-1", occurred_at=datetime.now(UTC), level=2, reason="handoff")
    )
    await bus.handle(legacy)
    await bus.handle(legacy)  # a copy changes nothing
    assert types(world) == [TechnicianAssigned, CaseOwnerAssigned]
    assert world.job("T-1").technician_id == "li"
    await bus.handle(field(ArriveOnSite))  # no longer refused
    assert world.job("T-1").status == "on_site"


async def test_the_case_owner_is_on_shift_has_the_skill_and_covers_the_region(bus, world, off_shift):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))  # off shift
    await bus.handle(technician("zhou", level=2, skills=("hvac",)))  # no skill
    await bus.handle(technician("qian", level=2, region="BJ"))  # elsewhere
    await bus.handle(technician("sun", level=2))
    off_shift.add("wu")
    await bus.handle(open_p1())
    await bus.handle(handoff())
    assert world.job("T-1").case_owner_id == "sun"


async def test_nobody_to_own_the_case_alerts_and_the_engineer_keeps_working(bus, world, off_shift):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    off_shift.add("wu")
    await bus.handle(open_p1())
    await bus.handle(handoff())
    alert = world.streams.events("job:T-1")[-1]
    assert isinstance(alert, CaseOwnerUnstaffed) and alert.level == 2
    assert "nobody of L2+ on shift with skill elevator covering SH" in alert.reason
    job = world.job("T-1")
    assert (job.technician_id, job.case_owner_id, job.accountable_level) == ("li", None, 2)
    await bus.handle(field(AcknowledgeAssignment))


async def test_a_hand_off_that_overtakes_its_ticket_waits_for_the_job(bus, world):
    with pytest.raises(JobNotOpenedYet) as exc:  # the consumer parks it (shared.consumer.parking)
        await bus.handle(handoff(occurred_at=datetime.now(UTC) - timedelta(hours=1)))
    assert exc.value.ticket_id == "T-1" and world.streams.all_events() == []
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_p1())
    await bus.handle(handoff())
    assert types(world) == [TechnicianAssigned, CaseOwnerAssigned]


async def test_a_missed_response_reassigns_the_field_job_once_saying_why_and_how(bus, world, off_shift):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))  # off shift
    await bus.handle(technician("zhou", level=2, skills=("hvac",)))
    await bus.handle(technician("sun", level=2))
    off_shift.add("wu")
    await bus.handle(open_p1())
    escalation = EscalateJob(
        ticket_id="T-1",
        level=2,
        reason="breach:response",
        reassign_field_job=True,
        occurred_at=datetime.now(UTC),
    )
    await bus.handle(escalation)
    await bus.handle(escalation)
    moved = world.streams.events("job:T-1")[-1]
    assert types(world) == [TechnicianAssigned, TicketReassigned]
    assert (moved.technician_id, moved.previous_technician_id, moved.level) == ("sun", "li", 2)
    assert (moved.reason, moved.cause) == ("escalation", "breach:response")
    assert moved.rules == "level 2: on shift, skill elevator, covers SH; least loaded of 1"
    assert world.loads() == {"sun": 1}


async def test_l3_names_the_accountable_level_and_never_moves_the_field_job(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(technician("zhao", level=3))
    await bus.handle(open_p1())
    await bus.handle(
        EscalateJob(ticket_id="T-1", level=3, reason="overdue:restore", reassign_field_job=False)
    )
    owner = world.streams.events("job:T-1")[-1]
    assert isinstance(owner, CaseOwnerAssigned)
    assert (owner.owner_id, owner.level, owner.reason) == ("zhao", 3, "escalation: L3 (overdue:restore)")
    assert types(world) == [TechnicianAssigned, CaseOwnerAssigned]
    await bus.handle(handoff(to_level=2))  # a hand-off below the accountable level changes nothing
    assert types(world) == [TechnicianAssigned, CaseOwnerAssigned]
    assert (world.job("T-1").technician_id, world.job("T-1").case_owner_id) == ("li", "zhao")


async def test_a_reassignment_nobody_can_take_is_queued_as_an_alert(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(open_p1())
    await bus.handle(EscalateJob(ticket_id="T-1", level=2, reason="breach:on_site", reassign_field_job=True))
    queued = world.streams.events("job:T-1")[-1]
    assert isinstance(queued, AssignmentQueued)
    assert "nobody on shift with skill elevator covering SH" in queued.reason


async def test_a_late_arrival_of_the_former_assignee_is_accepted_as_theirs(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_p1())
    arrived_at = datetime.now(UTC)  # li arrives; the phone is offline
    await bus.handle(EscalateJob(ticket_id="T-1", level=2, reason="breach:on_site", reassign_field_job=True))
    answer = await bus.handle(field(ArriveOnSite, occurred_at=arrived_at))
    assert answer["technician_id"] == "wu"  # the current assignee is unchanged
    assert {
        "step": "arrived",
        "technician_id": "li",
        "occurred_at": arrived_at.isoformat(),
        "late": True,
    } in (answer["history"])
    late = world.streams.events("job:T-1")[-1]
    assert isinstance(late, TechnicianArrived) and late.technician_id == "li"
    assert world.loads() == {"wu": 1}
    with pytest.raises(NotYourJob):  # after the job moved, li's steps are not li's to make
        await bus.handle(field(ArriveOnSite, occurred_at=datetime.now(UTC)))
    with pytest.raises(JobNotFound):  # someone who never held it: no job at all
        await bus.handle(field(ArriveOnSite, technician_id="zhou", occurred_at=arrived_at))


def test_consumers_translate_the_slas_new_events():
    at = datetime.now(UTC)
    command = consumers.handed_off(
        inbound.CaseHandedOff(ticket_id="T-1", occurred_at=at, from_level=1, to_level=2, reason="handoff")
    )
    assert command == HandOffCase(ticket_id="T-1", from_level=1, to_level=2, reason="handoff", occurred_at=at)
    escalated = consumers.escalated(
        inbound.EscalationRaised(
            ticket_id="T-1", occurred_at=at, level=2, reason="breach:restore", reassign_field_job=True
        )
    )
    assert (escalated.reassign_field_job, escalated.occurred_at) == (True, at)
    assert set(consumers.TRANSLATIONS) >= {"CaseHandedOff", "EscalationRaised"}


async def test_a_signal_for_a_ticket_not_opened_yet_is_parked_by_the_consumer(bus, world):
    handle = consumers.handlers(bus)["CaseHandedOff"]
    event = inbound.CaseHandedOff(
        ticket_id="T-9", occurred_at=datetime.now(UTC), from_level=1, to_level=2, reason="handoff"
    )
    envelope = Envelope(source="/sla", type="CaseHandedOff", subject="T-9", data={})
    with pytest.raises(ArrivedEarly) as exc:
        await handle(None, event, envelope)
    assert (exc.value.key, exc.value.waiting_for) == ("T-9", "TicketOpened")


async def test_the_case_owner_may_take_the_field_job_when_the_assignee_misses_their_promise(bus, world):
    await bus.handle(technician("li"))
    await bus.handle(technician("wu", level=2))
    await bus.handle(open_p1())
    await bus.handle(handoff())  # wu owns the case
    await bus.handle(EscalateJob(ticket_id="T-1", level=2, reason="breach:response", reassign_field_job=True))
    job = world.job("T-1")
    assert (job.technician_id, job.case_owner_id, job.level) == ("wu", "wu", 2)
    assert types(world) == [TechnicianAssigned, CaseOwnerAssigned, TicketReassigned]
