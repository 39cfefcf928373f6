from datetime import UTC, datetime, timedelta

import pytest
from dispatch.domain.errors import IllegalTransition, InvalidCommand, NotYourJob
from dispatch.domain.events import (
    JOB_EVENTS,
    AssignmentAcknowledged,
    AssignmentQueued,
    DiagnosisRecorded,
    OnSiteVisitRequired,
    PartsRequested,
    RemoteSessionEnded,
    RepeatRepairDetected,
    TechnicianArrived,
    TechnicianAssigned,
    TechnicianDeparted,
    TicketReassigned,
    WorkResolved,
)
from dispatch.domain.job import Job, JobStatus

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=4)
ATTRS = dict(region="north", product_line="printer", severity="P2", on_site_required=True)
OPENING = dict(
    severity="P2",
    on_site_required=True,
    customer_id="C-1",
    unit_id="U-9",
    account_engineer_id=None,
    opened_at=T0,
)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def new_job():
    return Job.new(ticket_id="T-1", job_id="J-1", **ATTRS, customer_id="C-1", unit_id="U-9", opened_at=T0)


def assigned(tech="tech-1", level=1):
    job = new_job()
    job.assign(tech, level, "least_loaded", T0)
    return job


def resolve(job, tech="tech-1", minutes=60, **kw):
    args = dict(
        cause="worn roller",
        fix="replaced roller",
        fault_code="E12",
        parts_used=("R-1",),
        minutes_spent=45,
        signed_by="Ms Li",
        satisfaction=5,
    )
    args.update(kw)
    job.resolve(tech, at(minutes), now=NOW, **args)


# ---- creation, assignment, queueing ---------------------------------------------------------------


def test_new_job_records_nothing():
    job = new_job()
    assert job.version == 0 and job.pending_events == []
    assert job.status is JobStatus.QUEUED and job.technician_id is None


def test_assign_records_technician_assigned():
    job = assigned(level=2)
    assert job.pending_events == [
        TechnicianAssigned(
            ticket_id="T-1",
            job_id="J-1",
            technician_id="tech-1",
            level=2,
            reason="least_loaded",
            occurred_at=T0,
            previous_technician_id=None,
            region="north",
            product_line="printer",
            **OPENING,
        )
    ]
    assert job.status is JobStatus.ASSIGNED
    assert job.technician_id == "tech-1" and job.level == 2 and job.version == 1
    assert job.last_event_at == T0


def test_queue_records_assignment_queued_then_assign():
    job = new_job()
    job.queue("no_one_fits", T0)
    assert job.pending_events == [
        AssignmentQueued(
            ticket_id="T-1",
            job_id="J-1",
            reason="no_one_fits",
            region="north",
            product_line="printer",
            occurred_at=T0,
            **OPENING,
        )
    ]
    assert job.status is JobStatus.QUEUED and job.version == 1
    job.assign("tech-1", 1, "least_loaded", at(30))
    assert job.status is JobStatus.ASSIGNED and job.version == 2
    later = job.pending_events[-1]
    assert later.region is None and later.opened_at is None  # the opening facts are told once


def test_assign_twice_or_queue_an_assigned_job_is_refused():
    job = assigned()
    with pytest.raises(IllegalTransition):
        job.assign("tech-2", 1, "least_loaded", at(1))
    with pytest.raises(IllegalTransition):
        job.queue("no_one_fits", at(1))


@pytest.mark.parametrize("level", [0, 5, True])
def test_assign_level_is_validated(level):
    with pytest.raises(InvalidCommand) as exc:
        new_job().assign("tech-1", level, "least_loaded", T0)
    assert exc.value.field == "level" and exc.value.code == "invalid_command"


# ---- ownership and time ---------------------------------------------------------------------------


def test_someone_else_cannot_submit_steps():
    job = assigned()
    with pytest.raises(NotYourJob) as exc:
        job.acknowledge("tech-2", at(1), now=NOW)
    assert exc.value.code == "not_your_job" and exc.value.field == "technician_id"
    assert job.version == 1


