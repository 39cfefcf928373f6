"""Every SLA command through the bus on the in-memory unit of work (no database, no broker)."""

from datetime import UTC, datetime, timedelta

import pytest
from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.commands import (
    DeleteCalendar,
    DeletePolicy,
    FireDueThresholds,
    InputTopics,
    PartitionRead,
    RecordInputsRead,
    SaveCalendar,
    SavePolicy,
    SeedCatalog,
)
from sla_monitor.domain.errors import IdMismatch, Protected
from sla_monitor.domain.events import EscalationRaised, SlaClockStopped
from sla_monitor.domain.policy import ClockKind, Policy, Target
from sla_monitor.domain.seeds import SEED_CALENDARS, SEED_POLICIES

from shared.domain_errors import NotFound
from shared.envelope import EventMetadata

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
FAST = {
    "policy_id": "fast",
    "name": "2-second response",
    "targets": {"P1": {"response": {"duration": "PT2S"}}},
    "warning_fractions": [0.5],
    "ladder": [{"level": 2, "at_fraction": 1.0}, {"level": 3, "at_fraction": 2.0}],
}


def opened(ticket_id: str, at: datetime, policy_id: str = "fast") -> dict:
    context = {"customer_id": "C-1", "policy_id": policy_id, "calendar_id": "7x24", "severity": "P1"}
    return {"ticket_id": ticket_id, "occurred_at": at, "reported_at": at, "context": context}


def acknowledged(ticket_id: str, at: datetime) -> dict:
    return {"ticket_id": ticket_id, "occurred_at": at, "technician_id": "t", "job_id": "j"}


def seen(events):
    return [(type(e).__name__, e.clock, e.threshold) for e in events]


async def save_fast_policy(bus) -> None:
    doc = PolicyDoc.model_validate(FAST)
    await bus.handle(
        SavePolicy(policy_id="fast", policy=doc.to_domain(), document=doc.model_dump(mode="json"))
    )


async def test_an_opening_starts_the_clocks_and_sets_the_durable_timer(bus, world, inbound):
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    row = world.tickets["T-1"]
    assert list(row.ticket.clocks) == ["response"] and row.version == 0
    assert row.due_at == T0 + timedelta(seconds=1)  # the warning at half the 2-second target
    assert world.streams.events("sla:T-1") == []
    assert [type(e).__name__ for e in world.streams.all_events()] == ["PolicyPublished"]  # the save


async def test_due_thresholds_fire_once_in_order_on_the_tickets_stream(bus, world, inbound):
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    metadata = EventMetadata(actor="sla-monitor")
    due = await bus.handle(FireDueThresholds(now=T0 + timedelta(seconds=4)), metadata=metadata)
    assert due == [T0 + timedelta(seconds=1)]
    assert seen(world.streams.events("sla:T-1")) == [
        ("SlaWarning", "response", "warning:0.5"),
        ("SlaBreached", "response", "breach"),
        ("EscalationRaised", "response", "escalation:L2"),
        ("EscalationRaised", "response", "escalation:L3"),
    ]
    assert [m.actor for sid, _, m in world.streams.appended if sid == "sla:T-1"] == ["sla-monitor"] * 4
    assert world.tickets["T-1"].version == 4 and world.tickets["T-1"].due_at is None
    assert await bus.handle(FireDueThresholds(now=T0 + timedelta(seconds=9))) == []
    assert len(world.streams.events("sla:T-1")) == 4


async def test_the_emission_guard_lets_each_threshold_out_once_even_from_a_stale_state(bus, world, inbound):
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    stale = world.tickets["T-1"].ticket  # the state before anything fired (e.g. a replica's old copy)
    await bus.handle(FireDueThresholds(now=T0 + timedelta(seconds=1.5)))
    assert seen(world.streams.events("sla:T-1")) == [("SlaWarning", "response", "warning:0.5")]
    world.tickets["T-1"].ticket = stale
    world.tickets["T-1"].due_at = T0
    await bus.handle(FireDueThresholds(now=T0 + timedelta(seconds=2.5)))
    assert seen(world.streams.events("sla:T-1")) == [
        ("SlaWarning", "response", "warning:0.5"),
        ("SlaBreached", "response", "breach"),
        ("EscalationRaised", "response", "escalation:L2"),
    ]


