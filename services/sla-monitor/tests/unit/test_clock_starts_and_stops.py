"""Issue 12 item 2 with the SHIPPED seed 003 policy: where each clock starts and stops, through the
same rules the consumer and what-if use (pure, no I/O)."""

from datetime import UTC, datetime, timedelta

from sla_monitor.domain import inputs as i
from sla_monitor.domain import rules
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.events import (
    CaseHandedOff,
    EscalationRaised,
    SlaBreached,
    SlaClockStopped,
    SlaWarning,
)
from sla_monitor.domain.seeds import SEED_003, SEED_POLICIES

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ALWAYS = BusinessCalendar.always()
POLICIES = {p.policy_id: p for p in SEED_POLICIES}


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def run(severity: str, *inputs: i.ClockInput, until: datetime | None = None, policy: str = "seed-003"):
    """Open under a shipped policy, apply the inputs in order (firing what fell due before each), then
    fire everything due by `until`; returns (ticket, every event)."""
    ticket, emitted = rules.apply(
        None,
        i.Opened(
            ticket_id="T-1",
            at=T0,
            policy_id=policy,
            calendar_id="7x24",
            severity=severity,
            customer_id="C-1",
            region="SH",
            on_site_covered=True,
        ),
        POLICIES.__getitem__,
        lambda _: ALWAYS,
    )
    assert ticket is not None
    for event in inputs:
        emitted += ticket.due(event.at, POLICIES[policy], ALWAYS)
        emitted += rules.apply(ticket, event, POLICIES.__getitem__, lambda _: ALWAYS)[1]
    emitted += ticket.due(until or minutes(24 * 60), POLICIES[policy], ALWAYS)
    return ticket, emitted


def about(events, clock: str):
    return [e for e in events if e.clock == clock]


def stopped(events, clock: str):
    return [e.outcome for e in about(events, clock) if isinstance(e, SlaClockStopped)]


def test_only_p1_starts_the_on_site_clock_at_the_report():
    p1, _ = run("P1", until=T0)
    p2, _ = run("P2", until=T0)
    assert "on_site" in p1.clocks and "on_site" not in p2.clocks
    assert SEED_003.on_site_at_once == frozenset({"P1"})


def test_a_p2_resolved_remotely_stops_on_site_as_not_needed_with_no_warning_breach_or_escalation():
    ticket, events = run(
        "P2",
        i.Responded(ticket_id="T-1", at=minutes(3), why="RemoteSessionStarted"),
        i.Restored(ticket_id="T-1", at=minutes(100), why="WorkResolved"),
        i.Closed(ticket_id="T-1", at=minutes(200)),
    )
    # it waited for an on-site decision that never came: one explicit verdict, and nothing else
    assert [(type(e), e.outcome) for e in about(events, "on_site")] == [(SlaClockStopped, "not_needed")]
    assert ticket.clocks["on_site"].status == "not_needed"
    assert [e for e in events if isinstance(e, EscalationRaised) and "on_site" in e.reason] == []


def test_the_on_site_decision_starts_the_clock_and_a_remote_resolution_then_makes_it_not_needed():
    ticket, events = run(
        "P2",
        i.Responded(ticket_id="T-1", at=minutes(3), why="RemoteSessionStarted"),
        i.OnSiteNeeded(ticket_id="T-1", at=minutes(20), why="RemoteSessionEnded"),
        i.Restored(ticket_id="T-1", at=minutes(50), why="TicketResolved"),
    )
    assert ticket.clocks["on_site"].started_at == minutes(20)
    on_site = about(events, "on_site")
    assert [type(e) for e in on_site] == [SlaWarning, SlaClockStopped]  # the 50 % warning at minute 50
    assert stopped(events, "on_site") == ["not_needed"] and on_site[-1].deadline is None


def test_an_arrival_after_the_on_site_decision_is_measured_from_the_decision():
    ticket, events = run(
        "P2",
        i.Responded(ticket_id="T-1", at=minutes(3), why="AssignmentAcknowledged"),
        i.OnSiteNeeded(ticket_id="T-1", at=minutes(30)),
        i.Arrived(ticket_id="T-1", at=minutes(85)),  # 55 min after the decision: met (target 1 h)
    )
    assert stopped(events, "on_site") == ["met"]


def test_a_p1_resolved_by_phone_stops_on_site_as_not_needed():
    _, events = run(
        "P1",
        i.Responded(ticket_id="T-1", at=minutes(2), why="AssignmentAcknowledged"),
        i.Restored(ticket_id="T-1", at=minutes(15), why="TicketResolved"),
    )
    assert stopped(events, "on_site") == ["not_needed"]
    assert [e for e in about(events, "on_site") if isinstance(e, SlaBreached | EscalationRaised)] == []


def test_a_p4_consultation_resolved_by_phone_has_no_on_site_anything():
    _, events = run(
        "P4",
        i.Responded(ticket_id="T-1", at=minutes(2), why="AssignmentAcknowledged"),
        i.Restored(ticket_id="T-1", at=minutes(30), why="TicketResolved"),
        i.Closed(ticket_id="T-1", at=minutes(60)),
    )
    assert [(type(e), e.outcome) for e in about(events, "on_site")] == [(SlaClockStopped, "not_needed")]
    assert [type(e) for e in events if isinstance(e, SlaBreached)] == []