def test_steps_on_a_queued_job_are_not_anyones():
    job = new_job()
    job.queue("no_one_fits", T0)
    with pytest.raises(NotYourJob):
        job.arrive("tech-1", at(1), now=NOW)


def test_the_previous_technician_is_refused_after_reassignment():
    job = assigned()
    job.reassign("tech-2", "manual", 1, at(5))
    with pytest.raises(NotYourJob):
        job.depart("tech-1", at(6), now=NOW)
    job.depart("tech-2", at(6), now=NOW)
    assert job.status is JobStatus.EN_ROUTE


def test_occurred_at_beyond_five_minutes_in_the_future_is_refused():
    job = assigned()
    with pytest.raises(InvalidCommand) as exc:
        job.acknowledge("tech-1", NOW + timedelta(minutes=5, seconds=1), now=NOW)
    assert exc.value.field == "occurred_at"
    job.acknowledge("tech-1", NOW + timedelta(minutes=5), now=NOW)  # within the allowed skew
    assert job.status is JobStatus.ACKNOWLEDGED


def test_naive_occurred_at_is_refused():
    with pytest.raises(InvalidCommand) as exc:
        assigned().acknowledge("tech-1", datetime(2024, 5, 6, 9, 30), now=NOW)
    assert exc.value.field == "occurred_at"


# ---- lifecycle, late and out-of-order submissions -------------------------------------------------


def test_full_on_site_lifecycle():
    job = assigned()
    job.acknowledge("tech-1", at(1), now=NOW)
    assert job.status is JobStatus.ACKNOWLEDGED
    job.depart("tech-1", at(10), now=NOW)
    assert job.status is JobStatus.EN_ROUTE
    job.arrive("tech-1", at(40), now=NOW)
    assert job.status is JobStatus.ON_SITE
    job.diagnose("tech-1", at(45), "worn roller", "E12", now=NOW)
    assert job.status is JobStatus.WORKING and job.fault_code == "E12"
    job.request_parts("tech-1", at(50), ("R-1",), now=NOW)
    assert job.status is JobStatus.AWAITING_PARTS and job.parts_requested == ("R-1",)
    resolve(job, minutes=90)
    assert job.status is JobStatus.RESOLVED
    assert isinstance(job.pending_events[-1], WorkResolved)
    assert job.resolution.signed_by == "Ms Li"
    assert job.last_event_at == at(90)
    assert job.version == 7


def test_remote_session_then_on_site_required():
    job = assigned()
    job.start_remote("tech-1", at(5), now=NOW)
    assert job.status is JobStatus.REMOTE
    job.end_remote("tech-1", at(25), False, now=NOW)
    job.require_on_site("tech-1", at(26), "board must be swapped", now=NOW)
    assert job.status is JobStatus.REMOTE
    assert job.remote_resolved is False and job.on_site_required is True
    assert [type(e) for e in job.pending_events[-2:]] == [RemoteSessionEnded, OnSiteVisitRequired]


def test_late_departed_after_arrived_is_recorded_but_status_stays_on_site():
    job = assigned()
    job.arrive("tech-1", at(40), now=NOW)
    job.depart("tech-1", at(10), now=NOW)  # the device was offline on the way
    assert job.status is JobStatus.ON_SITE
    assert isinstance(job.pending_events[-1], TechnicianDeparted)
    assert job.history[-1].name == "departed" and job.history[-1].late is True
    assert job.last_event_at == at(40)


def test_late_acknowledge_after_arrival_is_recorded_and_harmless():
    job = assigned()
    job.arrive("tech-1", at(40), now=NOW)
    job.acknowledge("tech-1", at(2), now=NOW)
    assert job.status is JobStatus.ON_SITE
    assert isinstance(job.pending_events[-1], AssignmentAcknowledged)