async def test_a_response_stops_the_clock_met(bus, world, inbound):
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    await bus.handle(inbound("AssignmentAcknowledged", acknowledged("T-1", T0 + timedelta(seconds=1))))
    (stopped,) = world.streams.events("sla:T-1")
    assert (
        isinstance(stopped, SlaClockStopped) and stopped.outcome == "met" and stopped.elapsed_seconds == 1.0
    )
    assert world.tickets["T-1"].due_at is None


async def test_an_input_before_the_opening_waits_for_it(bus, world, inbound):
    await save_fast_policy(bus)
    await bus.handle(inbound("AssignmentAcknowledged", acknowledged("T-1", T0 + timedelta(seconds=3))))
    assert "T-1" not in world.tickets and len(world.inputs) == 1
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    (stopped,) = world.streams.events("sla:T-1")
    assert (stopped.clock, stopped.outcome) == ("response", "missed")


async def test_an_input_for_a_ticket_opened_before_the_monitor_knew_it_changes_nothing(bus, world, inbound):
    await bus.handle(inbound("TicketClassified", {"ticket_id": "OLD", "occurred_at": T0, "severity": "P1"}))
    assert world.tickets == {} and world.streams.all_events() == []


async def test_a_complaint_without_a_ticket_is_measured_on_its_own_and_escalates(bus, world, inbound):
    await bus.handle(SeedCatalog())
    filed = {"complaint_id": "CP-1", "ticket_id": None, "customer_id": "C-1", "occurred_at": T0}
    await bus.handle(inbound("ComplaintFiled", filed))
    (raised,) = world.streams.events("sla:CP-1")
    assert isinstance(raised, EscalationRaised) and (raised.level, raised.reason) == (2, "complaint")
    assert "complaint_reply:CP-1" in world.tickets["CP-1"].ticket.clocks


class _BrokenCalendar:
    calendar_id = "broken"

    def add(self, start, duration):
        raise RuntimeError("no working time in this calendar")

    def elapsed(self, start, end):
        raise RuntimeError("no working time in this calendar")


async def test_a_ticket_that_cannot_be_computed_is_retried_later_and_does_not_stall_others(
    bus, world, inbound
):
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-OK", T0)))
    business = Policy(
        policy_id="office",
        name="business time",
        targets={"P1": {ClockKind.RESPONSE: Target(duration=timedelta(hours=1), business_time=True)}},
    )
    ticket = SlaTicket.open(
        ticket_id="T-BAD",
        policy=business,
        calendar_id="broken",
        severity="P1",
        customer_id="C-1",
        region=None,
        opened_at=T0,
        on_site_covered=False,
    )
    world.policies["office"] = PolicyDoc.from_domain(business).model_dump(mode="json")
    world.broken_calendars["broken"] = _BrokenCalendar()
    world.put(ticket, due_at=T0)
    due = await bus.handle(FireDueThresholds(now=T0 + timedelta(seconds=1)))
    assert due == [T0 + timedelta(seconds=1)]  # the healthy ticket fired
    assert seen(world.streams.events("sla:T-OK")) == [("SlaWarning", "response", "warning:0.5")]
    assert world.streams.events("sla:T-BAD") == []
    assert world.tickets["T-BAD"].due_at == T0 + timedelta(seconds=61)  # retried in a minute


