"""Issue 12 item 1 (SLA side), with the shipped seed 003 policy: the tier hand-off is a
`CaseHandedOff`, never an escalation of the field job; only a breach of the assignee's own promises
(response, on-site arrival) asks dispatch to move the field job."""

from datetime import UTC, datetime, timedelta

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import CaseHandedOff, EscalationRaised
from sla_monitor.domain.policy import ClockKind, ClockStart
from sla_monitor.domain.seeds import SEED_003

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ALWAYS = BusinessCalendar.always()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def opened(severity: str) -> SlaTicket:
    return SlaTicket.open(
        ticket_id="T-1",
        policy=SEED_003,
        calendar_id="7x24",
        severity=severity,
        customer_id="C-1",
        region="SH",
        opened_at=T0,
        on_site_covered=True,
    )


def escalations(events):
    return [(e.level, e.reason, e.reassign_field_job) for e in events if isinstance(e, EscalationRaised)]


def test_a_p1_is_handed_to_l2_at_second_0_without_any_escalation():
    ticket = opened("P1")
    events = ticket.due(T0, SEED_003, ALWAYS)
    assert [type(e) for e in events] == [CaseHandedOff]
    assert (events[0].ticket_id, events[0].from_level, events[0].to_level) == ("T-1", 1, 2)
    assert events[0].reason == "handoff:handoff"
    assert ticket.tier == 2 and ticket.level == 1


def test_the_response_breach_after_a_hand_off_still_reassigns_the_field_job():
    ticket = opened("P1")
    ticket.due(T0, SEED_003, ALWAYS)
    events = ticket.due(T0 + minutes(5), SEED_003, ALWAYS)
    assert escalations(events) == [(2, "breach:response", True)]


def test_ladder_steps_beyond_the_breach_name_the_level_but_never_move_the_job():
    ticket = opened("P2")
    ticket.stop((ClockKind.RESPONSE,), T0 + minutes(1), ALWAYS, "acknowledged")
    events = ticket.due(T0 + minutes(240), SEED_003, ALWAYS)  # restore: 2 h target, 1.5x L3, 2x L4
    assert escalations(events) == [
        (2, "breach:restore", False),
        (3, "overdue:restore", False),
        (4, "overdue:restore", False),
    ]
    assert [e.to_level for e in events if isinstance(e, CaseHandedOff)] == [2]  # the 30 min hand-off


def test_an_on_site_breach_reassigns_the_field_job():
    ticket = opened("P2")
    ticket.started_by(ClockStart.ONSITE_DECISION, T0, SEED_003, "remote work did not resolve it")
    ticket.stop((ClockKind.RESPONSE,), T0 + minutes(1), ALWAYS, "acknowledged")
    events = ticket.due(T0 + minutes(60), SEED_003, ALWAYS)
    assert escalations(events) == [(2, "breach:on_site", True)]


def test_the_hand_off_fires_once():
    ticket = opened("P2")
    assert (
        len([e for e in ticket.due(T0 + minutes(30), SEED_003, ALWAYS) if isinstance(e, CaseHandedOff)]) == 1
    )
    assert [e for e in ticket.due(T0 + minutes(31), SEED_003, ALWAYS) if isinstance(e, CaseHandedOff)] == []