def test_out_of_order_submissions_end_at_the_highest_status_reached():
    job = assigned()
    job.diagnose("tech-1", at(45), "worn roller", "E12", now=NOW)
    job.arrive("tech-1", at(40), now=NOW)
    job.acknowledge("tech-1", at(1), now=NOW)
    job.depart("tech-1", at(10), now=NOW)
    assert job.status is JobStatus.WORKING
    assert job.version == 5
    names = [step.name for step in job.steps_in_order()]
    assert names == ["assigned", "acknowledged", "departed", "arrived", "diagnosed"]
    assert [step.late for step in job.history] == [False, False, True, True, True]
    assert job.last_event_at == at(45)


def test_same_rank_steps_follow_the_later_occurrence():
    job = assigned()
    job.request_parts("tech-1", at(50), ("R-1",), now=NOW)
    job.diagnose("tech-1", at(45), "worn roller", now=NOW)  # earlier diagnosis, arriving late
    assert job.status is JobStatus.AWAITING_PARTS
    job.diagnose("tech-1", at(120), "roller fitted, fuser worn too", "E13", now=NOW)
    assert job.status is JobStatus.WORKING and job.fault_code == "E13"


def test_submissions_after_resolution_are_refused():
    job = assigned()
    job.arrive("tech-1", at(40), now=NOW)
    resolve(job, minutes=90)
    with pytest.raises(IllegalTransition) as exc:
        job.depart("tech-1", at(10), now=NOW)
    assert exc.value.state == "resolved" and exc.value.code == "illegal_transition"
    with pytest.raises(IllegalTransition):
        resolve(job, minutes=95)
    with pytest.raises(IllegalTransition):
        job.reassign("tech-2", "manual", 1, NOW)
    assert job.version == 3


def test_a_duplicate_after_resolution_records_nothing():
    job = assigned()
    job.arrive("tech-1", at(40), now=NOW)
    resolve(job, minutes=90)
    resolve(job, minutes=90)
    job.arrive("tech-1", at(40), now=NOW)
    assert job.version == 3 and len(job.pending_events) == 3


@pytest.mark.parametrize(
    "field, value",
    [
        ("minutes_spent", -1),
        ("satisfaction", 6),
        ("signed_by", ""),
        ("cause", " "),
        ("fix", ""),
    ],
)
def test_resolution_inputs_are_validated(field, value):
    job = assigned()
    with pytest.raises(InvalidCommand) as exc:
        resolve(job, **{field: value})
    assert exc.value.field == field


def test_parts_request_needs_parts():
    with pytest.raises(InvalidCommand) as exc:
        assigned().request_parts("tech-1", at(5), (), now=NOW)
    assert exc.value.field == "parts"


# ---- reassignment and escalation ------------------------------------------------------------------


def test_reassign_records_the_previous_technician():
    job = assigned()
    job.reassign("tech-2", "capacity", 1, at(5))
    assert job.pending_events[-1] == TicketReassigned(
        ticket_id="T-1",
        job_id="J-1",
        technician_id="tech-2",
        previous_technician_id="tech-1",
        reason="capacity",
        level=1,
        occurred_at=at(5),
    )
    assert job.technician_id == "tech-2"


def test_reassign_to_the_same_technician_is_refused():
    with pytest.raises(InvalidCommand) as exc:
        assigned().reassign("tech-1", "manual", 1, at(5))
    assert exc.value.field == "technician_id"


def test_a_queued_job_can_be_reassigned_from_no_one():
    job = new_job()
    job.queue("no_one_fits", T0)
    job.reassign("tech-3", "manual", 1, at(5))
    assert job.pending_events[-1].previous_technician_id is None
    assert job.status is JobStatus.ASSIGNED


def test_escalation_raises_the_level_and_keeps_the_status():
    job = assigned()
    job.arrive("tech-1", at(40), now=NOW)
    job.diagnose("tech-1", at(45), "unknown board fault", now=NOW)
    job.escalate_to("sup-2", 2, at(60))
    event = job.pending_events[-1]
    assert isinstance(event, TicketReassigned)
    assert (event.reason, event.level, event.previous_technician_id) == ("escalation", 2, "tech-1")
    assert job.level == 2 and job.technician_id == "sup-2"
    assert job.status is JobStatus.WORKING
    job.acknowledge("sup-2", at(62), now=NOW)  # the new owner's steps are accepted
    assert job.status is JobStatus.WORKING


