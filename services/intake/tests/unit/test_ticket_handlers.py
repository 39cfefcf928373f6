"""Ticket commands through the bus on the in-memory unit of work (no HTTP, no database)."""

from datetime import UTC, datetime, timedelta

import pytest
from intake.domain import commands as c
from intake.domain.entitlement import PriorRepair
from intake.domain.errors import IllegalTransition, InvalidCommand, TicketNotFound, VersionMismatch
from intake.domain.events import Channel, Severity


def _open(customer: str = "C-1", **changes) -> c.OpenTicket:
    values = {
        "customer_id": customer,
        "channel": Channel.PHONE,
        "severity": Severity.P2,
        "description": "lift stuck between floors",
        "caller_name": "Wang",
        "caller_phone": "13800138000",
        "unit_id": "U-1",
    }
    return c.OpenTicket(**{**values, **changes})


async def _opened(intake, **changes) -> str:
    intake.customer()
    return (await intake.handle(_open(**changes)))["ticket_id"]


async def test_open_ticket_records_its_context_and_entitlement(intake):
    intake.customer()
    document = await intake.handle(_open())
    ticket_id = document["ticket_id"]
    assert intake.types(ticket_id) == ["TicketOpened", "EntitlementAssessed"]
    assert document["version"] == 2 and document["status"] == "open"
    assert (document["region"], document["contract_id"], document["on_site_covered"]) == ("SH", "K-1", True)
    assert document["caller"]["registered"] is True and document["caller"]["contact_id"] == "P-1"
    assert document["entitlement"]["in_warranty"] is True
    assert intake.streams.appended[0][2].actor == "tester"


async def test_open_by_serial_of_an_old_unit_is_out_of_warranty_and_names_the_sales_rep(intake):
    intake.customer()
    document = await intake.handle(_open(unit_id=None, serial_number="SN-OLD", caller_phone="555 0101"))
    entitlement = document["entitlement"]
    assert (entitlement["in_warranty"], entitlement["notify_sales"], entitlement["sales_rep_id"]) == (
        False,
        True,
        "sales-9",
    )
    assert document["caller"]["registered"] is False and document["unit_id"] == "U-OLD"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_id": "C-404"}, "customer_id"),
        ({"customer_id": "C-2"}, "unit_id"),  # the unit belongs to another customer
        ({"unit_id": None, "serial_number": "SN-NONE"}, "serial_number"),
        ({"reported_at": datetime.now(UTC) + timedelta(hours=1)}, "reported_at"),
    ],
)
async def test_a_refused_opening_names_the_field_and_writes_nothing(intake, changes, field):
    intake.customer()
    with pytest.raises(InvalidCommand) as refused:
        await intake.handle(_open(**changes))
    assert refused.value.field == field
    assert intake.streams.appended == []


async def test_a_ticket_without_a_unit_is_opened_without_entitlement(intake):
    ticket_id = await _opened(intake, unit_id=None)
    assert intake.types(ticket_id) == ["TicketOpened"]


async def test_changes_follow_the_lifecycle(intake):
    ticket_id = await _opened(intake)
    await intake.handle(c.ClassifyTicket(ticket_id=ticket_id, severity=Severity.P1, reason="hospital"))
    await intake.handle(c.AddNote(ticket_id=ticket_id, text="called back", author="dora"))
    await intake.handle(c.AwaitCustomer(ticket_id=ticket_id, reason="no access"))
    await intake.handle(c.ResumeTicket(ticket_id=ticket_id))
    document = await intake.handle(c.AwaitParts(ticket_id=ticket_id, reason="motor", parts=("M-1",)))
    assert document["status"] == "awaiting_parts" and document["severity"] == "P1"
    assert document["notes"][0]["author"] == "dora"
    await intake.handle(c.ResumeTicket(ticket_id=ticket_id))
    resolved = await intake.handle(
        c.ResolveTicket(ticket_id=ticket_id, resolution="replaced", resolved_by="dora", fault_code="E42")
    )
    assert resolved["status"] == "resolved" and resolved["fault_code"] == "E42"
    await intake.handle(c.ReopenTicket(ticket_id=ticket_id, reason="again"))
    await intake.handle(c.ResolveTicket(ticket_id=ticket_id, resolution="fixed", resolved_by="dora"))
    closed = await intake.handle(c.CloseTicket(ticket_id=ticket_id, callback_note="happy"))
    assert closed["status"] == "closed" and closed["version"] == 12
    assert intake.types(ticket_id)[2:] == [
        "TicketClassified",
        "TicketNoteAdded",
        "TicketAwaitingCustomer",
        "TicketResumed",
        "TicketAwaitingParts",
        "TicketResumed",
        "TicketResolved",
        "TicketReopened",
        "TicketResolved",
        "TicketClosed",
    ]
    with pytest.raises(IllegalTransition):
        await intake.handle(c.CancelTicket(ticket_id=ticket_id, reason="too late"))


