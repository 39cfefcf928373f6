"""The job held for the customer's consent to the quote (SPEC 2.3), on the aggregate alone: nobody
can be assigned or sent while it is held; the hold is rebuilt from the job's own stream."""

from datetime import UTC, datetime, timedelta

import pytest
from dispatch.domain.errors import IllegalTransition
from dispatch.domain.events import AssignmentHeld, AssignmentReleased, JobClosed, TechnicianAssigned
from dispatch.domain.job import Job
from dispatch.domain.lifecycle import JobStatus

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _job() -> Job:
    return Job.new(
        ticket_id="T-1",
        job_id="J-T-1",
        region="SH",
        product_line="elevator",
        severity="P2",
        on_site_required=False,
        customer_id="C-1",
        unit_id="U-1",
        opened_at=NOW,
    )


def test_a_held_job_records_its_opening_facts_in_the_hold_and_is_rebuilt_from_it():
    job = _job()
    job.hold_for_consent(NOW)
    [held] = job.pending_events
    assert isinstance(held, AssignmentHeld)
    assert (held.region, held.product_line, held.severity, held.unit_id, held.opened_at) == (
        "SH",
        "elevator",
        "P2",
        "U-1",
        NOW,
    )
    assert "consent" in held.reason
    replayed = Job.replay(job.pending_events)
    assert replayed.awaiting_consent and replayed.status == JobStatus.QUEUED and replayed.is_open
    assert (replayed.region, replayed.customer_id, replayed.technician_id) == ("SH", "C-1", None)
    assert [s.name for s in replayed.steps_in_order()] == ["held_for_consent"]


def test_nobody_is_assigned_or_sent_while_held():
    job = Job.replay([_held()])
    with pytest.raises(IllegalTransition) as assign:
        job.assign("li", 1, "manual", NOW)
    assert (assign.value.status, assign.value.state) == (409, "awaiting_consent")
    with pytest.raises(IllegalTransition):
        job.reassign("li", "manual", 1, NOW)
    with pytest.raises(IllegalTransition):
        job.escalate_to("wu", 2, NOW)
    assert job.pending_events == []


def test_released_the_job_is_staffed_as_any_other():
    job = Job.replay([_held()])
    job.release("the customer accepted the quote", NOW + timedelta(hours=1))
    job.assign("li", 1, "best fit", NOW + timedelta(hours=1))
    released, assigned = job.pending_events
    assert isinstance(released, AssignmentReleased) and isinstance(assigned, TechnicianAssigned)
    assert assigned.severity is None  # the opening facts are the hold's, in the stream's first event
    replayed = Job.replay([_held(), released, assigned])
    assert not replayed.awaiting_consent and replayed.status == JobStatus.ASSIGNED
    assert [s.name for s in replayed.steps_in_order()] == ["held_for_consent", "released", "assigned"]


def test_only_a_job_nobody_holds_is_held_and_only_a_held_one_released():
    staffed = _job()
    staffed.assign("li", 1, "best fit", NOW)
    assert not staffed.can_hold()
    with pytest.raises(IllegalTransition) as sent:
        staffed.hold_for_consent(NOW)
    assert sent.value.state == "staffed"
    with pytest.raises(IllegalTransition):
        staffed.release("accepted", NOW)
    held = Job.replay([_held()])
    assert not held.can_hold()
    with pytest.raises(IllegalTransition) as twice:
        held.hold_for_consent(NOW)
    assert twice.value.state == "awaiting_consent"


def test_a_held_job_closed_as_cancelled_ends_with_nobody_sent():
    job = Job.replay([_held()])
    job.close("cancelled", NOW)
    [closed] = job.pending_events
    assert isinstance(closed, JobClosed) and closed.technician_id is None
    assert Job.replay([_held(), closed]).status == JobStatus.CANCELLED


def _held() -> AssignmentHeld:
    job = _job()
    job.hold_for_consent(NOW)
    return job.pending_events[0]