def test_escalation_must_go_up():
    job = assigned(level=2)
    with pytest.raises(InvalidCommand) as exc:
        job.escalate_to("sup-2", 2, at(60))
    assert exc.value.field == "level"


def test_repeat_repair_is_recorded():
    job = assigned()
    job.flag_repeat_repair("U-9", "E12", "T-0", at(5))
    assert job.pending_events[-1] == RepeatRepairDetected(
        ticket_id="T-1",
        job_id="J-1",
        unit_id="U-9",
        fault_code="E12",
        previous_ticket_id="T-0",
        occurred_at=at(5),
    )
    assert job.status is JobStatus.ASSIGNED


# ---- replay ---------------------------------------------------------------------------------------


def _state(job):
    return {k: v for k, v in vars(job).items() if k != "pending_events"}


def test_replay_equals_live_state():
    job = assigned()
    job.diagnose("tech-1", at(45), "worn roller", "E12", now=NOW)
    job.arrive("tech-1", at(40), now=NOW)
    job.depart("tech-1", at(10), now=NOW)
    job.request_parts("tech-1", at(50), ["R-1", "R-2"], now=NOW)
    job.escalate_to("sup-2", 3, at(55))
    job.require_on_site("sup-2", at(56), "needs a second pair of hands", now=NOW)
    resolve(job, tech="sup-2", minutes=90)
    assert job.pending_events[-1].unit_id == "U-9"  # the job's own unit

    replayed = Job.replay(job.pending_events)
    assert replayed.pending_events == []
    assert _state(replayed) == _state(job)
    assert replayed.status is JobStatus.RESOLVED and replayed.version == len(job.pending_events)


def test_replay_from_the_stream_alone_restores_the_opening_facts():
    job = new_job()
    job.queue("no_one_fits", T0)
    job.assign("tech-1", 1, "least_loaded", at(30))
    job.arrive("tech-1", at(40), now=NOW)
    replayed = Job.replay(job.pending_events)
    assert (replayed.ticket_id, replayed.job_id) == ("T-1", "J-1")
    assert (replayed.region, replayed.product_line, replayed.severity) == ("north", "printer", "P2")
    assert (replayed.customer_id, replayed.unit_id, replayed.opened_at) == ("C-1", "U-9", T0)
    assert replayed.on_site_required is True
    assert replayed.status is JobStatus.ON_SITE and replayed.technician_id == "tech-1"


def test_a_stream_written_before_the_opening_facts_still_replays():
    old = TechnicianAssigned(
        ticket_id="T-1", job_id="J-1", technician_id="tech-1", level=1, reason="least_loaded", occurred_at=T0
    )
    replayed = Job.replay([old])
    assert replayed.region is None and replayed.severity is None and replayed.on_site_required is False
    assert replayed.status is JobStatus.ASSIGNED and replayed.version == 1


def test_job_events_are_listed():
    for cls in (TechnicianAssigned, AssignmentQueued, DiagnosisRecorded, PartsRequested, TechnicianArrived):
        assert cls in JOB_EVENTS
    assert len(set(JOB_EVENTS)) == len(JOB_EVENTS) == 21  # with CaseOwner*, AssignmentHeld/Released


def test_a_job_closed_elsewhere_ends_and_refuses_field_steps():
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    job = Job.new(
        ticket_id="T-1", job_id="J-1", region="SH", product_line=None, severity="P2", on_site_required=False
    )
    job.assign("li", 1, "least_loaded", now)
    job.close("resolved_by_office", now)
    assert job.status is JobStatus.RESOLVED
    assert Job.replay(job.pending_events).status is JobStatus.RESOLVED
    try:
        job.arrive("li", now, now=now)
    except IllegalTransition as exc:
        assert exc.state == "resolved"
    else:
        raise AssertionError("a closed job took a field step")