async def test_cancel_an_open_ticket(intake):
    ticket_id = await _opened(intake)
    assert (await intake.handle(c.CancelTicket(ticket_id=ticket_id, reason="dup")))["status"] == "cancelled"


async def test_a_stale_expected_version_is_refused_before_anything_happens(intake):
    ticket_id = await _opened(intake)
    with pytest.raises(VersionMismatch) as stale:
        await intake.handle(c.CancelTicket(ticket_id=ticket_id, reason="dup", expected_version=1))
    assert stale.value.current == 2
    assert intake.types(ticket_id) == ["TicketOpened", "EntitlementAssessed"]
    done = await intake.handle(c.CancelTicket(ticket_id=ticket_id, reason="dup", expected_version=2))
    assert done["version"] == 3


@pytest.mark.parametrize("ticket_id", ["T-404", "CP-0001"])
async def test_an_unknown_ticket_is_not_found(intake, ticket_id):
    intake.customer()
    with pytest.raises(TicketNotFound):
        await intake.handle(c.ResumeTicket(ticket_id=ticket_id))


async def test_a_dissatisfied_callback_files_a_complaint_in_the_same_unit_of_work(intake):
    ticket_id = await _opened(intake)
    await intake.handle(c.ResolveTicket(ticket_id=ticket_id, resolution="fixed", resolved_by="dora"))
    await intake.handle(c.RecordSatisfaction(ticket_id=ticket_id, score=1, comment="slow"))
    complaints = [(s, e) for s, e, _ in intake.streams.appended if type(e).__name__ == "ComplaintFiled"]
    assert len(complaints) == 1
    stream_id, filed = complaints[0]
    assert stream_id.startswith("CP-") and filed.ticket_id == ticket_id
    assert filed.source == "satisfaction_callback"
    assert filed.text == "dissatisfied at the callback (score 1): slow"
    await intake.handle(c.RecordSatisfaction(ticket_id=ticket_id, score=4))
    assert sum(type(e).__name__ == "ComplaintFiled" for e in intake.streams.all_events()) == 1


async def test_reassess_needs_a_unit_and_records_a_new_assessment(intake):
    no_unit = await _opened(intake, unit_id=None)
    with pytest.raises(InvalidCommand) as refused:
        await intake.handle(c.ReassessEntitlement(ticket_id=no_unit))
    assert refused.value.field == "unit_id"
    ticket_id = (await intake.handle(_open()))["ticket_id"]
    document = await intake.handle(c.ReassessEntitlement(ticket_id=ticket_id, fault_code="E42"))
    assert intake.types(ticket_id)[-1] == "EntitlementAssessed" and document["fault_code"] == "E42"


async def test_field_work_moves_the_ticket_and_leaves_one_already_past_the_step(intake):
    ticket_id = await _opened(intake)
    at = datetime.now(UTC)
    await intake.handle(c.RecordTechnician(ticket_id=ticket_id, technician_id="tech-7"))
    await intake.handle(c.AwaitPartsFromField(ticket_id=ticket_id, parts=("M-1",), occurred_at=at))
    await intake.handle(c.AwaitPartsFromField(ticket_id=ticket_id, parts=("M-2",), occurred_at=at))  # already
    field = {"ticket_id": ticket_id, "technician_id": "tech-7", "occurred_at": at}
    await intake.handle(c.ResolveFromField(**field, fix="", fault_code="E1"))
    resolved = intake.streams.events(ticket_id)[-1]
    assert (resolved.resolution, resolved.resolved_by, resolved.technician_id) == (
        "resolved in the field",
        "technician:tech-7",
        "tech-7",
    )
    await intake.handle(c.ResolveFromField(**field, fix="x", fault_code=None))  # resolved already
    assert intake.types(ticket_id)[2:] == ["TicketAwaitingParts", "TicketResolved"]
    document = await intake.handle(c.AddNote(ticket_id=ticket_id, text="seen", author="dora"))
    assert document["technician_id"] == "tech-7"
    await intake.handle(c.AwaitPartsFromField(ticket_id="MV-1", parts=(), occurred_at=at))  # not a ticket
    assert intake.streams.events("MV-1") == []


async def test_a_third_failure_diagnosed_in_the_field_makes_the_unit_due_for_replacement(intake):
    ticket_id = await _opened(intake)
    today = datetime.now(UTC).date()
    for number, days_ago in (("T-old-1", 60), ("T-old-2", 30)):
        repair = PriorRepair(fault_code="E42", resolved_on=today - timedelta(days_ago))
        intake.archive.repairs.append((number, "U-1", repair))
    await intake.handle(c.ReassessAfterDiagnosis(ticket_id=ticket_id, fault_code="E42"))
    assessed = intake.streams.events(ticket_id)[-1]
    assert type(assessed).__name__ == "EntitlementAssessed"
    assert assessed.replacement_due is True and assessed.fault_code == "E42"