async def test_policies_are_created_replaced_and_refused_by_id(bus, world, catalog):
    doc = PolicyDoc.model_validate(FAST)
    command = SavePolicy(policy_id="fast", policy=doc.to_domain(), document=doc.model_dump(mode="json"))
    assert await bus.handle(command) is True
    assert await bus.handle(command) is False
    assert world.policies["fast"]["targets"]["P1"]["response"]["duration"] == "PT2S"
    assert catalog.reloads == 2  # each write is measured with at once
    with pytest.raises(IdMismatch) as mismatch:
        await bus.handle(SavePolicy(policy_id="other", policy=doc.to_domain(), document=FAST))
    assert mismatch.value.field == "policy_id" and "other" not in world.policies
    await bus.handle(DeletePolicy(policy_id="fast"))
    assert "fast" not in world.policies
    with pytest.raises(NotFound):
        await bus.handle(DeletePolicy(policy_id="fast"))
    with pytest.raises(Protected) as protected:
        await bus.handle(DeletePolicy(policy_id="default"))
    assert protected.value.status == 409 and protected.value.field == "policy_id"


async def test_calendars_are_created_replaced_and_refused_by_id(bus, world):
    doc = CalendarDoc(calendar_id="cn-office", hours={0: [("09:00", "18:00")]})
    command = SaveCalendar(
        calendar_id="cn-office", calendar=doc.to_domain(), document=doc.model_dump(mode="json")
    )
    assert await bus.handle(command) is True
    assert await bus.handle(command) is False
    with pytest.raises(IdMismatch):
        await bus.handle(SaveCalendar(calendar_id="x", calendar=doc.to_domain(), document={}))
    await bus.handle(DeleteCalendar(calendar_id="cn-office"))
    assert world.calendars == {}
    with pytest.raises(NotFound):
        await bus.handle(DeleteCalendar(calendar_id="cn-office"))
    with pytest.raises(Protected):
        await bus.handle(DeleteCalendar(calendar_id="7x24"))


async def test_seeding_adds_what_is_missing_and_keeps_an_operators_edits(bus, world):
    world.policies["default"] = {"policy_id": "default", "name": "edited by an operator"}
    await bus.handle(SeedCatalog())
    assert set(world.policies) == {p.policy_id for p in SEED_POLICIES}
    assert set(world.calendars) == {c.calendar_id for c in SEED_CALENDARS}
    assert world.policies["default"]["name"] == "edited by an operator"


async def test_saving_publishes_the_policy_or_calendar_every_time(bus, world):
    await save_fast_policy(bus)
    await save_fast_policy(bus)  # replaced: published again (its name may have changed)
    published = world.streams.events("sla-policy:fast")
    assert [(type(e).__name__, e.policy_id, e.name) for e in published] == [
        ("PolicyPublished", "fast", FAST["name"])
    ] * 2
    doc = CalendarDoc.model_validate({"calendar_id": "night", "hours": {0: [["20:00", "23:00"]]}})
    await bus.handle(
        SaveCalendar(calendar_id="night", calendar=doc.to_domain(), document=doc.model_dump(mode="json"))
    )
    assert [(type(e).__name__, e.calendar_id) for e in world.streams.events("sla-calendar:night")] == [
        ("CalendarPublished", "night")
    ]


async def test_seeding_a_fresh_store_publishes_each_shipped_id_and_reseeding_nothing(bus, world):
    await bus.handle(SeedCatalog())
    await bus.handle(SeedCatalog())  # unchanged catalogue: nothing new
    policies = {e.policy_id for e in world.streams.all_events() if type(e).__name__ == "PolicyPublished"}
    calendars = [e.calendar_id for e in world.streams.all_events() if type(e).__name__ == "CalendarPublished"]
    assert policies == {p.policy_id for p in SEED_POLICIES} and "seed-003" in policies
    assert sorted(calendars) == sorted(c.calendar_id for c in SEED_CALENDARS)
    assert len(world.streams.all_events()) == len(SEED_POLICIES) + len(SEED_CALENDARS)


