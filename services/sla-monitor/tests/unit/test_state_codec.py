"""The stored clock state: the batched timer path (JSON text in one pass) reads and writes the same
tickets as the per-ticket path (a JSON document through the driver). Pure, no I/O."""

import json
from datetime import UTC, datetime, timedelta

from sla_monitor.adapters.state import dump_state, dump_state_json, load_state, load_state_json
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.policy import ClockKind
from sla_monitor.domain.seeds import SEED_003

T0 = datetime(2026, 11, 26, 10, 0, 0, 250_000, tzinfo=UTC)
OFFICE = BusinessCalendar.working_hours("cn-office", days=range(5), start="09:00", end="18:00")


def _lived_ticket() -> SlaTicket:
    """A ticket with something in every part of its state: pauses, emissions, escalations, a stopped
    clock, a complaint clock, notes with non-ASCII text."""
    ticket = SlaTicket.open(
        ticket_id="T-状态",
        policy=SEED_003,
        calendar_id="7x24",
        severity="P2",
        customer_id="C-1",
        region="SH",
        opened_at=T0,
        on_site_covered=True,
        channel="phone",
        region_class="city",
    )
    ticket.pause("awaiting_customer", T0 + timedelta(minutes=1), SEED_003)
    ticket.resume(T0 + timedelta(minutes=3), OFFICE)
    ticket.due(T0 + timedelta(days=1), SEED_003, OFFICE)
    ticket.stop((ClockKind.RESPONSE,), T0 + timedelta(days=1, minutes=5), OFFICE, "acknowledged 已确认")
    ticket.complaint_filed("CMP-1", T0 + timedelta(days=1, minutes=6), SEED_003)
    return ticket


def test_the_json_text_path_round_trips_the_same_ticket_as_the_document_path():
    ticket = _lived_ticket()
    assert ticket.moves and any(clock.emitted for clock in ticket.clocks.values())
    text = dump_state_json(ticket)
    assert json.loads(text) == dump_state(ticket)  # the same document, whichever way it is written
    assert load_state_json(text) == load_state(dump_state(ticket)) == ticket
    assert load_state_json(json.dumps(dump_state(ticket))) == ticket  # and read back from either
