"""The two roles on a job (field assignee, case owner) and late facts of a former assignee: domain only."""

from datetime import UTC, datetime, timedelta

import pytest
from dispatch.domain.assignment import Decision
from dispatch.domain.errors import InvalidCommand, NotYourJob
from dispatch.domain.events import CaseOwnerAssigned, CaseOwnerUnstaffed, TechnicianArrived, TicketReassigned
from dispatch.domain.job import Job, JobStatus
from dispatch.domain.lifecycle import Holding, holdings
from dispatch.domain.tiers import moves_field_job, rules_of

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=4)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def assigned(tech="li"):
    job = Job.new(
        ticket_id="T-1",
        job_id="J-1",
        region="SH",
        product_line="elevator",
        severity="P1",
        on_site_required=True,
    )
    job.assign(tech, 1, "least_loaded", T0)
    return job


# ---- the case owner --------------------------------------------------------------------------------


def test_a_hand_off_names_the_case_owner_and_the_engineer_keeps_the_job():
    job = assigned()
    job.assign_case_owner("wu", 2, "handoff: L1 -> L2", "level 2: on shift", T0)
    assert job.pending_events[-1] == CaseOwnerAssigned(
        ticket_id="T-1",
        job_id="J-1",
        owner_id="wu",
        level=2,
        previous_owner_id=None,
        reason="handoff: L1 -> L2",
        rules="level 2: on shift",
        occurred_at=T0,
    )
    assert (job.case_owner_id, job.accountable_level) == ("wu", 2)
    assert (job.technician_id, job.level, job.status) == ("li", 1, JobStatus.ASSIGNED)
    job.acknowledge("li", at(1), now=NOW)
    job.arrive("li", at(20), now=NOW)
    assert job.status is JobStatus.ON_SITE and job.technician_id == "li"


def test_the_accountable_level_only_goes_up():
    job = assigned()
    job.assign_case_owner("wu", 2, "handoff", "r", T0)
    assert not job.needs_case_owner(2)
    with pytest.raises(InvalidCommand) as exc:
        job.assign_case_owner("zhao", 2, "again", "r", at(1))
    assert exc.value.field == "level"
    job.assign_case_owner("zhao", 3, "escalation: L3 (overdue:restore)", "r", at(2))
    assert job.pending_events[-1].previous_owner_id == "wu"
    assert (job.case_owner_id, job.accountable_level) == ("zhao", 3)


def test_nobody_to_own_the_case_is_recorded_and_raises_the_level():
    job = assigned()
    job.case_owner_unstaffed(2, "handoff: nobody", T0)
    assert isinstance(job.pending_events[-1], CaseOwnerUnstaffed)
    assert (job.case_owner_id, job.accountable_level) == (None, 2)
    assert job.technician_id == "li"


def test_a_case_owner_level_out_of_range_is_refused():
    with pytest.raises(InvalidCommand):
        assigned().assign_case_owner("wu", 5, "x", "r", T0)


def test_case_ownership_replays():
    job = assigned()
    job.assign_case_owner("wu", 2, "handoff", "r", T0)
    job.case_owner_unstaffed(3, "escalation", at(5))
    replayed = Job.replay(job.pending_events)
    assert (replayed.case_owner_id, replayed.accountable_level, replayed.technician_id) == ("wu", 3, "li")


# ---- hand-off versus reassignment ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "flag", "moves"),
    [
        ("breach:response", None, True),
        ("breach:on_site", None, True),
        ("handoff", None, False),  # seed 003's hand-off as older SLA monitors sent it
        ("overdue:response", None, False),  # L3/L4 name the accountable level
        ("breach:restore", None, False),
        ("complaint", None, False),
        ("breach:restore", True, True),  # the flag, when present, decides
        ("breach:response", False, False),
    ],
)
def test_only_a_missed_promise_of_the_assignee_moves_the_field_job(reason, flag, moves):
    assert moves_field_job(reason, flag) is moves


def test_the_rules_say_which_filters_chose_the_person():
    exact = Decision(technician_id="wu", reason="escalation_level_2", candidates=2)
    assert rules_of(exact, level=2, region="SH", product_line="elevator") == (
        "level 2: on shift, skill elevator, covers SH; least loaded of 2"
    )
    up = Decision(technician_id="zhao", reason="escalation_fallback_level_3", candidates=1)
    assert rules_of(up, level=2, region=None, product_line=None).startswith(
        "level 3 (nobody of level 2 fits): on shift, skill any, covers any region"
    )


def test_a_supervisor_reassignment_says_why_and_by_which_rules():
    job = assigned()
    job.escalate_to("wu", 2, at(30), cause="breach:response", rules="level 2: on shift")
    event = job.pending_events[-1]
    assert isinstance(event, TicketReassigned)
    assert (event.reason, event.cause, event.rules) == ("escalation", "breach:response", "level 2: on shift")


# ---- late facts of a former assignee (item 5) ------------------------------------------------------


def test_holdings_follow_the_assignment_steps():
    job = assigned()
    job.reassign("wu", "escalation", 2, at(30))
    job.reassign("li", "manual", 2, at(60))
    assert holdings(job.history) == [
        Holding(technician_id="li", since=T0, until=at(30)),
        Holding(technician_id="wu", since=at(30), until=at(60)),
        Holding(technician_id="li", since=at(60), until=None),
    ]


def test_an_arrival_made_before_the_job_moved_is_accepted_as_the_former_assignees():
    job = assigned()
    job.escalate_to("wu", 2, at(30))
    job.arrive("li", at(20), now=NOW)  # the phone was offline; it syncs after the reassignment
    event = job.pending_events[-1]
    assert event == TechnicianArrived(ticket_id="T-1", job_id="J-1", technician_id="li", occurred_at=at(20))
    step = job.history[-1]
    assert (step.name, step.technician_id, step.late) == ("arrived", "li", True)
    assert job.technician_id == "wu"  # the current assignee is unchanged
    assert job.status is JobStatus.ASSIGNED  # wu has not arrived: the job's progress is wu's
    replayed = Job.replay(job.pending_events)
    assert (replayed.status, replayed.technician_id, replayed.history[-1].late) == (
        JobStatus.ASSIGNED,
        "wu",
        True,
    )


def test_a_former_assignees_step_after_the_job_moved_is_refused():
    job = assigned()
    job.escalate_to("wu", 2, at(30))
    with pytest.raises(NotYourJob):
        job.arrive("li", at(31), now=NOW)


def test_a_step_before_the_technician_ever_held_the_job_is_refused():
    job = assigned()
    job.reassign("wu", "manual", 1, at(30))
    with pytest.raises(NotYourJob):
        job.acknowledge("zhao", at(10), now=NOW)  # never held it
    job.reassign("zhao", "manual", 1, at(60))
    with pytest.raises(NotYourJob):
        job.acknowledge("wu", at(10), now=NOW)  # held it only from minute 30 to 60


def test_the_current_assignee_keeps_going_after_a_former_assignees_late_fact():
    job = assigned()
    job.escalate_to("wu", 2, at(30))
    job.acknowledge("li", at(5), now=NOW)
    job.arrive("wu", at(50), now=NOW)
    assert job.status is JobStatus.ON_SITE
    assert [(s.name, s.technician_id) for s in job.steps_in_order()] == [
        ("assigned", "li"),
        ("acknowledged", "li"),
        ("reassigned", "wu"),
        ("arrived", "wu"),
    ]
