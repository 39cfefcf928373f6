"""SLA clocks: thresholds, pauses, re-classification, late events, complaints (pure, no I/O)."""

from datetime import UTC, datetime, timedelta

import pytest
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.durations import format_duration, parse_duration
from sla_monitor.domain.events import (
    CaseHandedOff,
    EscalationRaised,
    SlaBreached,
    SlaClockStopped,
    SlaWarning,
)
from sla_monitor.domain.policy import ClockKind, ClockStart, Policy, Target
from sla_monitor.domain.seeds import SEED_003, WORKING_HOURS_1_2_4

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday
ALWAYS = BusinessCalendar.always()
OFFICE = BusinessCalendar.working_hours("cn-office", days=range(5), start="09:00", end="18:00")


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def open_ticket(policy=SEED_003, severity="P2", at=T0, covered=True) -> SlaTicket:
    return SlaTicket.open(
        ticket_id="T-1",
        policy=policy,
        calendar_id="7x24",
        severity=severity,
        customer_id="C-1",
        region="SH",
        opened_at=at,
        on_site_covered=covered,
    )


def kinds(events):
    return [(type(e).__name__, e.clock, e.threshold) for e in events]


def test_iso_durations():
    assert parse_duration("PT5M") == minutes(5)
    assert parse_duration("PT2S") == timedelta(seconds=2)
    assert parse_duration("PT0.5S") == timedelta(seconds=0.5)
    assert parse_duration("P1DT4H") == timedelta(days=1, hours=4)
    assert parse_duration("P1W") == timedelta(days=7)
    for bad in ("5M", "P", "PT", "P1Y", "P1M", "", "PT-5M"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert format_duration(timedelta(hours=2, minutes=30)) == "PT2H30M"


def test_warnings_breach_and_ladder_fire_once_in_order():
    ticket = open_ticket()
    assert kinds(ticket.due(T0 + minutes(4), SEED_003, ALWAYS)) == []
    assert kinds(ticket.due(T0 + minutes(5), SEED_003, ALWAYS)) == [("SlaWarning", "response", "warning:0.5")]
    events = ticket.due(T0 + minutes(10), SEED_003, ALWAYS)
    assert kinds(events) == [
        ("SlaWarning", "response", "warning:0.8"),
        ("SlaBreached", "response", "breach"),
        ("EscalationRaised", "response", "escalation:L2"),
    ]
    assert events[1].occurred_at == T0 + minutes(10) and events[1].deadline == T0 + minutes(10)
    assert ticket.due(T0 + minutes(10), SEED_003, ALWAYS) == []  # never twice
    assert ticket.level == 2


def test_p1_is_handed_to_the_next_tier_immediately():
    ticket = open_ticket(severity="P1")
    events = ticket.due(T0, SEED_003, ALWAYS)
    assert kinds(events) == [("CaseHandedOff", "handoff", "handoff")]
    assert (events[0].from_level, events[0].to_level) == (1, 2)


def on_site_decided(ticket, at=T0):
    """Seed 003 sends only P1 on site at once: the others' on-site clock starts at the decision."""
    ticket.started_by(ClockStart.ONSITE_DECISION, at, SEED_003, "remote work did not resolve it")
    return ticket


def test_stop_before_and_after_the_deadline():
    ticket = on_site_decided(open_ticket())
    stopped = ticket.stop((ClockKind.RESPONSE,), T0 + minutes(9), ALWAYS, "acknowledged")
    assert [(e.clock, e.outcome) for e in stopped] == [("response", "met")]
    late = ticket.stop((ClockKind.ON_SITE,), T0 + minutes(61), ALWAYS, "arrived")
    assert [(e.clock, e.outcome) for e in late] == [("on_site", "missed")]
    assert ticket.stop((ClockKind.ON_SITE,), T0 + minutes(62), ALWAYS, "again") == []


def test_pause_shifts_deadlines_and_resume_continues():
    ticket = open_ticket()
    ticket.pause("awaiting_customer", T0 + minutes(2), SEED_003)
    assert ticket.due(T0 + minutes(30), SEED_003, ALWAYS) == []  # paused: nothing fires
    assert ticket.next_due(SEED_003, ALWAYS) is None
    ticket.resume(T0 + minutes(32), ALWAYS)
    response = ticket.clocks["response"]
    assert ticket.deadline(response, ALWAYS) == T0 + minutes(40)  # 10 min target + 30 min paused
    assert ticket.elapsed(response, T0 + minutes(35), ALWAYS) == 5 * 60
    assert response.pauses == [(T0 + minutes(2), T0 + minutes(32))]


def test_a_policy_without_the_pause_keeps_counting():
    policy = Policy(
        policy_id="strict",
        name="no pauses",
        targets={"P2": {ClockKind.RESPONSE: Target(duration=minutes(10))}},
        pauses=frozenset(),
    )
    ticket = open_ticket(policy=policy)
    ticket.pause("awaiting_parts", T0 + minutes(1), policy)
    assert ticket.clocks["response"].status == "running"


def test_reclassification_recomputes_from_the_original_start():
    ticket = open_ticket(severity="P3")
    assert ticket.due(T0 + minutes(6), SEED_003, ALWAYS) != []  # P3 response warning at 5 min
    ticket.reclassify("P1", T0 + minutes(6), SEED_003, ALWAYS)
    assert ticket.deadline(ticket.clocks["on_site"], ALWAYS) == T0 + minutes(40)
    assert ticket.deadline(ticket.clocks["response"], ALWAYS) == T0 + minutes(5)
    events = ticket.due(T0 + minutes(6), SEED_003, ALWAYS)  # the new, earlier deadline already passed
    assert ("SlaBreached", "response", "breach") in kinds(events)


def test_reclassification_to_p4_cancels_restore():
    ticket = open_ticket(severity="P2")
    events = ticket.reclassify("P4", T0 + minutes(1), SEED_003, ALWAYS)
    assert [(e.clock, e.outcome) for e in events] == [("restore", "cancelled"), ("diagnosis", "cancelled")]


def test_late_event_is_applied_at_its_occurrence_time():
    ticket = on_site_decided(open_ticket())
    # the arrival synced 10 minutes late: it happened at minute 55, before the 60-minute deadline
    stopped = ticket.stop((ClockKind.ON_SITE,), T0 + minutes(55), ALWAYS, "arrived (synced late)")
    assert stopped[0].outcome == "met" and stopped[0].occurred_at == T0 + minutes(55)


def test_business_time_policy_counts_working_hours_only():
    friday_1730 = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    ticket = SlaTicket.open(
        ticket_id="T-2",
        policy=WORKING_HOURS_1_2_4,
        calendar_id="cn-office",
        severity="P2",
        customer_id="C",
        region=None,
        opened_at=friday_1730,
        on_site_covered=True,
    )
    restore = ticket.clocks["restore"]
    # 30 min on Friday, 3.5 h on Monday from 09:00 -> Monday 12:30 Shanghai = 04:30 UTC
    assert ticket.deadline(restore, OFFICE) == datetime(2026, 11, 30, 4, 30, tzinfo=UTC)


def test_complaint_raises_the_level_and_runs_its_own_reply_clock():
    ticket = open_ticket()
    events = ticket.complaint_filed("CP-1", T0 + minutes(3), SEED_003)
    assert (
        isinstance(events[0], EscalationRaised) and events[0].level == 2 and events[0].reason == "complaint"
    )
    assert ticket.complaint_filed("CP-1", T0 + minutes(3), SEED_003) == []  # the same complaint once
    stopped = ticket.complaint_answered("CP-1", T0 + minutes(50), ALWAYS)
    assert [(e.clock, e.outcome) for e in stopped] == [("complaint_reply:CP-1", "met")]


def test_cancel_stops_everything():
    ticket = open_ticket()
    events = ticket.cancel(T0 + minutes(1), ALWAYS)
    assert {e.outcome for e in events} == {"cancelled"} and len(events) == 4
    assert ticket.next_due(SEED_003, ALWAYS) is None


def test_event_types():
    ticket = open_ticket()
    events = ticket.due(T0 + minutes(200), SEED_003, ALWAYS)
    assert {type(e) for e in events} == {SlaWarning, SlaBreached, EscalationRaised, CaseHandedOff}
    assert ticket.level == 4
    assert isinstance(ticket.stop((ClockKind.RESTORE,), T0 + minutes(201), ALWAYS, "x")[0], SlaClockStopped)


def test_a_reopened_ticket_gets_fresh_restore_and_resolution_clocks():
    policy = Policy(
        policy_id="p",
        name="p",
        targets={
            "P2": {
                ClockKind.RESTORE: Target(duration=minutes(120)),
                ClockKind.RESOLUTION: Target(duration=minutes(600)),
            }
        },
    )
    ticket = open_ticket(policy=policy)
    ticket.stop((ClockKind.RESTORE,), T0 + minutes(60), ALWAYS, "resolved")
    ticket.stop((ClockKind.RESOLUTION,), T0 + minutes(90), ALWAYS, "closed")
    ticket.reopen(T0 + minutes(200), policy)
    assert set(ticket.clocks) == {"restore", "resolution", "restore#2", "resolution#2"}
    assert ticket.deadline(ticket.clocks["restore#2"], ALWAYS) == T0 + minutes(320)
    breached = ticket.due(T0 + minutes(321), policy, ALWAYS)
    assert ("SlaBreached", "restore#2", "breach") in kinds(breached)
    stopped = ticket.stop((ClockKind.RESTORE,), T0 + minutes(330), ALWAYS, "resolved again")
    assert [(e.clock, e.outcome) for e in stopped] == [("restore#2", "missed")]