async def test_a_ticket_naming_an_unknown_policy_is_kept_unmeasured_never_with_the_default(
    bus, world, inbound
):
    await bus.handle(inbound("TicketOpened", opened("T-X", T0, policy_id="nobody-defined-this")))
    row = world.tickets["T-X"]
    assert row.ticket.clocks == {} and row.due_at is None
    assert row.ticket.unmeasured == "unknown policy 'nobody-defined-this'"
    await bus.handle(inbound("AssignmentAcknowledged", acknowledged("T-X", T0 + timedelta(seconds=1))))
    await bus.handle(FireDueThresholds(now=T0 + timedelta(days=3)))
    assert world.streams.events("sla:T-X") == [] and world.tickets["T-X"].ticket.clocks == {}


async def test_the_built_in_default_policy_and_7x24_calendar_are_always_known(bus, world, inbound):
    await bus.handle(inbound("TicketOpened", opened("T-D", T0, policy_id="default")))
    assert world.tickets["T-D"].ticket.unmeasured is None and world.tickets["T-D"].ticket.clocks


async def test_a_threshold_waits_until_the_inputs_are_read_past_its_deadline(bus, world, inbound):
    """Issue 11, item 2: the clock's 2-second target is due, but one input partition is read only up to
    T0 + 1 s: nothing fires; once it is read past the deadline (+ grace), the breach does."""
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    behind = PartitionRead(
        topic="tickets",
        partition=0,
        position=5,
        newest_ms=_ms(T0 + timedelta(seconds=1)),
        caught_up=False,
        age_s=0.0,
    )
    await bus.handle(RecordInputsRead(partitions=(behind,)))
    late = T0 + timedelta(seconds=9)
    assert await bus.handle(FireDueThresholds(now=late, grace_s=0.5)) == []
    assert world.streams.events("sla:T-1") == []
    read = PartitionRead(
        topic="tickets",
        partition=0,
        position=9,
        newest_ms=_ms(T0 + timedelta(seconds=8)),
        caught_up=False,
        age_s=0.0,
    )
    await bus.handle(RecordInputsRead(partitions=(read,)))
    assert await bus.handle(FireDueThresholds(now=late, grace_s=0.5))
    assert world.streams.events("sla:T-1")


async def test_a_caught_up_partition_is_read_up_to_the_clock(bus, world):
    caught_up = PartitionRead(
        topic="tickets", partition=1, position=3, newest_ms=None, caught_up=True, age_s=0
    )
    await bus.handle(RecordInputsRead(partitions=(caught_up,)))
    assert datetime.now(UTC) - world.read_until[("tickets", 1)] < timedelta(seconds=5)


async def test_only_partitions_that_exist_hold_thresholds_back(bus, world, inbound):
    """Issue 11, item 2: a watermark of a partition that is gone (or of a topic no longer read) would
    never move again; it is dropped. A partition that exists and was never read holds them back."""
    await save_fast_policy(bus)
    await bus.handle(inbound("TicketOpened", opened("T-1", T0)))
    world.read_until[("tickets", 5)] = T0  # the topic had 6 partitions once
    world.read_until[("returns", 0)] = T0  # no longer an input
    topics = InputTopics(
        subscribed=frozenset({"tickets", "dispatch"}),
        partitions={"tickets": frozenset({0}), "dispatch": frozenset({0})},
    )
    caught_up = PartitionRead(
        topic="tickets", partition=0, position=3, newest_ms=None, caught_up=True, age_s=0
    )
    await bus.handle(RecordInputsRead(partitions=(caught_up,), topics=topics))
    assert set(world.read_until) == {("tickets", 0), ("dispatch", 0)}
    late = T0 + timedelta(seconds=9)
    assert await bus.handle(FireDueThresholds(now=late, grace_s=0.5)) == [], "dispatch/0 is not read yet"
    dispatch = PartitionRead(
        topic="dispatch", partition=0, position=0, newest_ms=None, caught_up=True, age_s=0
    )
    await bus.handle(RecordInputsRead(partitions=(dispatch,), topics=topics))
    assert await bus.handle(FireDueThresholds(now=late, grace_s=0.5))


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
