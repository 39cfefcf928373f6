"""Complaint and customer-archive commands through the bus on the in-memory unit of work."""

from datetime import date

import pytest
from intake.domain import commands as c
from intake.domain.errors import ArchiveError, ComplaintNotFound, IllegalTransition, InvalidCommand
from intake.domain.events import Channel, Severity


async def _ticket(intake, customer: str = "C-1") -> str:
    command = c.OpenTicket(
        customer_id=customer,
        channel=Channel.WEB,
        severity=Severity.P3,
        description="noise",
        caller_name="Li",
        caller_phone="555 0101",
    )
    return (await intake.handle(command))["ticket_id"]


async def test_a_complaint_about_a_ticket_is_keyed_by_it_and_answered_once(intake):
    intake.customer()
    ticket_id = await _ticket(intake)
    filed = await intake.handle(c.FileComplaint(customer_id="C-1", text="rude", ticket_id=ticket_id))
    assert (filed["status"], filed["ticket_id"], filed["version"]) == ("open", ticket_id, 1)
    event = intake.streams.events(filed["complaint_id"])[0]
    assert event.context is not None and event.context.customer_id == "C-1"
    answered = await intake.handle(
        c.AnswerComplaint(complaint_id=filed["complaint_id"], reply="sorry", answered_by="sam")
    )
    assert (answered["status"], answered["reply"], answered["version"]) == ("answered", "sorry", 2)
    with pytest.raises(IllegalTransition):
        await intake.handle(
            c.AnswerComplaint(complaint_id=filed["complaint_id"], reply="again", answered_by="s")
        )


async def test_complaints_are_refused_for_unknown_customers_and_other_customers_tickets(intake):
    intake.customer()
    ticket_id = await _ticket(intake)
    standalone = await intake.handle(c.FileComplaint(customer_id="C-1", text="billing"))
    assert standalone["ticket_id"] is None
    with pytest.raises(InvalidCommand) as unknown:
        await intake.handle(c.FileComplaint(customer_id="C-404", text="x"))
    assert unknown.value.field == "customer_id"
    with pytest.raises(InvalidCommand) as other:
        await intake.handle(c.FileComplaint(customer_id="C-2", text="x", ticket_id=ticket_id))
    assert other.value.field == "ticket_id"
    with pytest.raises(ComplaintNotFound):
        await intake.handle(c.AnswerComplaint(complaint_id="CP-404", reply="?", answered_by="s"))
    with pytest.raises(ComplaintNotFound):
        await intake.handle(c.AnswerComplaint(complaint_id=ticket_id, reply="?", answered_by="s"))


async def test_archive_rows_are_added_checked_replaced_and_removed(intake):
    company = await intake.handle(c.AddCompany(name="Pearl"))
    other = await intake.handle(c.AddCompany(name="Other"))
    assert company.startswith("C-") and intake.archive.rows["companies"][company]["name"] == "Pearl"
    wang = {"name": "Wang", "phone": "+86 138-0013-8000"}
    contact = await intake.handle(c.AddRecord(kind="contacts", company_id=company, values=wang))
    assert contact.startswith("P-")
    assert intake.archive.rows["contacts"][contact]["phone"] == "+8613800138000"
    site = await intake.handle(
        c.AddRecord(kind="sites", company_id=company, values={"address": "1", "city": "SH", "region": "SH"})
    )
    foreign_site = await intake.handle(
        c.AddRecord(kind="sites", company_id=other, values={"address": "2", "city": "BJ", "region": "BJ"})
    )
    unit = {
        "site_id": site,
        "contract_id": None,
        "model": "EL-1",
        "serial_number": "SN-1",
        "product_line": "elevator",
        "quantity": 1,
        "accepted_on": date(2025, 1, 1),
        "warranty_months": 12,
    }
    unit_id = await intake.handle(c.AddRecord(kind="units", company_id=company, values=unit))
    with pytest.raises(ArchiveError) as foreign:
        await intake.handle(
            c.AddRecord(kind="units", company_id=company, values={**unit, "site_id": foreign_site})
        )
    assert (foreign.value.status, foreign.value.field) == (422, "site_id")
    with pytest.raises(ArchiveError) as unknown_company:
        await intake.handle(c.AddRecord(kind="sites", company_id="C-404", values={"region": "SH"}))
    assert (unknown_company.value.status, unknown_company.value.field) == (404, "company_id")
    renumbered = {**unit, "serial_number": "SN-2"}
    await intake.handle(
        c.ReplaceRecord(kind="units", company_id=company, record_id=unit_id, values=renumbered)
    )
    assert intake.archive.rows["units"][unit_id]["serial_number"] == "SN-2"
    with pytest.raises(ArchiveError) as elsewhere:
        await intake.handle(c.ReplaceRecord(kind="units", company_id=other, record_id=unit_id, values={}))
    assert (elsewhere.value.status, elsewhere.value.field) == (404, "id")
    with pytest.raises(ArchiveError) as referenced:
        await intake.handle(c.RemoveRecord(kind="sites", company_id=company, record_id=site))
    assert referenced.value.status == 409
    await intake.handle(c.RemoveRecord(kind="units", company_id=company, record_id=unit_id))
    await intake.handle(c.RemoveRecord(kind="sites", company_id=company, record_id=site))
    assert intake.archive.rows["sites"].keys() == {foreign_site}
    with pytest.raises(ArchiveError):
        await intake.handle(c.RemoveRecord(kind="sites", company_id=company, record_id=site))


async def test_rename_company(intake):
    company = await intake.handle(c.AddCompany(name="Pearl"))
    await intake.handle(c.RenameCompany(company_id=company, name="Pearl Lifts"))
    assert intake.archive.rows["companies"][company]["name"] == "Pearl Lifts"
    with pytest.raises(ArchiveError) as unknown:
        await intake.handle(c.RenameCompany(company_id="C-404", name="x"))
    assert (unknown.value.status, unknown.value.field) == (404, "company_id")