def test_final_resolution_starts_at_the_first_contact_in_seed_003():
    from sla_monitor.domain.policy import ClockKind, ClockStart, Policy, Target

    policy = Policy(
        policy_id="seed-003-with-resolution",
        name="seed 003 plus a final resolution target",
        targets={"P2": {**SEED_003.targets["P2"], ClockKind.RESOLUTION: Target(duration=timedelta(hours=4))}},
        on_site_at_once=SEED_003.on_site_at_once,
        starts_at=SEED_003.starts_at,
    )
    assert SEED_003.start_of("P2", ClockKind.RESOLUTION) is ClockStart.FIRST_CONTACT
    POLICIES[policy.policy_id] = policy
    try:
        ticket, _ = run(
            "P2",
            i.Responded(ticket_id="T-1", at=minutes(7), why="AssignmentAcknowledged"),
            i.Arrived(ticket_id="T-1", at=minutes(40)),
            until=minutes(41),
            policy=policy.policy_id,
        )
    finally:
        del POLICIES[policy.policy_id]
    assert ticket.clocks["resolution"].started_at == minutes(7)  # the acknowledgement, not the arrival


def test_diagnosis_is_a_two_hour_clock_stopped_by_the_diagnosis():
    _, events = run(
        "P2",
        i.Diagnosed(ticket_id="T-1", at=minutes(90)),
        until=minutes(300),
    )
    assert stopped(events, "diagnosis") == ["met"]
    _, late = run("P3", until=minutes(121))
    assert [type(e) for e in about(late, "diagnosis")][-1] is SlaBreached


def test_p2_to_p4_cancels_restore_without_a_breach_and_back_to_p2_brings_it_back_from_the_start():
    ticket, events = run(
        "P2",
        i.Reclassified(ticket_id="T-1", at=minutes(5), severity="P4"),
        i.Reclassified(ticket_id="T-1", at=minutes(30), severity="P2"),
        until=minutes(119),
    )
    restore = ticket.clocks["restore"]
    assert restore.status == "running" and restore.started_at == T0
    assert ticket.deadline(restore, ALWAYS) == minutes(120)
    assert stopped(events, "restore") == ["cancelled"]
    assert [e for e in about(events, "restore") if isinstance(e, SlaBreached)] == []
    _, breached = run(
        "P2",
        i.Reclassified(ticket_id="T-1", at=minutes(5), severity="P4"),
        i.Reclassified(ticket_id="T-1", at=minutes(30), severity="P2"),
        until=minutes(120),
    )
    assert [e.threshold for e in about(breached, "restore") if isinstance(e, SlaBreached)] == ["breach"]


def test_p2_to_p4_alone_never_breaches_restore():
    _, events = run("P2", i.Reclassified(ticket_id="T-1", at=minutes(5), severity="P4"), until=minutes(600))
    assert [e for e in about(events, "restore") if not isinstance(e, SlaClockStopped)] == []


def test_seed_003_complaints_are_answered_within_two_hours_and_seed_000_one_hour_stays_expressible():
    assert SEED_003.complaint_reply is not None
    assert SEED_003.complaint_reply.duration == timedelta(hours=2)
    assert POLICIES["working-hours-1-2-4"].complaint_reply.duration == timedelta(hours=1)


def test_the_p1_hand_off_at_second_0_is_not_an_escalation():
    _, events = run("P1", until=T0)
    assert [type(e) for e in events] == [CaseHandedOff]


def test_dispatch_s_remote_session_ended_unresolved_is_the_on_site_decision():
    from sla_monitor.adapters import inbound as e
    from sla_monitor.adapters.translate import clock_input

    unresolved = clock_input(e.RemoteSessionEnded(ticket_id="T-1", occurred_at=T0, resolved=False))
    assert isinstance(unresolved, i.OnSiteNeeded) and unresolved.why == "RemoteSessionEnded"
    assert isinstance(
        clock_input(e.RemoteSessionEnded(ticket_id="T-1", occurred_at=T0, resolved=True)), i.Noted
    )
    assert isinstance(clock_input(e.DiagnosisRecorded(ticket_id="T-1", occurred_at=T0)), i.Diagnosed)


def test_a_late_arrival_before_the_deadline_corrects_the_breach_and_names_its_escalations():

    ticket, events = run(
        "P1",
        i.Responded(ticket_id="T-1", at=minutes(2), why="AssignmentAcknowledged"),
        until=minutes(61),  # on-site breached at 40 (L2 with the job to move), L3 at 60
    )
    assert [e.level for e in events if isinstance(e, EscalationRaised)] == [2, 3]
    late = rules.apply(
        ticket, i.Arrived(ticket_id="T-1", at=minutes(38)), POLICIES.__getitem__, lambda _: ALWAYS
    )[1]
    assert [(type(e).__name__, e.clock) for e in late] == [
        ("SlaClockStopped", "on_site"),
        ("SlaBreachCorrected", "on_site"),
    ]
    assert late[0].outcome == "met"
    correction = late[1]
    assert correction.escalation_levels == [2, 3] and "technician arrived" in correction.reason
    assert ticket.clocks["on_site"].corrected and "breach" in ticket.clocks["on_site"].emitted


def test_a_late_fact_after_the_deadline_corrects_nothing():
    ticket, _ = run("P1", until=minutes(41))
    late = rules.apply(
        ticket, i.Arrived(ticket_id="T-1", at=minutes(41)), POLICIES.__getitem__, lambda _: ALWAYS
    )[1]
    assert [type(e).__name__ for e in late if e.clock == "on_site"] == ["SlaClockStopped"]
    assert late[-1].outcome == "missed"
