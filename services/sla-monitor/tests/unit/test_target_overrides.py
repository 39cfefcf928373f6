"""Targets by channel and by the site's region class, as data in the shipped policies (seed 003: email
answered within 8 h, fax within 5 min; seed 002: elevator entrapment on site in 30 min in a city, 1 h
elsewhere), read from intake's TicketOpened (channel; context.region_class, optional)."""

from datetime import UTC, datetime, timedelta

import pytest
from sla_monitor.adapters import inbound as e
from sla_monitor.adapters.documents import PolicyDoc
from sla_monitor.adapters.translate import clock_input
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.policy import ClockKind, Policy, Target, TargetOverride
from sla_monitor.domain.seeds import ELEVATOR_ENTRAPMENT, SEED_003

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ALWAYS = BusinessCalendar.always()


def deadline(policy, severity, clock, channel=None, region_class=None):
    ticket = SlaTicket.open(
        ticket_id="T-1",
        policy=policy,
        calendar_id="7x24",
        severity=severity,
        customer_id="C-1",
        region="SH",
        opened_at=T0,
        on_site_covered=True,
        channel=channel,
        region_class=region_class,
    )
    return ticket.deadline(ticket.clocks[clock], ALWAYS) - T0


def test_seed_003_response_depends_on_the_channel():
    assert deadline(SEED_003, "P2", "response", channel="phone") == timedelta(minutes=10)
    assert deadline(SEED_003, "P2", "response", channel="email") == timedelta(hours=8)
    assert deadline(SEED_003, "P1", "response", channel="fax") == timedelta(minutes=5)
    assert deadline(SEED_003, "P3", "response") == timedelta(minutes=10)  # channel unknown: the base


def test_elevator_entrapment_on_site_depends_on_the_region_class():
    assert deadline(ELEVATOR_ENTRAPMENT, "P1", "on_site", region_class="city") == timedelta(minutes=30)
    assert deadline(ELEVATOR_ENTRAPMENT, "P1", "on_site", region_class="elsewhere") == timedelta(hours=1)
    assert deadline(ELEVATOR_ENTRAPMENT, "P1", "on_site") == timedelta(hours=1)  # not told: the base


def test_the_most_specific_override_wins_and_none_adds_a_clock():
    policy = Policy(
        policy_id="p",
        name="p",
        targets={"P2": {ClockKind.RESPONSE: Target(duration=timedelta(minutes=10))}},
        overrides=(
            TargetOverride(
                clock=ClockKind.RESPONSE, channel="email", target=Target(duration=timedelta(hours=8))
            ),
            TargetOverride(
                clock=ClockKind.RESPONSE,
                channel="email",
                region_class="elsewhere",
                target=Target(duration=timedelta(hours=12)),
            ),
            TargetOverride(
                clock=ClockKind.ON_SITE, channel="email", target=Target(duration=timedelta(hours=1))
            ),
        ),
    )
    assert policy.target(
        "P2", ClockKind.RESPONSE, channel="email", region_class="elsewhere"
    ).duration == timedelta(hours=12)
    assert policy.target(
        "P2", ClockKind.RESPONSE, channel="email", region_class="city"
    ).duration == timedelta(hours=8)
    assert policy.target("P2", ClockKind.ON_SITE, channel="email") is None


def test_overrides_survive_the_stored_document():
    for policy in (SEED_003, ELEVATOR_ENTRAPMENT):
        again = PolicyDoc.model_validate(PolicyDoc.from_domain(policy).model_dump(mode="json")).to_domain()
        assert again.overrides == policy.overrides
        assert again.on_site_at_once == policy.on_site_at_once and again.starts_at == policy.starts_at
    with pytest.raises(ValueError):
        PolicyDoc.model_validate(
            {
                **PolicyDoc.from_domain(SEED_003).model_dump(mode="json"),
                "overrides": [{"clock": "nope", "target": {"duration": "PT1H"}}],
            }
        )


def test_the_channel_and_region_class_come_from_intake_s_ticket_opened():
    context = e.ContextView(
        customer_id="C", policy_id="p", calendar_id="7x24", severity="P1", region_class="city"
    )
    opened = clock_input(
        e.TicketOpened(ticket_id="T", occurred_at=T0, reported_at=T0, context=context, channel="email")
    )
    assert (opened.channel, opened.region_class) == ("email", "city")
    bare = clock_input(
        e.TicketOpened(
            ticket_id="T",
            occurred_at=T0,
            reported_at=T0,
            context=e.ContextView(customer_id="C", policy_id="p", calendar_id="7x24", severity="P1"),
        )
    )
    assert (bare.channel, bare.region_class) == (None, None)
